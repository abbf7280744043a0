package io.tollgate.aggregator.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.metrics.MetricsRegistry;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sink over Kafka's MockConsumer and a writer that can refuse rows: batch size and flush
 * interval are the configured ones, rows that can never be written are dead-lettered (and
 * counted) instead of stalling or stopping the sink, and nothing is committed before it is
 * written or dead-lettered.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClickHouseSinkTest {
  private static final TopicPartition USAGE = new TopicPartition(Topics.USAGE.name(), 0);
  private static final TopicPartition WINDOWS = new TopicPartition(Topics.SPEND_WINDOWS.name(), 0);
  private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

  private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
  private final PrometheusRegistry registry = new PrometheusRegistry();
  /** table → sizes of the inserts that succeeded (empty probes included). */
  private final List<String> inserts = new CopyOnWriteArrayList<>();
  private final List<DeadLetters.DeadLetter> dead = new CopyOnWriteArrayList<>();
  private final AtomicInteger deadLetterFailures = new AtomicInteger();
  private ClickHouseSink sink;
  private Thread thread;
  private long offset;
  private long windowOffset;

  /** Refuses usage rows with negative input tokens, like ClickHouse's UInt64 column. */
  private final SinkWriter writer = new SinkWriter() {
    @Override
    public void insertUsage(List<UsageEvent> rows) {
      if (rows.stream().anyMatch(e -> e.getInputTokens() < 0)) {
        throw new IllegalArgumentException("UInt64 column given a negative value");
      }
      inserts.add("usage_events:" + rows.size());
    }

    @Override
    public void insertWindows(String table, List<SpendWindow> rows) {
      inserts.add(table + ":" + rows.size());
    }
  };

  private final List<Long> committedWhileFailing = new CopyOnWriteArrayList<>();
  private final DeadLetters deadLetters = letters -> {
    if (deadLetterFailures.getAndDecrement() > 0) {
      committedWhileFailing.add(committed(USAGE));
      throw new org.apache.kafka.common.KafkaException("broker away");
    }
    dead.addAll(letters);
  };

  private void start(int batchRows, Duration flushInterval) {
    sink = new ClickHouseSink(consumer, writer, deadLetters, false, batchRows, flushInterval,
        new SinkMetrics(registry), TollgateSerdes.usageEvent(), TollgateSerdes.spendWindow());
    consumer.updateBeginningOffsets(Map.of(USAGE, 0L, WINDOWS, 0L));
    consumer.schedulePollTask(() -> consumer.rebalance(List.of(USAGE, WINDOWS)));
    thread = new Thread(sink, "sink-under-test");
    thread.start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (sink != null) {
      sink.close();
      thread.join(10_000);
    }
  }

  private static UsageEvent usage(long inputTokens) {
    return UsageEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setTs(T).setDurationMs(5).setTtftMs(null)
        .setGatewayId("gw").setKeyHash(null).setKeyAlias(null).setCustomerId("c").setCustomerSource("header_customer_id")
        .setTool("curl").setToolVersion(null).setUserAgent(null).setSessionId(null).setProvider("anthropic")
        .setApi("messages").setModelRequested("m").setModel(null).setStatusCode(200).setErrorType(null)
        .setInputTokens(inputTokens).setOutputTokens(1).setCostNanos(10).setPriceKnown(true).setUpstreamRequestId(null)
        .build();
  }

  private static SpendWindow window(String size) {
    return SpendWindow.newBuilder().setWindowSize(size).setWindowStart(T).setWindowEnd(T.plusSeconds(60))
        .setCustomerId("c").setModel("m").setTool("curl").setRequests(1).setErrors(0).setAborted(0).setInputTokens(1)
        .setOutputTokens(1).setCacheReadTokens(0).setCacheWrite5mTokens(0).setCacheWrite1hTokens(0)
        .setReasoningTokens(0).setCostNanos(10).setUnknownPriceRequests(0).setVersion(1).setUpdatedAt(T).build();
  }

  private void send(UsageEvent... events) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    for (UsageEvent e : events) {
      records.add(new ConsumerRecord<>(USAGE.topic(), 0, offset++, e.getEventId(),
          TollgateSerdes.usageEvent().serialize(USAGE.topic(), e)));
    }
    consumer.schedulePollTask(() -> records.forEach(consumer::addRecord));
  }

  private void send(SpendWindow... windows) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    for (SpendWindow w : windows) {
      records.add(new ConsumerRecord<>(WINDOWS.topic(), 0, windowOffset++, w.getWindowSize(),
          TollgateSerdes.spendWindow().serialize(WINDOWS.topic(), w)));
    }
    consumer.schedulePollTask(() -> records.forEach(consumer::addRecord));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      Thread.sleep(10);
    }
  }

  private long committed(TopicPartition tp) {
    // The consumer is not thread-safe, but MockConsumer's methods are synchronized.
    OffsetAndMetadata o = consumer.committed(Set.of(tp)).get(tp);
    return o == null ? -1 : o.offset();
  }

  private String scrape() {
    return new MetricsRegistry(registry).scrape();
  }

  @Test
  void aFullBatchIsWrittenWithoutWaitingForTheFlushInterval() throws Exception {
    start(5, Duration.ofMinutes(1));
    send(usage(1), usage(2), usage(3), usage(4), usage(5));
    await("five rows written", () -> inserts.contains("usage_events:5"));
    await("committed", () -> committed(USAGE) == 5);
  }

  @Test
  void aSmallBatchWaitsForTheConfiguredFlushInterval() throws Exception {
    start(1_000, Duration.ofMillis(100));
    send(usage(1), usage(2), usage(3));
    await("three rows written", () -> inserts.contains("usage_events:3"));
    await("committed", () -> committed(USAGE) == 3);
  }

  @Test
  void spend1mIsWrittenFirstAndTheRawLogLast() throws Exception {
    start(7, Duration.ofMinutes(1)); // one batch of exactly these seven rows
    send(usage(1), usage(2), usage(3), usage(4));
    send(window("1d"), window("1h"), window("1m"));
    await("the batch written", () -> inserts.size() == 4);
    assertThat(inserts).as("spend_1m does not wait for the raw log's insert")
        .containsExactly("spend_1m:1", "spend_1d:1", "spend_1h:1", "usage_events:4");
  }

  @Test
  void aRowClickHouseRefusesForGoodIsDeadLetteredAndTheRestWritten() throws Exception {
    start(100, Duration.ofMillis(50));
    UsageEvent bad = usage(-1);
    send(usage(1), usage(2), bad, usage(4));
    await("committed past the refused row", () -> committed(USAGE) == 4);
    assertThat(dead).singleElement().satisfies(d -> {
      assertThat(d.source().key()).isEqualTo(bad.getEventId());
      assertThat(d.table()).isEqualTo("usage_events");
      assertThat(d.error()).contains("negative");
    });
    int written = inserts.stream().filter(s -> s.startsWith("usage_events:"))
        .mapToInt(s -> Integer.parseInt(s.substring(s.indexOf(':') + 1))).sum();
    assertThat(written).as("the three good rows (plus the empty probe)").isEqualTo(3);
    assertThat(scrape()).contains("tollgate_sink_dead_letters_total{reason=\"refused\",table=\"usage_events\"} 1.0");
    assertThat(sink.healthy()).isTrue();
  }

  @Test
  void anUnknownWindowSizeIsDeadLetteredAndTheSinkGoesOn() throws Exception {
    start(100, Duration.ofMillis(50));
    send(window("5m"), window("1m"));
    await("committed", () -> committed(WINDOWS) == 2);
    assertThat(inserts).contains("spend_1m:1");
    assertThat(dead).singleElement().satisfies(d -> {
      assertThat(d.table()).isEqualTo("unknown");
      assertThat(d.error()).contains("no table for window size '5m'");
    });
    send(window("1h"));
    await("the next batch too", () -> committed(WINDOWS) == 3);
    assertThat(scrape()).contains("tollgate_sink_dead_letters_total{reason=\"no_table\",table=\"unknown\"} 1.0");
    assertThat(sink.healthy()).isTrue();
  }

  @Test
  void nothingIsCommittedUntilTheDeadLettersAreStored() throws Exception {
    deadLetterFailures.set(2);
    start(100, Duration.ofMillis(50));
    send(usage(1), usage(-1));
    await("dead letter stored on the third try", () -> !dead.isEmpty());
    await("then committed", () -> committed(USAGE) == 2);
    assertThat(committedWhileFailing).as("nothing committed while the dead letters were not stored")
        .containsExactly(-1L, -1L);
    assertThat(dead).hasSize(1);
  }
}
