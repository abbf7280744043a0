package io.tollgate.schemas.serde;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The record format of the schema topic ({@code tollgate.schemas.v1}) and its writer side. Key =
 * {@code <full name>:<fingerprint as 16 hex digits>}, value = the schema's JSON. The key is derived
 * from the value, so publishing again (every app start) writes the same record and compaction keeps
 * one; a reader checks that the two agree before trusting a value.
 */
public final class SchemaTopic {
  private SchemaTopic() {
  }

  /** The key under which {@code schema} is published. */
  public static String key(Schema schema) {
    return schema.getFullName() + ":" + hex(AvroSerde.fingerprint(schema));
  }

  /** A fingerprint as written in keys and error messages (most significant digit first). */
  public static String hex(long fingerprint) {
    return String.format("%016x", fingerprint);
  }

  /**
   * The schemas a writer of the records {@code current} publishes: each current schema and its shipped
   * history, so the topic carries every version even after compaction or a lost topic.
   */
  public static List<Schema> schemasOf(List<Schema> current) {
    Map<String, Schema> out = new LinkedHashMap<>();
    for (Schema schema : current) {
      for (Schema old : SchemaHistory.load(schema.getName())) {
        out.putIfAbsent(key(old), old);
      }
      out.putIfAbsent(key(schema), schema);
    }
    return List.copyOf(out.values());
  }

  /**
   * Publishes {@code schemas} to {@code topic} and waits until the broker acknowledged every one:
   * a writer must not write a record with a schema before the schema is readable, or a reader
   * catching up could miss it. Fails with {@link IllegalStateException} saying why.
   */
  public static void publish(Producer<String, String> producer, String topic, Collection<Schema> schemas,
                             Duration timeout) {
    Objects.requireNonNull(producer, "producer");
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (Schema schema : schemas) {
      sent.add(producer.send(new ProducerRecord<>(topic, key(schema), schema.toString())));
    }
    producer.flush();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (Future<RecordMetadata> f : sent) {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot publish schemas to " + topic + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not acknowledge the schemas on " + topic + " within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing schemas to " + topic, e);
    }
  }
}
