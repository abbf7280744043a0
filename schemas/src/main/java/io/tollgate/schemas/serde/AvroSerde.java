package io.tollgate.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a generated Avro record in single-object encoding ({@code C3 01}, 8-byte
 * CRC-64-AVRO fingerprint of the writer schema, binary body). Writes with the current schema;
 * reads bytes of every version in the record's {@link SchemaHistory}, filling defaults for fields
 * an older writer did not have. Given a {@link SchemaStore} (the schema topic), it also reads bytes
 * of writers newer than itself: the store supplies the writer schema, and Avro's schema resolution
 * reads it into this reader's schema (fields the reader does not know are skipped). Null stays null
 * (tombstones on compacted topics). Thread-safe: Kafka shares one instance across threads.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {
  private static final String TRUSTED_PACKAGE = "io.tollgate.schemas";

  private final String typeName;
  private final BinaryMessageEncoder<T> encoder;
  /** The same bytes as {@link #encoder}, faster; null when the schema has a type it does not cover. */
  private final CompiledWriter compiled;
  private final BinaryMessageDecoder<T> decoder;
  private final SchemaStore store;

  /** A serde for {@code type} that reads every version of the shipped schema history. */
  public AvroSerde(Class<T> type) {
    this(type, SchemaHistory.load(SpecificData.get().getSchema(type).getName()));
  }

  /** A serde for {@code type} that reads the given writer schemas (plus the current one). */
  public AvroSerde(Class<T> type, List<Schema> history) {
    this(type, history, null);
  }

  /**
   * A serde for {@code type} that reads its shipped history and, for any other fingerprint, the
   * writer schema {@code store} finds (newer writers).
   */
  public static <T extends SpecificRecord> AvroSerde<T> withStore(Class<T> type, SchemaStore store) {
    Objects.requireNonNull(store, "store");
    return new AvroSerde<>(type, SchemaHistory.load(SpecificData.get().getSchema(type).getName()), store);
  }

  private AvroSerde(Class<T> type, List<Schema> history, SchemaStore store) {
    Objects.requireNonNull(type, "type");
    trustTollgateRecords();
    SpecificData model = SpecificData.getForClass(type);
    Schema current = model.getSchema(type);
    this.typeName = current.getName();
    this.store = store;
    this.encoder = new BinaryMessageEncoder<>(model, current);
    this.compiled = CompiledWriter.of(current);
    this.decoder = store == null ? new BinaryMessageDecoder<>(model, current)
        : new BinaryMessageDecoder<>(model, current, new ReadableWriters(current, store));
    for (Schema writer : history) {
      decoder.addSchema(writer);
    }
  }

  @Override
  public byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    try {
      if (compiled != null) {
        return compiled.encode((org.apache.avro.generic.IndexedRecord) record);
      }
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException | AvroRuntimeException | NullPointerException | ClassCastException e) {
      // Avro reports a missing required field as an NPE deep in the writer: say which record.
      throw new org.apache.kafka.common.errors.SerializationException(
          "cannot encode " + typeName + " for topic " + topic + ": " + e, e);
    }
  }

  @Override
  public T deserialize(String topic, byte[] bytes) {
    return decode(topic, (int) EventDecodingException.UNKNOWN, EventDecodingException.UNKNOWN, bytes);
  }

  /**
   * Decodes bytes read from {@code topic}/{@code partition} at {@code offset} (use -1 when not
   * known); null bytes give null. Bad bytes give an {@link EventDecodingException} saying where.
   */
  public T decode(String topic, int partition, long offset, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    if (bytes.length < 10) {
      throw new EventDecodingException(typeName, topic, partition, offset, bytes.length,
          "too short for single-object encoding (10-byte header: C3 01 + schema fingerprint)", null);
    }
    try {
      return decoder.decode(bytes);
    } catch (BadHeaderException e) {
      throw new EventDecodingException(typeName, topic, partition, offset, bytes.length,
          String.format("not single-object encoded (header starts %02X %02X, expected C3 01)",
              bytes[0] & 0xff, bytes[1] & 0xff), e);
    } catch (MissingSchemaException e) {
      throw new EventDecodingException(typeName, topic, partition, offset, bytes.length,
          "unknown schema fingerprint 0x" + fingerprintHex(bytes) + (store == null
              ? ": written by a newer or foreign producer (or the schema history lacks that version)"
              : ": neither in the shipped schema history nor in the " + store
                  + " (a foreign producer, or a writer that did not publish its schema)"), e);
    } catch (ReadableWriters.UnreadableWriterException e) {
      throw new EventDecodingException(typeName, topic, partition, offset, bytes.length, e.getMessage(), e);
    } catch (SchemaStoreUnavailableException e) {
      throw e; // good bytes, perhaps: the caller retries instead of dead-lettering them
    } catch (EOFException e) {
      throw new EventDecodingException(typeName, topic, partition, offset, bytes.length,
          "body truncated", e);
    } catch (IOException | RuntimeException e) {
      throw new EventDecodingException(typeName, topic, partition, offset, bytes.length,
          "corrupt body: " + e, e);
    }
  }

  /**
   * Avro 1.12 refuses to instantiate record classes it was not told to trust (a guard against
   * gadget classes named in foreign schemas). Trust exactly our generated package, once, on top of
   * whatever else the process already trusts.
   */
  private static void trustTollgateRecords() {
    synchronized (ClassSecurityValidator.class) {
      ClassSecurityValidator.ClassSecurityPredicate global = ClassSecurityValidator.getGlobal();
      if (!global.isTrusted(io.tollgate.schemas.UsageEvent.class)) {
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(global,
            c -> c.getPackageName().equals(TRUSTED_PACKAGE)));
      }
    }
  }

  /** The little-endian fingerprint of a single-object header, as printed in error messages. */
  static String fingerprintHex(byte[] bytes) {
    StringBuilder hex = new StringBuilder(16);
    for (int i = 9; i >= 2; i--) {
      hex.append(String.format("%02x", bytes[i] & 0xff));
    }
    return hex.toString();
  }

  /** CRC-64-AVRO fingerprint of a schema, as it appears in the header. */
  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(java.util.Map<String, ?> configs, boolean isKey) {
    // nothing to configure: the schema history ships in the jar, the store is given at construction
  }

  @Override
  public void close() {
    // nothing held
  }
}
