package io.tollgate.schemas.serde;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;

/**
 * Every schema version a record type has ever had, oldest first, read from the classpath:
 * {@code schema-history/<RecordName>/versions.txt} lists the files (classpath folders cannot be
 * listed inside a jar), each {@code vN.avsc} holds one version. The files live once, in
 * {@code schemas/src/test/resources/schema-history}, and ship in the jar so that readers can
 * decode bytes written by older producers.
 */
public final class SchemaHistory {
  /** Classpath folder of the history. */
  public static final String ROOT = "schema-history";

  private SchemaHistory() {
  }

  /** The versions of {@code recordName}, oldest first; fails when the history is missing. */
  public static List<Schema> load(String recordName) {
    return load(SchemaHistory.class.getClassLoader(), ROOT, recordName);
  }

  /** Same, from another root (tests keep deliberately broken histories elsewhere). */
  public static List<Schema> load(ClassLoader loader, String root, String recordName) {
    Objects.requireNonNull(recordName, "recordName");
    String dir = root + "/" + recordName + "/";
    List<Schema> versions = new ArrayList<>();
    for (String file : readLines(loader, dir + "versions.txt")) {
      try (InputStream in = loader.getResourceAsStream(dir + file)) {
        if (in == null) {
          throw new IllegalStateException(dir + "versions.txt lists " + file + " but it is not on the classpath");
        }
        // A fresh parser per file: every version defines the same full name.
        versions.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + dir + file, e);
      }
    }
    if (versions.isEmpty()) {
      throw new IllegalStateException("no schema history for " + recordName + " under " + dir);
    }
    return List.copyOf(versions);
  }

  private static List<String> readLines(ClassLoader loader, String resource) {
    InputStream in = loader.getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException("schema history index " + resource + " is not on the classpath");
    }
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        line = line.strip();
        if (!line.isEmpty() && !line.startsWith("#")) {
          lines.add(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
    return lines;
  }
}
