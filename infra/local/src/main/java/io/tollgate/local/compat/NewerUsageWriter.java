package io.tollgate.local.compat;

import io.tollgate.schemas.UsageEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * For tests: a gateway one release ahead of this build. Its {@code UsageEvent} ("v3") is this
 * build's schema plus one long field, with a default as the compatibility rule demands, so this
 * build plays the reader one release behind. The field's name is the caller's, so a test gets a
 * fingerprint no other test published.
 */
public final class NewerUsageWriter {
  private NewerUsageWriter() {
  }

  /** This build's {@code UsageEvent} schema plus the long field {@code extraField} (default 0). */
  public static Schema v3(String extraField) {
    Schema current = UsageEvent.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : current.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(new Schema.Field(extraField, Schema.create(Schema.Type.LONG), "new in v3", 0L));
    return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
  }

  /** {@code event} in single-object encoding as the newer writer sends it (7000 in the new field). */
  public static byte[] encode(Schema writer, UsageEvent event) {
    GenericRecord record = new GenericData.Record(writer);
    for (Schema.Field f : writer.getFields()) {
      Schema.Field known = UsageEvent.getClassSchema().getField(f.name());
      Object value = known == null ? 7_000L : event.get(known.pos());
      record.put(f.name(), value instanceof Instant i ? i.toEpochMilli() : value);
    }
    try {
      ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
