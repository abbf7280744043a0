package io.tollgate.ingress.budget;

import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code tollgate.spend-totals.v1} whole from the beginning and follows it on one thread,
 * into {@link SpendTotals}; no consumer group (every gateway reads every partition, nothing to
 * commit). Marks the view caught up each time its position reaches the partitions' end offsets —
 * the staleness metric is the time since. Also runs the ledger's sweep about once a second.
 * Undecodable records are skipped and counted, never fatal.
 */
public final class TotalsFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TotalsFollower.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long END_CHECK_MS = 250;
  private static final long SWEEP_MS = 1_000;
  private static final long WARN_EVERY_MS = 60_000;

  private final KafkaConsumer<String, byte[]> consumer;
  private final SpendTotals totals;
  private final BudgetLedger ledger;
  private final Clock clock;
  private final AvroSerde<SpendTotal> serde = TollgateSerdes.spendTotal();
  private final Thread thread;
  private final CountDownLatch firstCaughtUp = new CountDownLatch(1);
  private final AtomicLong undecodable = new AtomicLong();
  private volatile boolean running = true;

  public TotalsFollower(String bootstrapServers, Map<String, String> kafkaProperties, String clientId,
                        SpendTotals totals, BudgetLedger ledger, Clock clock) {
    this.totals = Objects.requireNonNull(totals, "totals");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.clock = Objects.requireNonNull(clock, "clock");
    Map<String, Object> config = KafkaClientProperties.merge("the gateway's spend-totals consumer",
        Map.of(ConsumerConfig.CLIENT_ID_CONFIG, clientId, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000,
            ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000),
        KafkaClientProperties.known(kafkaProperties == null ? Map.of() : kafkaProperties, ConsumerConfig.configNames()),
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
    this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "tollgate-budget-totals");
    thread.setDaemon(true);
  }

  public TotalsFollower start() {
    thread.start();
    return this;
  }

  /** Waits until the topic was read to its end once; false when that did not happen within {@code timeout}. */
  public boolean awaitCaughtUp(Duration timeout) {
    try {
      return firstCaughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Records of the topic that could not be decoded (skipped). */
  public long undecodable() {
    return undecodable.get();
  }

  private void run() {
    long lastEndCheck = 0;
    long lastSweep = System.currentTimeMillis();
    List<TopicPartition> partitions = List.of();
    long lastWarn = 0;
    while (running) {
      try {
        long t = System.currentTimeMillis();
        if (t - lastSweep >= SWEEP_MS) {
          lastSweep = t;
          ledger.sweep();
        }
        if (partitions.isEmpty()) {
          partitions = assign();
          if (partitions.isEmpty()) {
            sleepQuietly(500); // the topic does not exist yet; the aggregator creates it
            continue;
          }
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          apply(r);
        }
        long now = System.currentTimeMillis();
        if (now - lastEndCheck >= END_CHECK_MS) {
          lastEndCheck = now;
          if (atEnd(partitions)) {
            totals.caughtUp(clock.instant());
            firstCaughtUp.countDown();
          }
        }
      } catch (WakeupException e) {
        // closing
      } catch (RuntimeException e) {
        if (running) {
          long t = System.currentTimeMillis();
          if (t - lastWarn > WARN_EVERY_MS) { // once a minute while Kafka stays away, not every retry
            lastWarn = t;
            LOG.warn("following {} failed, retrying (budgets use the last totals meanwhile): {}",
                Topics.SPEND_TOTALS.name(), e.toString());
          }
          sleepQuietly(1_000);
        }
      }
    }
    consumer.close(Duration.ofSeconds(2));
  }

  private List<TopicPartition> assign() {
    List<PartitionInfo> infos = consumer.partitionsFor(Topics.SPEND_TOTALS.name(), Duration.ofSeconds(5));
    if (infos == null || infos.isEmpty()) {
      return List.of();
    }
    List<TopicPartition> parts = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    return parts;
  }

  private boolean atEnd(List<TopicPartition> partitions) {
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(2));
    for (TopicPartition p : partitions) {
      if (consumer.position(p, Duration.ofSeconds(2)) < ends.getOrDefault(p, 0L)) {
        return false;
      }
    }
    return true;
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    SpendTotal value;
    try {
      value = serde.decode(r.topic(), r.partition(), r.offset(), r.value());
    } catch (RuntimeException e) {
      if (undecodable.incrementAndGet() <= 10) {
        LOG.warn("skipping an undecodable spend total: {}", e.getMessage());
      }
      return;
    }
    totals.apply(r.key(), value, clock.instant());
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
