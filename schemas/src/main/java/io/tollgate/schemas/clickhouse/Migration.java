package io.tollgate.schemas.clickhouse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One migration file {@code NNN_name.sql}: its version, name, checksum and statements. Files
 * are listed in {@code index.txt} beside them because a classpath folder inside a jar cannot be
 * listed. Statements end with {@code ;} at the end of a line; {@code --} comment lines are dropped.
 *
 * @param version    the NNN prefix
 * @param name       the file name
 * @param checksum   SHA-256 of the file (line endings normalized), to catch edited migrations
 * @param statements the statements in file order
 */
public record Migration(int version, String name, String checksum, List<String> statements) {
  private static final Pattern FILE = Pattern.compile("(\\d{3})_[a-z0-9_]+\\.sql");

  /** The migrations listed in {@code <root>/index.txt}, in order; fails on gaps or bad names. */
  public static List<Migration> load(ClassLoader loader, String root) {
    List<Migration> out = new ArrayList<>();
    for (String file : lines(read(loader, root + "/index.txt"))) {
      Matcher m = FILE.matcher(file);
      if (!m.matches()) {
        throw new IllegalStateException("migration file name must look like 001_name.sql, got " + file);
      }
      int version = Integer.parseInt(m.group(1));
      if (version != out.size() + 1) {
        throw new IllegalStateException("migrations must be numbered 001, 002, … without gaps; "
            + file + " follows version " + out.size());
      }
      out.add(parse(version, file, read(loader, root + "/" + file)));
    }
    return List.copyOf(out);
  }

  static Migration parse(int version, String name, String text) {
    String normalized = text.replace("\r\n", "\n");
    return new Migration(version, name, sha256(normalized), split(normalized));
  }

  /** Splits on {@code ;} at the end of a line, dropping comment-only lines and empty statements. */
  static List<String> split(String text) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      String stripped = line.strip();
      if (stripped.startsWith("--") || stripped.isEmpty()) {
        continue;
      }
      if (stripped.endsWith(";")) {
        current.append(stripped, 0, stripped.length() - 1);
        addIfNotBlank(statements, current);
        current.setLength(0);
      } else {
        current.append(line).append('\n');
      }
    }
    addIfNotBlank(statements, current);
    return List.copyOf(statements);
  }

  private static void addIfNotBlank(List<String> statements, StringBuilder sql) {
    String s = sql.toString().strip();
    if (!s.isEmpty()) {
      statements.add(s);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  private static String read(ClassLoader loader, String resource) {
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("migration resource " + resource + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new java.io.StringReader(text))) {
      String line;
      while ((line = r.readLine()) != null) {
        line = line.strip();
        if (!line.isEmpty() && !line.startsWith("#")) {
          out.add(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
