package io.tollgate.schemas.serde;

import io.tollgate.schemas.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.SchemaStore;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reader side of the schema topic: every schema published there, by fingerprint, for an
 * {@link AvroSerde} that meets a fingerprint its shipped history lacks (a newer writer). A miss
 * reads the topic on to its current end before answering "unknown" — writers publish a schema and
 * wait for the acknowledgement before writing with it, so a schema not there by then was never
 * published. A fingerprint found unknown stays unknown for {@code missTtl} without asking Kafka
 * again, so a flood of foreign records cannot turn into a flood of reads.
 *
 * <p>When the topic cannot be read to its end within {@code readTimeout}, lookups throw
 * {@link SchemaStoreUnavailableException} rather than answer "unknown": the record is then retried,
 * not dead-lettered. Thread-safe: lookups of known fingerprints take no lock; reads of the topic are
 * serialised on the one consumer.
 */
public final class SchemaTopicStore implements SchemaStore, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaTopicStore.class);
  /** Bound on remembered misses: random fingerprints must not grow the heap without limit. */
  private static final int MAX_MISSES = 10_000;

  private final Consumer<String, String> consumer;
  private final String topic;
  private final Clock clock;
  private final Duration readTimeout;
  private final Duration missTtl;
  private final Map<Long, Schema> known = new ConcurrentHashMap<>();
  private final Map<Long, Instant> missUntil = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private int reads;

  /**
   * @param consumer    a consumer used only by this store (assigned, never subscribed; no group)
   * @param topic       the schema topic
   * @param readTimeout how long one read of the topic to its end may take
   * @param missTtl     how long an unknown fingerprint is answered "unknown" without reading again
   */
  public SchemaTopicStore(Consumer<String, String> consumer, String topic, Clock clock, Duration readTimeout,
                          Duration missTtl) {
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
    this.missTtl = Objects.requireNonNull(missTtl, "missTtl");
  }

  /** Same as {@link #connect(String, String, Map)} without extra client properties. */
  public static SchemaTopicStore connect(String bootstrapServers, String clientId) {
    return connect(bootstrapServers, clientId, Map.of());
  }

  /**
   * A store over {@code tollgate.schemas.v1} with its own consumer: reads of at most 5 s (inside the
   * 10 s transaction timeout of a Streams thread that waits for one), misses kept 30 s.
   *
   * @param clientProperties the app's extra Kafka client properties (SSL, SASL, …); its own settings win
   */
  public static SchemaTopicStore connect(String bootstrapServers, String clientId, Map<String, ?> clientProperties) {
    Map<String, Object> config = new HashMap<>(clientProperties);
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new SchemaTopicStore(new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer()),
        Topics.SCHEMAS.name(), Clock.systemUTC(), Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  /**
   * Reads the topic to its end now (at start, so the first record of a newer writer does not wait);
   * false, with a warning, when Kafka could not be read — lookups will try again.
   */
  public boolean loadAtStart() {
    try {
      synchronized (lock) {
        readToEnd();
      }
      LOG.info("{} schemas known from {}", known.size(), topic);
      return true;
    } catch (SchemaStoreUnavailableException e) {
      LOG.warn("{}; reading it again when a record needs it", e.getMessage());
      return false;
    }
  }

  @Override
  public Schema findByFingerprint(long fingerprint) {
    Schema schema = known.get(fingerprint);
    if (schema != null) {
      return schema;
    }
    Instant until = missUntil.get(fingerprint);
    if (until != null && clock.instant().isBefore(until)) {
      return null;
    }
    synchronized (lock) {
      schema = known.get(fingerprint);
      if (schema == null) {
        // Another thread may have read the topic while this one waited: that read may predate the
        // writer's schema, so read again (cheap when already at the end: one offsets request).
        readToEnd();
        schema = known.get(fingerprint);
      }
      if (schema == null) {
        if (missUntil.size() >= MAX_MISSES) {
          missUntil.clear();
        }
        missUntil.put(fingerprint, clock.instant().plus(missTtl));
      } else {
        missUntil.remove(fingerprint);
      }
      return schema;
    }
  }

  /** Fingerprints known so far. */
  public Set<Long> fingerprints() {
    return Set.copyOf(known.keySet());
  }

  /** How many times the topic was read to its end (for tests of the miss cache). */
  public int reads() {
    synchronized (lock) {
      return reads;
    }
  }

  private void readToEnd() {
    reads++;
    long deadline = System.nanoTime() + readTimeout.toNanos();
    try {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, readTimeout);
      if (partitions == null || partitions.isEmpty()) {
        return; // no topic: nothing was ever published
      }
      Set<TopicPartition> all = partitions.stream().map(p -> new TopicPartition(topic, p.partition()))
          .collect(Collectors.toSet());
      if (!consumer.assignment().equals(all)) {
        Set<TopicPartition> added = all.stream().filter(tp -> !consumer.assignment().contains(tp))
            .collect(Collectors.toSet());
        consumer.assign(all);
        consumer.seekToBeginning(added);
      }
      Map<TopicPartition, Long> end = consumer.endOffsets(all, remaining(deadline));
      while (behind(end, deadline)) {
        for (ConsumerRecord<String, String> r : consumer.poll(remaining(deadline).compareTo(Duration.ofMillis(200)) < 0
            ? remaining(deadline) : Duration.ofMillis(200))) {
          add(r);
        }
      }
    } catch (SchemaStoreUnavailableException | InterruptException | WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      throw new SchemaStoreUnavailableException("schema topic " + topic + " cannot be read: " + e, e);
    }
  }

  private boolean behind(Map<TopicPartition, Long> end, long deadline) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey(), remaining(deadline)) < e.getValue()) {
        if (System.nanoTime() >= deadline) {
          throw new SchemaStoreUnavailableException("schema topic " + topic + " not read to its end within "
              + readTimeout + " (" + e.getKey() + " at " + consumer.position(e.getKey()) + " of " + e.getValue() + ")",
              null);
        }
        return true;
      }
    }
    return false;
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
  }

  /** Takes a record only when its key names its value: anything else on the topic is ignored. */
  private void add(ConsumerRecord<String, String> r) {
    if (r.value() == null) {
      return; // schemas are never deleted; a tombstone changes nothing a reader already knows
    }
    try {
      Schema schema = new Schema.Parser().parse(r.value());
      if (!SchemaTopic.key(schema).equals(r.key())) {
        LOG.warn("ignoring {} at {}-{}@{}: the key does not name the schema it holds ({})", r.key(), r.topic(),
            r.partition(), r.offset(), SchemaTopic.key(schema));
        return;
      }
      known.putIfAbsent(AvroSerde.fingerprint(schema), schema);
    } catch (AvroRuntimeException e) {
      LOG.warn("ignoring {} at {}-{}@{}: not a schema ({})", r.key(), r.topic(), r.partition(), r.offset(),
          e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "schema topic " + topic;
  }

  @Override
  public void close() {
    synchronized (lock) {
      consumer.close();
    }
  }
}
