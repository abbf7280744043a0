package io.tollgate.ingress.publish;

import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes usage events to {@code tollgate.usage.v1} through the durable {@link HandoffLog}: an
 * event is appended to the local log (its future completes once it is on disk, per the fsync
 * policy) and the {@link HandoffSender} sends it from there with an idempotent producer
 * ({@code acks=all}, lz4, keyed by event id); the log forgets it only once Kafka acknowledged.
 * Events a killed gateway had not handed over are resent at its next start; downstream
 * deduplicates by event id.
 *
 * <p>A record Kafka refuses for good ({@link #permanent}: too large, unserializable) is moved to
 * the {@link DeadLetterFile} with a metric and a log line: retrying it would stall every event
 * behind it, and it says nothing about Kafka's health.
 */
public final class KafkaUsagePublisher implements UsagePublisher {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaUsagePublisher.class);
  /** Kafka counts as unreachable once a record waits this long for its acknowledgement. */
  static final double STALE_SECONDS = 5;

  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerde<UsageEvent> serde = TollgateSerdes.usageEvent();
  private final String topic = Topics.USAGE.name();
  private final HandoffOptions options;
  private final HandoffLog log;
  private final HandoffSender sender;
  private final DeadLetterFile deadLetters;
  private final PublishMetrics metrics;

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
    this(bootstrapServers, spillDir, clientId, metrics, overrides, HandoffOptions.DEFAULTS);
  }

  /** Same, with the hand-off log's fsync policy and limits. */
  public KafkaUsagePublisher(String bootstrapServers, Path spillDir, String clientId, PublishMetrics metrics,
                             Map<String, ?> overrides, HandoffOptions options) {
    this.metrics = java.util.Objects.requireNonNull(metrics, "metrics");
    this.options = java.util.Objects.requireNonNull(options, "options");
    Map<String, Object> config = producerConfig(bootstrapServers, clientId, overrides, options); // refuses before the lock
    this.log = new HandoffLog(spillDir, options); // it refuses a directory another instance holds
    this.deadLetters = new DeadLetterFile(spillDir);
    try {
      this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    } catch (RuntimeException e) {
      log.close();
      throw e;
    }
    LOG.info("usage producer {} to {}, extra Kafka properties: {}", clientId, bootstrapServers,
        KafkaClientProperties.describe(overrides));
    this.sender = new HandoffSender(log, producer, topic, deadLetters, metrics, options.memoryBytes(), log.durableEnd());
    log.start(sender::offer);
    sender.start();
    if (log.recovered() > 0) {
      LOG.info("{} usage events left by an earlier run are resent from the hand-off log", log.recovered());
    }
    adoptLegacySpill(spillDir);
  }

  static Map<String, Object> producerConfig(String bootstrapServers, String clientId, Map<String, ?> overrides) {
    return producerConfig(bootstrapServers, clientId, overrides, HandoffOptions.DEFAULTS);
  }

  /**
   * The producer's configuration. The operator's properties win over the tuning defaults (linger,
   * batch, compression, timeouts, buffer, {@code client.id}); {@code acks=all} and idempotence are
   * what make the hand-off durable and duplicate-free, and the serializers are the producer's own,
   * so a different value for any of those is refused rather than silently replaced.
   */
  static Map<String, Object> producerConfig(String bootstrapServers, String clientId, Map<String, ?> overrides,
                                            HandoffOptions options) {
    Map<String, Object> defaults = new HashMap<>(Map.of(
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024,
        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
        ProducerConfig.CLIENT_ID_CONFIG, clientId));
    // Room for everything the sender may have in flight, so send() does not block on a full buffer.
    defaults.put(ProducerConfig.BUFFER_MEMORY_CONFIG, options.memoryBytes() + 16L * 1024 * 1024);
    return KafkaClientProperties.merge("the gateway's usage producer", defaults, overrides == null ? Map.of() : overrides,
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
  }

  /** What an earlier release left in {@code usage-spill.log}: moved into the log once, so an upgrade loses nothing. */
  private void adoptLegacySpill(Path dir) {
    for (String name : LegacySpill.FILES) {
      Path file = dir.resolve(name);
      try {
        List<byte[]> records = LegacySpill.read(file);
        List<CompletableFuture<Void>> appended = new ArrayList<>();
        for (byte[] bytes : records) {
          String key;
          try {
            key = serde.deserialize(topic, bytes).getEventId();
          } catch (RuntimeException e) {
            deadLetters.append(bytes);
            metrics.quarantined();
            continue;
          }
          appended.add(log.append(key, bytes));
        }
        CompletableFuture.allOf(appended.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        Files.deleteIfExists(file);
        if (!records.isEmpty()) {
          LOG.info("moved {} usage events from {} into the hand-off log", records.size(), name);
        }
      } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        LOG.error("cannot move {} into the hand-off log ({}); it stays and is retried at the next start", file, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Appends the event to the hand-off log; completes once it is durable (per the fsync policy). */
  @Override
  public CompletionStage<Void> publish(UsageEvent event) {
    byte[] bytes;
    try {
      bytes = serde.serialize(topic, event);
    } catch (RuntimeException e) {
      metrics.failed();
      LOG.error("usage event {} cannot be serialized ({}); not published", event.getEventId(), e.getClass().getSimpleName());
      return CompletableFuture.failedFuture(e);
    }
    return log.append(event.getEventId(), bytes).whenComplete((ok, error) -> {
      if (error != null) {
        metrics.failed();
      }
    });
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

  @Override
  public HandoffStatus status() {
    long backlogBytes = log.backlogBytes();
    double oldest = log.oldestUnackedSeconds();
    long now = System.nanoTime();
    long lastAck = sender.lastAckNanos();
    long lastError = sender.lastErrorNanos();
    boolean failing = lastError != 0 && lastError > lastAck && now - lastError < 30_000_000_000L;
    boolean kafkaUp = oldest < STALE_SECONDS && !failing;
    boolean overLimit = options.backlogLimitBytes() > 0 && backlogBytes > options.backlogLimitBytes();
    return new HandoffStatus(log.writable(), kafkaUp, log.backlogRecords(), backlogBytes, oldest,
        lastAck == 0 ? -1 : (now - lastAck) / 1e9, overLimit, options.fsync().wireName(), log.groups(), log.fsyncs(),
        log.preallocatedSegments());
  }

  /** Events kept in the dead-letter file (for metrics and tests). */
  public long quarantinedRecords() {
    return deadLetters.records();
  }

  /** Events Kafka has not acknowledged yet (for metrics and tests). */
  public long backlogRecords() {
    return log.backlogRecords();
  }

  /** fdatasync calls of the hand-off log so far (benchmarks). */
  public long fsyncs() {
    return log.fsyncs();
  }

  /**
   * Stops: writes what is queued, gives Kafka a few seconds for what is in flight, then closes;
   * whatever is not acknowledged by then stays in the log and is resent at the next start.
   */
  @Override
  public void close() {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while ((!sender.caughtUp() || sender.memoryBytes() > 0) && System.nanoTime() < deadline
        && sender.lastErrorNanos() <= sender.lastAckNanos()) {
      producer.flush(); // waits for what is in flight; the loop catches what the writer still had queued
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    sender.close();
    producer.close(java.time.Duration.ofSeconds(5));
    log.close(); // last: acknowledgements above still truncate it, and the directory stays locked until here
    deadLetters.close();
  }
}
