package io.tollgate.schemas.serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * The rule every schema change must pass: the current schema can read data written by every
 * historical version (backward compatibility: consumers upgrade first, old records on the topics
 * stay readable), and the newest historical version is the current schema, so no change ships
 * without being recorded in the history that readers resolve fingerprints against.
 */
public final class SchemaCompatibilityCheck {
  private SchemaCompatibilityCheck() {
  }

  /** Human-readable problems; empty when {@code current} may ship with {@code history}. */
  public static List<String> problems(Schema current, List<Schema> history) {
    Objects.requireNonNull(current, "current");
    List<String> problems = new ArrayList<>();
    if (history.isEmpty()) {
      problems.add(current.getName() + ": no schema history; record the current schema as v1");
      return problems;
    }
    for (int i = 0; i < history.size(); i++) {
      Schema writer = history.get(i);
      SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(current, writer);
      for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
        problems.add(current.getName() + ": cannot read history version " + (i + 1) + ": "
            + incompatibility.getType() + " at " + readable(current, incompatibility.getLocation()) + " ("
            + incompatibility.getMessage() + ")");
      }
    }
    Schema newest = history.get(history.size() - 1);
    if (AvroSerde.fingerprint(newest) != AvroSerde.fingerprint(current)) {
      problems.add(current.getName() + ": the current schema differs from the newest history version "
          + history.size() + "; add it as v" + (history.size() + 1) + ".avsc to schema-history/"
          + current.getName() + "/ and versions.txt");
    }
    return problems;
  }

  /** Turns Avro's JSON-pointer location ("/fields/17/type") into field names ("status_code/type"). */
  static String readable(Schema reader, String location) {
    String[] parts = location.split("/");
    StringBuilder out = new StringBuilder();
    Schema schema = reader;
    for (int i = 1; i < parts.length; i++) {
      if (parts[i].equals("fields") && i + 1 < parts.length && schema != null
          && schema.getType() == Schema.Type.RECORD && parts[i + 1].matches("\\d+")) {
        int index = Integer.parseInt(parts[++i]);
        if (index < schema.getFields().size()) {
          Schema.Field field = schema.getFields().get(index);
          out.append('/').append(field.name());
          schema = field.schema();
          continue;
        }
        out.append("/fields/").append(index);
        schema = null;
        continue;
      }
      out.append('/').append(parts[i]);
      schema = null;
    }
    return out.length() == 0 ? "/" : out.toString();
  }
}
