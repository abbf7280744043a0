package io.tollgate.schemas.serde;

import io.tollgate.schemas.UsageEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * A gateway one release ahead of the code under test: {@code UsageEvent} "v3" = the current schema
 * plus fields this reader has never heard of (a long, and an optional nested record, so that
 * skipping a complex unknown field is exercised too), all with defaults as the rule demands.
 */
final class NewerWriter {
  static final Schema ROUTING = Schema.createRecord("Routing", null, "io.tollgate.schemas", false, List.of(
      new Schema.Field("region", Schema.create(Schema.Type.STRING)),
      new Schema.Field("attempts", Schema.create(Schema.Type.INT))));

  private NewerWriter() {
  }

  /** The current schema plus {@code carbon_milligrams} and {@code routing}. */
  static Schema v3() {
    return withExtraFields(List.of(
        new Schema.Field("carbon_milligrams", Schema.create(Schema.Type.LONG), "new in v3", 0L),
        new Schema.Field("routing", Schema.createUnion(Schema.create(Schema.Type.NULL), ROUTING), "new in v3",
            Schema.Field.NULL_DEFAULT_VALUE)));
  }

  /** The current schema with {@code cost_nanos} turned into a string: a change that breaks readers. */
  static Schema incompatible() {
    Schema current = UsageEvent.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : current.getFields()) {
      fields.add(f.name().equals("cost_nanos") ? new Schema.Field(f.name(), Schema.create(Schema.Type.STRING))
          : new Schema.Field(f, f.schema()));
    }
    return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
  }

  private static Schema withExtraFields(List<Schema.Field> extra) {
    Schema current = UsageEvent.getClassSchema();
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : current.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.addAll(extra);
    return Schema.createRecord(current.getName(), current.getDoc(), current.getNamespace(), false, fields);
  }

  /** {@code event} as the newer writer encodes it, with values in the fields the reader lacks. */
  static byte[] encode(Schema writer, UsageEvent event) {
    GenericRecord record = new GenericData.Record(writer);
    for (Schema.Field f : writer.getFields()) {
      Schema.Field known = UsageEvent.getClassSchema().getField(f.name());
      if (known != null) {
        Object value = event.get(known.pos());
        record.put(f.name(), value instanceof java.time.Instant i ? i.toEpochMilli() : value);
      }
    }
    if (writer.getField("carbon_milligrams") != null) {
      record.put("carbon_milligrams", 4242L);
      GenericRecord routing = new GenericData.Record(ROUTING);
      routing.put("region", "eu-west-1");
      routing.put("attempts", 2);
      record.put("routing", routing);
    }
    if (writer.getField("cost_nanos").schema().getType() == Schema.Type.STRING) {
      record.put("cost_nanos", String.valueOf(event.getCostNanos()));
    }
    try {
      ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A store that knows exactly {@code schemas}. */
  static org.apache.avro.message.SchemaStore storeOf(Schema... schemas) {
    Map<Long, Schema> byFingerprint = new java.util.HashMap<>();
    for (Schema s : schemas) {
      byFingerprint.put(AvroSerde.fingerprint(s), s);
    }
    return byFingerprint::get;
  }
}
