package io.tollgate.ingress.publish;

import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes usage events to {@code tollgate.usage.v1}: idempotent producer, {@code acks=all},
 * batched and lz4-compressed, keyed by event id. Sends run on a dedicated thread, so the event
 * loop never waits for Kafka. When Kafka fails or is unreachable, events go to the {@link SpillLog}
 * (fsync'd every 100 ms) and a background task replays them in order once Kafka answers again.
 * Replays after a crash may repeat an event; downstream deduplicates by event id.
 *
 * <p>A record Kafka refuses for good ({@link #permanent}: too large, unserializable) is moved to
 * the {@link DeadLetterFile} with a metric and a log line, on the live path and in replay alike:
 * retrying it would stall every event behind it, and it says nothing about Kafka's health, so it
 * does not make the gateway unready.
 */
public final class KafkaUsagePublisher implements UsagePublisher {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaUsagePublisher.class);
  /** After a failure, skip Kafka for this long and spill directly (no per-event waiting). */
  private static final long BACKOFF_MS = 2_000;

  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerde<UsageEvent> serde = TollgateSerdes.usageEvent();
  private final SpillLog spill;
  private final DeadLetterFile deadLetters;
  private final PublishMetrics metrics;
  private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> daemon(r, "usage-publisher"));
  private final ScheduledExecutorService maintenance =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "usage-spill"));
  private final AtomicLong lastFailureMs = new AtomicLong(0);
  private final String topic = Topics.USAGE.name();

  /**
   * @param clientId the producer's {@code client.id}; one per instance, so broker logs, quotas and
   *                 JMX metrics can tell the gateways apart
   */
  public KafkaUsagePublisher(String bootstrapServers, Path spillDir, String clientId, PublishMetrics metrics) {
    this(bootstrapServers, spillDir, clientId, metrics, Map.of());
  }

  /**
   * @param overrides extra producer properties ({@code tollgate.kafka.properties}: SSL, SASL,
   *                  tuning; tests that need a tiny {@code max.request.size}), applied over the
   *                  defaults; see {@link #producerConfig}
   * @throws IllegalArgumentException when {@code overrides} change what the producer owns
   */
  public KafkaUsagePublisher(String bootstrapServers, Path spillDir, String clientId, PublishMetrics metrics,
                             Map<String, ?> overrides) {
    this.metrics = metrics;
    Map<String, Object> config = producerConfig(bootstrapServers, clientId, overrides); // refuses before the lock
    this.spill = new SpillLog(spillDir);
    this.deadLetters = new DeadLetterFile(spillDir);
    try {
      this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    } catch (RuntimeException e) {
      spill.close(); // releases the directory lock
      sender.shutdown();
      maintenance.shutdown();
      throw e;
    }
    LOG.info("usage producer {} to {}, extra Kafka properties: {}", clientId, bootstrapServers,
        KafkaClientProperties.describe(overrides));
    maintenance.scheduleWithFixedDelay(this::syncAndReplay, 100, 100, TimeUnit.MILLISECONDS);
  }

  /**
   * The producer's configuration. The operator's properties win over the tuning defaults (linger,
   * batch, compression, timeouts, {@code client.id}); {@code acks=all} and idempotence are what
   * make the hand-off durable and duplicate-free, and the serializers are the producer's own, so a
   * different value for any of those is refused rather than silently replaced.
   */
  static Map<String, Object> producerConfig(String bootstrapServers, String clientId, Map<String, ?> overrides) {
    return KafkaClientProperties.merge("the gateway's usage producer", Map.of(
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024,
        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
        ProducerConfig.CLIENT_ID_CONFIG, clientId), overrides, Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void publish(UsageEvent event) {
    byte[] bytes;
    try {
      bytes = serde.serialize(topic, event);
    } catch (RuntimeException e) {
      metrics.failed();
      LOG.error("usage event {} cannot be serialized ({}); not published", event.getEventId(), e.getClass().getSimpleName());
      return;
    }
    sender.execute(() -> send(event.getEventId(), bytes));
  }

  /** Errors that no retry can fix for this record (and that say nothing about Kafka's health). */
  static boolean permanent(Throwable error) {
    Throwable e = error instanceof java.util.concurrent.ExecutionException && error.getCause() != null
        ? error.getCause() : error;
    return e instanceof org.apache.kafka.common.errors.RecordTooLargeException
        || e instanceof org.apache.kafka.common.errors.RecordBatchTooLargeException
        || e instanceof org.apache.kafka.common.errors.SerializationException
        || e instanceof org.apache.kafka.common.InvalidRecordException;
  }

  private void quarantine(String key, byte[] bytes, Throwable error) {
    try {
      deadLetters.append(bytes);
      metrics.quarantined();
      LOG.error("usage event {} ({} bytes) is refused by Kafka for good ({}); kept in {} instead of retried",
          key, bytes.length, error.getClass().getSimpleName(), DeadLetterFile.NAME);
    } catch (RuntimeException e) {
      metrics.failed();
      LOG.error("usage event {} refused by Kafka and the dead-letter file failed too ({})", key, e.toString());
    }
  }

  private void send(String key, byte[] bytes) {
    if (kafkaDown() || !spill.isEmpty()) {
      // Keep order: while older events wait in the spill, newer ones queue behind them.
      spillOne(bytes);
      return;
    }
    try {
      producer.send(new ProducerRecord<>(topic, key, bytes), (meta, error) -> {
        if (error == null) {
          metrics.published();
        } else if (permanent(error)) {
          quarantine(key, bytes, error);
        } else {
          lastFailureMs.set(System.currentTimeMillis());
          LOG.warn("publishing usage event failed ({}); spilling", error.toString());
          spillOne(bytes);
        }
      });
    } catch (RuntimeException e) {
      if (permanent(e)) {
        quarantine(key, bytes, e);
        return;
      }
      lastFailureMs.set(System.currentTimeMillis());
      LOG.warn("Kafka unavailable ({}); spilling usage events", e.toString());
      spillOne(bytes);
    }
  }

  private void spillOne(byte[] bytes) {
    spill.append(bytes);
    metrics.spilled();
  }

  private boolean kafkaDown() {
    return System.currentTimeMillis() - lastFailureMs.get() < BACKOFF_MS;
  }

  private void syncAndReplay() {
    try {
      spill.sync();
      if (kafkaDown()) {
        return;
      }
      long replayed = spill.drain(this::replay);
      if (replayed > 0) {
        LOG.info("replayed {} spilled usage events to Kafka", replayed);
      }
    } catch (Exception e) {
      lastFailureMs.set(System.currentTimeMillis());
      metrics.failed();
      LOG.warn("replaying spilled usage events failed ({}); will retry", e.toString());
    }
  }

  private void replay(List<byte[]> records) throws Exception {
    for (byte[] bytes : records) {
      String key;
      try {
        key = serde.deserialize(topic, bytes).getEventId();
      } catch (RuntimeException e) {
        quarantine("(undecodable)", bytes, e);
        continue;
      }
      try {
        producer.send(new ProducerRecord<>(topic, key, bytes)).get(20, TimeUnit.SECONDS);
        metrics.replayed();
      } catch (java.util.concurrent.ExecutionException e) {
        if (!permanent(e)) {
          throw e; // Kafka trouble: the whole batch stays and is retried (downstream dedupes)
        }
        quarantine(key, bytes, e.getCause());
      }
    }
  }

  /** Events kept in the dead-letter file (for metrics and tests). */
  public long quarantinedRecords() {
    return deadLetters.records();
  }

  @Override
  public boolean healthy() {
    return !kafkaDown();
  }

  /** Events waiting in the spill log (for metrics and tests). */
  public long spilledPending() {
    return spill.pendingRecords();
  }

  @Override
  public void close() {
    sender.shutdown();
    try {
      if (!sender.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("usage publisher did not drain its queue in 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    maintenance.shutdown();
    try {
      maintenance.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Whatever Kafka cannot take now fails its callback and lands in the spill log.
    producer.flush();
    producer.close(java.time.Duration.ofSeconds(20));
    spill.close();
    deadLetters.close();
  }
}
