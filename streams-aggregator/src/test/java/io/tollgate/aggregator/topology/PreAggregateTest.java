package io.tollgate.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.schemas.BudgetPeriodRef;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pre-aggregated topology against the per-event one (the baseline): the same events, with
 * duplicates, tags, budget periods and a flush only every hundred events, give exactly the same
 * newest window, day and budget-period totals, field by field (versions too: they grow by the calls
 * summed), with far fewer emissions.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PreAggregateTest {
  private static final Instant BASE = Instant.parse("2026-12-01T23:57:00Z"); // crosses UTC midnight

  record Result(Map<String, SpendWindow> windows, Map<String, SpendTotal> totals, int windowRecords) {
  }

  @Test
  void sumsFlushedEveryHundredEventsEqualThePerEventTotalsExactly() throws Exception {
    List<UsageEvent> events = load(new Random(7), 600);
    Result perEvent = run(AggregatorSettings.defaults().withPreAggregate(Duration.ZERO), events, 1);
    Result summed = run(AggregatorSettings.defaults(), events, 97);
    // With the stores' record caches on (as in production: the pending sums are read and written
    // through the cache, the windows and day totals emitted as it flushes).
    Result cached = run(AggregatorSettings.defaults(), events, 97, 10 * 1024 * 1024);

    assertThat(perEvent.windows()).hasSizeGreaterThan(50);
    assertThat(perEvent.totals().keySet()).anyMatch(k -> k.startsWith(SpendKeys.group("tag")))
        .anyMatch(k -> k.startsWith(SpendKeys.group("key")));
    assertThat(perEvent.totals().values()).anyMatch(t -> t.getPeriodStart() != null);
    assertThat(summed.windows()).containsExactlyInAnyOrderEntriesOf(perEvent.windows());
    assertThat(summed.totals()).containsExactlyInAnyOrderEntriesOf(perEvent.totals());
    assertThat(cached.windows()).containsExactlyInAnyOrderEntriesOf(perEvent.windows());
    assertThat(cached.totals()).containsExactlyInAnyOrderEntriesOf(perEvent.totals());
    assertThat(summed.windowRecords()).as("one emission per group and flush, not per event")
        .isLessThan(perEvent.windowRecords() / 2);
  }

  /**
   * The window totals of {@link SpendWindowTotals} (write-back; not the default yet) against the DSL's windowed
   * aggregations on the same sums: with a 5-minute grace and a tenth of the events up to 20 minutes
   * late, both drop exactly the same late sums and keep exactly the same newest totals.
   */
  @Test
  void windowTotalsEqualTheDslWindowsIncludingLateDrops() throws Exception {
    Random random = new Random(11);
    List<UsageEvent> events = new ArrayList<>();
    for (UsageEvent e : load(random, 1_500)) {
      if (random.nextInt(10) == 0) {
        e = UsageEvent.newBuilder(e).setTs(e.getTs().minusSeconds(random.nextInt(1_200))).build();
      }
      events.add(e);
    }
    AggregatorSettings grace = new AggregatorSettings(Duration.ofHours(24), Duration.ofMinutes(5));
    java.util.concurrent.atomic.AtomicLong late = new java.util.concurrent.atomic.AtomicLong();
    TopologyMetrics counting = new TopologyMetrics() {
      @Override
      public void budgetPeriodSkipped(String reason, long count) {
      }

      @Override
      public void windowLate(String size) {
        late.incrementAndGet();
      }
    };
    for (long cache : new long[] {0, 10 * 1024 * 1024}) {
      Result dsl = run(grace.withWindowWriteBack(false), events, 13, cache, TopologyMetrics.NONE);
      Result own = run(grace.withWindowWriteBack(true), events, 13, cache, counting);
      assertThat(dsl.windows()).hasSizeGreaterThan(50);
      assertThat(own.windows()).containsExactlyInAnyOrderEntriesOf(dsl.windows());
      assertThat(own.totals()).containsExactlyInAnyOrderEntriesOf(dsl.totals());
    }
    assertThat(late.get()).as("some sums came after their 1m window closed").isPositive();
  }

  /** Events over 5 minutes from 2 customers, 3 models, 2 tools, 0-2 tags, 2 budget periods; 5 % sent twice. */
  private static List<UsageEvent> load(Random random, int count) {
    List<UsageEvent> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Instant ts = BASE.plusMillis(i * 300L + random.nextInt(3_000));
      long t = ts.toEpochMilli();
      String customer = "c-" + random.nextInt(2);
      List<String> tags = new ArrayList<>();
      for (int n = random.nextInt(3); n > 0; n--) {
        tags.add("tag-" + random.nextInt(4));
      }
      List<BudgetPeriodRef> periods = List.of(
          BudgetPeriodRef.newBuilder().setScope("key").setScopeId("k-" + customer).setDuration("1h")
              .setPeriodStart(Instant.ofEpochMilli(t - t % 3_600_000)).build(),
          BudgetPeriodRef.newBuilder().setScope("customer").setScopeId(customer).setDuration("")
              .setPeriodStart(Instant.EPOCH).build());
      UsageEvent e = UsageEvent.newBuilder().setEventId("e-" + i).setTs(ts).setDurationMs(5).setTtftMs(null)
          .setGatewayId("gw-" + random.nextInt(3)).setKeyHash("k-" + customer).setKeyAlias(null).setCustomerId(customer)
          .setCustomerSource("header_customer_id").setTool(random.nextBoolean() ? "claude-code" : "codex")
          .setToolVersion(null).setUserAgent(null).setSessionId(null).setProvider("anthropic").setApi("messages")
          .setModelRequested("m-" + random.nextInt(3)).setModel(null)
          .setStatusCode(random.nextInt(10) == 0 ? 500 : 200).setAborted(random.nextInt(20) == 0).setErrorType(null)
          .setInputTokens(random.nextInt(5_000)).setOutputTokens(random.nextInt(900))
          .setCacheReadTokens(random.nextInt(10_000)).setCacheWrite5mTokens(random.nextInt(100))
          .setCacheWrite1hTokens(random.nextInt(100)).setReasoningTokens(random.nextInt(50))
          .setCostNanos(1 + random.nextInt(50_000_000)).setPriceKnown(random.nextInt(10) != 0)
          .setUpstreamRequestId(null).setRequestTags(tags).setBudgetPeriods(periods).build();
      out.add(e);
      if (random.nextInt(20) == 0) {
        out.add(e);
      }
    }
    return out;
  }

  private static Result run(AggregatorSettings settings, List<UsageEvent> events, int flushEvery) throws Exception {
    return run(settings, events, flushEvery, 0);
  }

  private static Result run(AggregatorSettings settings, List<UsageEvent> events, int flushEvery, long cacheBytes)
      throws Exception {
    return run(settings, events, flushEvery, cacheBytes, TopologyMetrics.NONE);
  }

  private static Result run(AggregatorSettings settings, List<UsageEvent> events, int flushEvery, long cacheBytes,
                            TopologyMetrics metrics) throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "pre-aggregate-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("pre-aggregate").toString());
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cacheBytes);
    try (TopologyTestDriver driver = new TopologyTestDriver(
        SpendTopology.buildTopology(settings, io.tollgate.schemas.serde.TollgateSerdes.usageEvent(), metrics), props)) {
      TestInputTopic<String, byte[]> usage = driver.createInputTopic(Topics.USAGE.name(), Serdes.String().serializer(),
          Serdes.ByteArray().serializer());
      var windows = driver.createOutputTopic(Topics.SPEND_WINDOWS.name(), Serdes.String().deserializer(),
          TollgateSerdes.spendWindow().deserializer());
      var totals = driver.createOutputTopic(Topics.SPEND_TOTALS.name(), Serdes.String().deserializer(),
          TollgateSerdes.spendTotal().deserializer());
      Map<String, SpendWindow> latestWindows = new LinkedHashMap<>();
      Map<String, SpendTotal> latestTotals = new LinkedHashMap<>();
      int windowRecords = 0;
      for (int i = 0; i < events.size(); i++) {
        UsageEvent e = events.get(i);
        usage.pipeInput(e.getEventId(), TollgateSerdes.usageEvent().serialize(Topics.USAGE.name(), e), e.getTs());
        if ((i + 1) % flushEvery == 0 || i == events.size() - 1) {
          driver.advanceWallClockTime(settings.preAggregate().plusMillis(1));
        }
      }
      for (TestRecord<String, SpendWindow> r : windows.readRecordsToList()) {
        windowRecords++;
        latestWindows.put(r.key(), r.value());
      }
      for (TestRecord<String, SpendTotal> r : totals.readRecordsToList()) {
        latestTotals.put(r.key(), r.value());
      }
      return new Result(latestWindows, latestTotals, windowRecords);
    }
  }
}
