package io.tollgate.aggregator.sink;

import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseException;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.metrics.Prometheus;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.EventDecodingException;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.StreamsDefaults;
import io.tollgate.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the usage log and the window totals to ClickHouse: a {@code read_committed} consumer
 * collects up to {@code batchRows} rows or {@code flushInterval}, inserts each table in one
 * streaming insert, and commits offsets only after every insert succeeded. While ClickHouse is
 * down it pauses the partitions and retries the same batch with capped backoff — it never skips
 * and never commits unwritten rows. Replays are harmless: the tables are ReplacingMergeTrees keyed
 * by event id and by window (newest version wins). Rows that can never be written — refused for
 * good by ClickHouse ({@link TableInserts} finds them), a window size without a table, a window
 * record that does not decode — go to {@link DeadLetters} (counted per table and reason) before the
 * offsets are committed, so neither is the sink stalled by them nor are they lost. Undecodable
 * usage records are logged and skipped here; the aggregator already sent them to its dead-letter topic.
 */
public final class ClickHouseSink implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseSink.class);
  /**
   * {@link StreamsDefaults#MAX_POLL_INTERVAL_MS}: a batch is at most 20,000 rows or 500 ms and its
   * inserts take well under a few seconds; while ClickHouse is down the retry loop keeps polling
   * (paused), at most 10 s apart.
   */
  public static final int MAX_POLL_INTERVAL_MS = StreamsDefaults.MAX_POLL_INTERVAL_MS;

  private final SinkWriter writer;
  private final DeadLetters deadLetters;
  private final AutoCloseable ownedDeadLetters;
  private final SinkMetrics metrics;
  private final Consumer<String, byte[]> consumer;
  private final int batchRows;
  private final Duration flushInterval;
  private final SinkBatch batch;
  private final Map<TopicPartition, OffsetAndMetadata> pending = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private long lastIdleCommit = System.nanoTime();
  private volatile boolean running = true;
  private volatile double lag;
  private volatile boolean failed;
  private boolean flushing;
  private long batchStarted = System.nanoTime();

  /**
   * @param consumerOverrides extra consumer properties (SSL, SASL, {@code session.timeout.ms}, …),
   *                          applied over the defaults; see {@link #consumerConfig}
   * @throws IllegalArgumentException when they change what the sink owns
   */
  public ClickHouseSink(String bootstrapServers, String groupId, ClickHouseClient clickhouse, int batchRows,
                        Duration flushInterval, Map<String, ?> consumerOverrides, SinkMetrics metrics) {
    this(bootstrapServers, groupId, clickhouse, batchRows, flushInterval, consumerOverrides, metrics,
        TollgateSerdes.usageEvent(), TollgateSerdes.spendWindow());
  }

  /**
   * Same, decoding with the given serdes (the app's read newer writers through the schema topic; if
   * that cannot be read, the sink stops without committing, and its restart reads the records again).
   * Dead letters go to {@code tollgate.sink.dlq.v1} ({@link KafkaDeadLetters}).
   */
  public ClickHouseSink(String bootstrapServers, String groupId, ClickHouseClient clickhouse, int batchRows,
                        Duration flushInterval, Map<String, ?> consumerOverrides, SinkMetrics metrics,
                        AvroSerde<UsageEvent> usageSerde, AvroSerde<SpendWindow> windowSerde) {
    this(new KafkaConsumer<>(consumerConfig(bootstrapServers, groupId, consumerOverrides), new StringDeserializer(),
            new ByteArrayDeserializer()), SinkWriter.clickHouse(clickhouse),
        new KafkaDeadLetters(bootstrapServers, groupId + "-dead-letters", consumerOverrides), true, batchRows,
        flushInterval, metrics, usageSerde, windowSerde);
  }

  /**
   * The sink over given clients (tests: Kafka's {@code MockConsumer}, a writer that refuses rows).
   *
   * @param ownsDeadLetters close {@code deadLetters} when the sink stops (it must then be {@link AutoCloseable})
   */
  ClickHouseSink(Consumer<String, byte[]> consumer, SinkWriter writer, DeadLetters deadLetters, boolean ownsDeadLetters,
                 int batchRows, Duration flushInterval, SinkMetrics metrics, AvroSerde<UsageEvent> usageSerde,
                 AvroSerde<SpendWindow> windowSerde) {
    if (batchRows < 1 || flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("batch rows and flush interval must be positive");
    }
    this.consumer = Objects.requireNonNull(consumer, "consumer");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.ownedDeadLetters = ownsDeadLetters && deadLetters instanceof AutoCloseable c ? c : null;
    this.batch = new SinkBatch(usageSerde, windowSerde);
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.batchRows = batchRows;
    this.flushInterval = flushInterval;
  }

  /**
   * The consumer's configuration: the overrides win over the tuning defaults (poll size, poll
   * interval, session timeout, heartbeat); reading only committed records, committing by hand after the insert, the
   * group and starting from the earliest offset of a new group (else rows written before the first
   * start would never reach ClickHouse) are the sink's, and another value for them is refused.
   */
  public static Map<String, Object> consumerConfig(String bootstrapServers, String groupId, Map<String, ?> overrides) {
    return KafkaClientProperties.merge("the ClickHouse sink's consumer", Map.of(
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000,
        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, MAX_POLL_INTERVAL_MS,
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, StreamsDefaults.SESSION_TIMEOUT_MS,
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, StreamsDefaults.HEARTBEAT_INTERVAL_MS), overrides, Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.GROUP_ID_CONFIG, groupId,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
  }

  @Override
  public void run() {
    consumer.subscribe(List.of(Topics.USAGE.name(), Topics.SPEND_WINDOWS.name()), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        flushWithRetry(); // hand over only what is written
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        // resume from committed offsets
      }
    });
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          add(r);
        }
        updateLag();
        commitMarkersWhenIdle();
        if (rows() >= batchRows || (rows() > 0 && System.nanoTime() - batchStarted >= flushInterval.toNanos())) {
          flushWithRetry();
        }
      }
      flushWithRetry();
    } catch (WakeupException e) {
      if (running) {
        failed = true;
        throw e;
      }
    } catch (RuntimeException e) {
      failed = true;
      LOG.error("ClickHouse sink stopped: spend stops reaching ClickHouse until the aggregator restarts", e);
    } finally {
      // Nothing to commit here (offsets are committed after each insert), so do not wait long.
      consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
      if (ownedDeadLetters != null) {
        try {
          ownedDeadLetters.close();
        } catch (Exception e) {
          LOG.warn("closing the dead-letter producer: {}", e.toString());
        }
      }
    }
  }

  private void add(ConsumerRecord<String, byte[]> r) {
    if (rows() == 0) {
      batchStarted = System.nanoTime();
    }
    pending.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
    if (r.value() == null) {
      return;
    }
    batch.add(r);
  }

  private int rows() {
    return batch.rows();
  }

  /** Inserts the batch, retrying while ClickHouse is unavailable, then commits. */
  private void flushWithRetry() {
    if (pending.isEmpty() || flushing) {
      return;
    }
    flushing = true;
    try {
      retryUntilWritten();
    } finally {
      flushing = false;
    }
  }

  private void retryUntilWritten() {
    long backoffMs = 200;
    while (true) {
      try {
        batch.write(writer, deadLetters, metrics);
        commitWritten();
        pending.clear();
        batch.clear();
        consumer.resume(consumer.paused());
        return;
      } catch (ClickHouseException | TableInserts.TableRefused | SinkBatch.DeadLettersUnavailable e) {
        if (!running) {
          LOG.warn("stopping with an unwritten batch; it will be read again: {}", e.getMessage());
          return;
        }
        LOG.warn("batch not written, retrying in {} ms: {}", backoffMs, e.getMessage());
        consumer.pause(consumer.assignment());
        // Stay in the group while paused; anything a fresh assignment delivers joins the batch.
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(backoffMs))) {
          add(r);
        }
        updateLag(); // the lag grows while ClickHouse is away: that is what the metric is for
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
    }
  }

  /**
   * Commits the offsets of the rows just written. If that fails (a rebalance took partitions away
   * while ClickHouse was down, or Kafka timed out), the rows stay written and whoever owns those
   * partitions next reads them again: harmless, the tables collapse replayed rows.
   */
  private void commitWritten() {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = positions();
      consumer.commitSync(offsets);
      offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
    } catch (WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      LOG.warn("offsets of {} written rows not committed ({}); they will be read and written again", rows(),
          e.toString());
    }
  }

  /**
   * The consumer's position rather than the last record + 1: spend-windows is written in
   * transactions, and the commit marker after a transaction's last record would otherwise stay
   * uncommitted, a lag of one per partition that never goes away (and never looks caught up).
   * Every record before the position is in this batch: nothing is polled without being added.
   */
  private Map<TopicPartition, OffsetAndMetadata> positions() {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>(pending);
    for (TopicPartition tp : pending.keySet()) {
      if (consumer.assignment().contains(tp)) {
        out.put(tp, new OffsetAndMetadata(Math.max(pending.get(tp).offset(), consumer.position(tp))));
      }
    }
    return out;
  }

  /**
   * With nothing buffered, a position that moved past the last commit only skipped commit markers
   * (no records arrived): commit it too, at most once a second, so a caught-up sink shows lag 0.
   */
  private void commitMarkersWhenIdle() {
    if (rows() > 0 || !pending.isEmpty() || System.nanoTime() - lastIdleCommit < 1_000_000_000L) {
      return;
    }
    lastIdleCommit = System.nanoTime();
    Map<TopicPartition, OffsetAndMetadata> moved = new HashMap<>();
    for (TopicPartition tp : consumer.assignment()) {
      long position = consumer.position(tp);
      if (position > committed.getOrDefault(tp, -1L)) {
        moved.put(tp, new OffsetAndMetadata(position));
      }
    }
    if (moved.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(moved);
      moved.forEach((tp, o) -> committed.put(tp, o.offset()));
    } catch (WakeupException e) {
      throw e;
    } catch (KafkaException e) {
      LOG.debug("positions past commit markers not committed yet: {}", e.toString());
    }
  }

  /** False once the sink stopped on an error it cannot handle (the process should be restarted). */
  public boolean healthy() {
    return !failed;
  }

  /** Records behind the end of the input topics, as of the last poll (the consumer is not thread-safe). */
  public double lag() {
    return lag;
  }

  private void updateLag() {
    lag = Prometheus.assignedLag(consumer);
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
  }
}
