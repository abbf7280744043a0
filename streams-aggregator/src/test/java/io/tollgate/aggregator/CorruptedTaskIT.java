package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.aggregator.topology.AggregatorSettings;
import io.tollgate.aggregator.topology.SpendKeys;
import io.tollgate.aggregator.topology.SpendTopology;
import io.tollgate.aggregator.topology.TopologyMetrics;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task corrupted while it runs: Kafka Streams commits the thread's open transaction for its other
 * tasks (with what the corrupted task wrote at once), aborts what the corrupted task flushes after
 * (its record caches, the pre-aggregation's write-back) and rewinds its input to its last commit.
 * That is what Kafka Streams does with a {@code TimeoutException} in a punctuation under
 * exactly-once ({@code StreamTask.punctuate}); here the topology's metrics throw
 * {@link TaskCorruptedException} once, from inside the pre-aggregation's
 * {@code process} (an event with an empty request tag is counted as a skipped tag), on real Kafka
 * with exactly_once_v2, in the default (pre-aggregated, write-back) topology. Every total must
 * still be exact. This path is the likely cause of ScaleOutIT's rare CI failures (2,922 of 3,000
 * calls in spend_1m): the dedupe marks committed without their sums (on the build before, the first
 * customer checked here had lost 56 % of its day cost). The per-event topology is not tested here:
 * a corruption raised in the middle of an event (as this one is) commits the repartition records
 * sent before it, whatever the marks do.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CorruptedTaskIT {
  private static final int EVENTS = 3_000;
  /**
   * The event whose processing corrupts the task: far enough in that sums are pending (in the build
   * before, at least this event's own: its mark was written before its sums).
   */
  private static final int CORRUPTING = 2_200;

  @Test
  void aTaskCorruptedWhileRunningLosesNoEventAndCountsNoneTwice(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka")).withPartitions(1))) {
      String bootstrap = kafka.bootstrapServers();
      // Ten minutes old: the aggregator is behind (commits every 5 s), so much is pending at the fault.
      Instant base = Instant.now().minus(10, ChronoUnit.MINUTES);
      UsageLoad load = new UsageLoad(73, EVENTS, 60_000L, "corrupt", 2, base, false);
      UsageEvent corrupting = load.events.get(CORRUPTING);
      corrupting.setRequestTags(List.of("")); // skipped (empty), so the totals do not change
      load.produce(bootstrap, 0, EVENTS); // 1 % twice: the dedupe is checked as well

      CorruptOnce metrics = new CorruptOnce(new TaskId(0, 0)); // one partition: the usage task 0_0
      String appId = "corrupt-" + UUID.randomUUID();
      try (KafkaStreams streams = new KafkaStreams(
          SpendTopology.buildTopology(AggregatorSettings.defaults(), TollgateSerdes.usageEvent(), metrics),
          AggregatorApp.streamsProperties(bootstrap, appId, dir.resolve("streams"), Duration.ofSeconds(5), Map.of()))) {
        // A stream thread that dies stops the client (SHUTDOWN_CLIENT, as AggregatorApp does for
        // anything but a schema lookup): recorded, so a failure below says so instead of only
        // showing totals that stopped moving.
        List<Throwable> deaths = new java.util.concurrent.CopyOnWriteArrayList<>();
        streams.setUncaughtExceptionHandler(e -> {
          deaths.add(e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        Drain.await(bootstrap, appId, List.of(Topics.USAGE.name()), Duration.ofMinutes(2));
        assertThat(metrics.thrown.get()).as("the task was corrupted once, while running").isEqualTo(1);
        // The windows', day totals' and budget periods' repartition topics, once each has a commit.
        Set<String> repartition = new TreeSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (repartition.size() < 3 && System.nanoTime() < deadline) {
          repartition = new TreeSet<>(Drain.repartitionTopics(bootstrap, appId));
          Thread.sleep(200);
        }
        assertThat(repartition).as("the topology's repartition topics, committed on").hasSize(3);
        Drain.await(bootstrap, appId, repartition, Duration.ofMinutes(2));

        Map<String, Long> dayCost = new HashMap<>();
        Map<String, Long> dayCalls = new HashMap<>();
        for (UsageEvent e : load.events) {
          String key = SpendKeys.group("customer", e.getCustomerId(),
              e.getTs().atZone(ZoneOffset.UTC).toLocalDate().toString());
          dayCost.merge(key, e.getCostNanos(), Long::sum);
          dayCalls.merge(key, 1L, Long::sum);
        }
        try {
          PeriodTotalsCheck.assertTotals(bootstrap, dayCost, dayCalls);
          PeriodTotalsCheck.assertExact(bootstrap, load);
          assertMinuteWindowsExact(bootstrap, load);
        } catch (AssertionError e) {
          // Failed 2 of 20 runs with SpendWindowTotals (docs/aggregator.md): say what the client
          // and the output topics looked like, to tell a dead client from an open transaction.
          throw new AssertionError(e.getMessage() + "\nclient " + streams.state() + ", stream thread deaths "
              + deaths + ", " + Drain.describeEnds(bootstrap, List.of(Topics.SPEND_TOTALS.name(),
              Topics.SPEND_WINDOWS.name())), e);
        }
        assertThat(deaths).as("stream thread deaths").isEmpty();
      }
    }
  }

  /** The newest 1-minute window totals (read_committed) add up to every call and nano-USD, per customer. */
  private static void assertMinuteWindowsExact(String bootstrap, UsageLoad load) {
    Map<String, Long> expectedCalls = new HashMap<>();
    load.events.forEach(e -> expectedCalls.merge(e.getCustomerId(), 1L, Long::sum));
    Map<String, SpendWindow> latest = new HashMap<>();
    Map<String, Long> calls = Map.of();
    Map<String, Long> cost = Map.of();
    try (KafkaConsumer<String, SpendWindow> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "group.id", "windows-check-" + UUID.randomUUID(), "isolation.level", "read_committed",
        "auto.offset.reset", "earliest", "enable.auto.commit", false), new StringDeserializer(),
        TollgateSerdes.spendWindow().deserializer())) {
      consumer.subscribe(List.of(Topics.SPEND_WINDOWS.name()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline && !(calls.equals(expectedCalls) && cost.equals(load.costByCustomer))) {
        for (ConsumerRecord<String, SpendWindow> r : consumer.poll(Duration.ofMillis(500))) {
          if (r.value() != null && r.value().getWindowSize().equals("1m")) {
            latest.put(r.key(), r.value());
          }
        }
        Map<String, Long> c = new HashMap<>();
        Map<String, Long> n = new HashMap<>();
        latest.values().forEach(w -> {
          c.merge(w.getCustomerId(), w.getRequests(), Long::sum);
          n.merge(w.getCustomerId(), w.getCostNanos(), Long::sum);
        });
        calls = c;
        cost = n;
      }
    }
    assertThat(calls).as("calls per customer in the 1-minute windows").isEqualTo(expectedCalls);
    assertThat(cost).as("nano-USD per customer in the 1-minute windows").isEqualTo(load.costByCustomer);
  }

  /** Counts skipped tags as nothing, but corrupts {@code task} the first time one is reported. */
  private static final class CorruptOnce implements TopologyMetrics {
    final AtomicInteger thrown = new AtomicInteger();
    private final TaskId task;

    CorruptOnce(TaskId task) {
      this.task = task;
    }

    @Override
    public void budgetPeriodSkipped(String reason, long count) {
    }

    @Override
    public void tagSkipped(String reason, long count) {
      if (thrown.compareAndSet(0, 1)) {
        throw new TaskCorruptedException(Set.of(task));
      }
    }
  }
}
