package io.tollgate.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.schemas.BudgetPeriodRef;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Budget-period totals (issue 12) through the production topology under TopologyTestDriver. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BudgetPeriodTotalsTest {
  /** Past the pre-aggregation interval: one flush per event, as the per-event topology emitted. */
  private static final java.time.Duration FLUSH = AggregatorSettings.DEFAULT_PRE_AGGREGATE.plusMillis(1);
  private static final Instant DAY = Instant.parse("2026-12-01T00:00:00Z");
  private static final Instant T = DAY.plus(Duration.ofHours(10));
  private static final Instant HOUR = T; // 10:00, the start of the 1h period T is in
  private final Map<String, Long> skipped = new ConcurrentHashMap<>();
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> usage;
  private TestOutputTopic<String, SpendTotal> totals;
  private int seq;

  @BeforeEach
  void start() throws Exception {
    open(new AggregatorSettings(Duration.ofHours(24), Duration.ofMinutes(10)));
  }

  private void open(AggregatorSettings settings) throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "budget-period-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("budget-periods").toString());
    driver = new TopologyTestDriver(SpendTopology.buildTopology(settings, TollgateSerdes.usageEvent(),
        (reason, count) -> skipped.merge(reason, count, Long::sum)), props);
    usage = driver.createInputTopic(Topics.USAGE.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
    totals = driver.createOutputTopic(Topics.SPEND_TOTALS.name(), Serdes.String().deserializer(),
        TollgateSerdes.spendTotal().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private static BudgetPeriodRef ref(String scope, String id, String duration, Instant start) {
    return BudgetPeriodRef.newBuilder().setScope(scope).setScopeId(id).setDuration(duration).setPeriodStart(start)
        .build();
  }

  /** The periods an ingress with a 1h key budget, a 1d team budget and lifetime totals would list. */
  private static List<BudgetPeriodRef> usual(Instant ts) {
    Instant hour = ts.truncatedTo(java.time.temporal.ChronoUnit.HOURS);
    Instant day = ts.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
    return List.of(ref("key", "k1", "1h", hour), ref("key", "k1", "", Instant.EPOCH), ref("team", "t1", "1d", day),
        ref("team", "t1", "", Instant.EPOCH), ref("customer", "c|1", "", Instant.EPOCH));
  }

  private UsageEvent event(String gateway, Instant ts, long cost, List<BudgetPeriodRef> periods) {
    seq++;
    return UsageEvent.newBuilder().setEventId("e-" + seq).setTs(ts).setDurationMs(10).setTtftMs(null)
        .setGatewayId(gateway).setKeyHash("k1").setKeyAlias(null).setCustomerId("c|1")
        .setCustomerSource("header_customer_id").setTool("claude-code").setToolVersion(null).setUserAgent(null)
        .setSessionId(null).setProvider("anthropic").setApi("messages").setModelRequested("m").setModel("m")
        .setStatusCode(200).setErrorType(null).setInputTokens(100).setOutputTokens(10).setCacheReadTokens(1000)
        .setCacheWrite5mTokens(5).setCacheWrite1hTokens(7).setReasoningTokens(0).setCostNanos(cost).setPriceKnown(true)
        .setUpstreamRequestId(null).setBudgetPeriods(periods).build();
  }

  private void send(UsageEvent e) {
    usage.pipeInput(e.getEventId(), TollgateSerdes.usageEvent().serialize(Topics.USAGE.name(), e), e.getTs());
    driver.advanceWallClockTime(FLUSH); // the pre-aggregated sums go downstream on the next flush
  }

  /** Newest budget-period total per key (day totals left out), as the compacted topic keeps it; null = tombstone. */
  private Map<String, SpendTotal> latest() {
    Map<String, SpendTotal> out = new LinkedHashMap<>();
    for (TestRecord<String, SpendTotal> r : totals.readRecordsToList()) {
      if (r.value() != null && r.value().getPeriodStart() == null) {
        continue; // a day total
      }
      SpendTotal before = out.get(r.key());
      if (r.value() != null && before != null) {
        assertThat(r.value().getVersion()).as("versions only grow").isGreaterThan(before.getVersion());
      }
      out.put(r.key(), r.value());
    }
    return out;
  }

  private static String key(String scope, String id, String duration, Instant start) {
    return BudgetPeriodEntries.key(scope, id, duration, start.toEpochMilli());
  }

  @Test
  void sumsEveryPeriodExactlyWithSpendPerGatewayAndDuplicatesOnce() {
    UsageEvent first = event("gw-a", T.plusSeconds(1), 1_234_567, usual(T));
    send(first);
    send(event("gw-b", T.plusSeconds(2), 7_654_321, usual(T)));
    send(first); // a producer retry: same event id
    send(event("gw-a", T.plusSeconds(3_600), 999_999_999_999L, usual(T.plusSeconds(3_600)))); // next hour

    Map<String, SpendTotal> latest = latest();
    SpendTotal hour = latest.get(key("key", "k1", "1h", HOUR));
    assertThat(hour.getCostNanos()).isEqualTo(1_234_567 + 7_654_321);
    assertThat(hour.getRequests()).isEqualTo(2);
    assertThat(hour.getVersion()).isEqualTo(2);
    assertThat(hour.getInputTokens()).as("every prompt token").isEqualTo(2 * (100 + 1000 + 5 + 7));
    assertThat(hour.getOutputTokens()).isEqualTo(20);
    assertThat(hour.getCacheReadTokens()).as("of those, cache reads").isEqualTo(2 * 1000);
    assertThat(hour.getCacheWriteTokens()).as("of those, cache writes 5m + 1h").isEqualTo(2 * (5 + 7));
    assertThat(hour.getByGateway()).containsExactlyInAnyOrderEntriesOf(Map.of("gw-a", 1_234_567L, "gw-b", 7_654_321L));
    assertThat(hour.getScope()).isEqualTo("key");
    assertThat(hour.getScopeId()).isEqualTo("k1");
    assertThat(hour.getDuration()).isEqualTo("1h");
    assertThat(hour.getPeriodStart()).isEqualTo(HOUR);
    assertThat(hour.getDay()).isEqualTo(java.time.LocalDate.parse("2026-12-01"));
    assertThat(hour.getUpdatedAt()).isEqualTo(T.plusSeconds(2));

    assertThat(latest.get(key("key", "k1", "1h", HOUR.plusSeconds(3_600))).getCostNanos()).isEqualTo(999_999_999_999L);
    long all = 1_234_567 + 7_654_321 + 999_999_999_999L;
    SpendTotal lifetime = latest.get(key("key", "k1", "", Instant.EPOCH));
    assertThat(lifetime.getCostNanos()).isEqualTo(all);
    assertThat(lifetime.getDuration()).isEmpty();
    assertThat(lifetime.getPeriodStart()).as("lifetime: epoch, not null (null marks a day total)").isEqualTo(Instant.EPOCH);
    assertThat(lifetime.getByGateway()).containsExactlyInAnyOrderEntriesOf(
        Map.of("gw-a", 1_234_567L + 999_999_999_999L, "gw-b", 7_654_321L));
    assertThat(latest.get(key("team", "t1", "1d", DAY)).getCostNanos()).isEqualTo(all);
    assertThat(latest.get(key("customer", "c|1", "", Instant.EPOCH)).getRequests()).isEqualTo(3);
    assertThat(latest).hasSize(6);
    assertThat(skipped).isEmpty();
  }

  @Test
  void theDayTotalsStayAsTheyWere() {
    send(event("gw", T, 10, usual(T)));
    Map<String, SpendTotal> days = new HashMap<>();
    totals.readRecordsToList().stream().filter(r -> r.value().getPeriodStart() == null)
        .forEach(r -> days.put(r.key(), r.value()));
    assertThat(days).containsOnlyKeys(SpendKeys.group("customer", "c|1", "2026-12-01"),
        SpendKeys.group("key", "k1", "2026-12-01"));
    assertThat(days.values()).allSatisfy(d -> {
      assertThat(d.getDuration()).isEmpty();
      assertThat(d.getCostNanos()).isEqualTo(10);
    });
  }

  @Test
  void invalidEntriesAreSkippedAndCountedWhileTheValidOnesCount() {
    List<BudgetPeriodRef> periods = new ArrayList<>(List.of(
        ref("key", "k1", "1h", HOUR),                       // fine
        ref("org", "o1", "1h", HOUR),                       // unknown scope
        ref("key", "", "1h", HOUR),                         // no id
        ref("key", "x".repeat(257), "1h", HOUR),            // id too long
        ref("key", "k1", "1y", HOUR),                       // not a duration
        ref("key", "k1", "0s", HOUR),                       // an empty period
        ref("key", "k1", "", HOUR),                         // lifetime not at the epoch
        ref("key", "k1", "1h", HOUR.plus(Duration.ofDays(400))))); // a period far from the call
    send(event("gw", T.plusSeconds(5), 100, periods));
    List<BudgetPeriodRef> many = new ArrayList<>();
    many.add(ref("key", "k1", "1h", HOUR)); // same period twice in one event
    many.add(ref("key", "k1", "1h", HOUR));
    for (int i = 0; i < 10; i++) {
      many.add(ref("customer", "c" + i, "", Instant.EPOCH));
    }
    send(event("gw", T.plusSeconds(6), 1_000, many));

    Map<String, SpendTotal> latest = latest();
    assertThat(latest.get(key("key", "k1", "1h", HOUR)).getCostNanos()).isEqualTo(1_100);
    assertThat(latest.get(key("key", "k1", "1h", HOUR)).getRequests()).isEqualTo(2);
    assertThat(latest).as("k1/1h and the first 6 customers of the second event (8 entries at most)")
        .hasSize(1 + 6).containsKey(key("customer", "c5", "", Instant.EPOCH))
        .doesNotContainKey(key("customer", "c6", "", Instant.EPOCH));
    assertThat(skipped).containsExactlyInAnyOrderEntriesOf(Map.of(
        BudgetPeriodEntries.BAD_SCOPE, 1L, BudgetPeriodEntries.BAD_SCOPE_ID, 2L, BudgetPeriodEntries.BAD_DURATION, 2L,
        BudgetPeriodEntries.BAD_PERIOD_START, 2L, BudgetPeriodEntries.REPEATED, 1L, BudgetPeriodEntries.TOO_MANY, 4L));
  }

  @Test
  void garbageInEveryFieldNeverStopsTheStream() {
    send(event("g".repeat(10_000), T, Long.MAX_VALUE, List.of(ref("key", "k1", "9999mo", HOUR),
        ref("key", "k1", "9999w", HOUR))));
    send(event("gw", T.plusSeconds(1), Long.MAX_VALUE, List.of(ref("key", "k1", "9999mo", HOUR))));
    send(event("gw", T.plusSeconds(2), 5, List.of(ref("team", "t", "1h", HOUR))));
    Map<String, SpendTotal> latest = latest();
    SpendTotal long_ = latest.get(key("key", "k1", "9999mo", HOUR));
    assertThat(long_.getCostNanos()).as("saturates").isEqualTo(Long.MAX_VALUE);
    assertThat(long_.getByGateway()).containsOnlyKeys(PeriodTotals.OTHER, "gw");
    assertThat(latest.get(key("team", "t", "1h", HOUR)).getCostNanos()).isEqualTo(5);
  }

  @Test
  void atMost64GatewaysByNameTheRestUnderOther() {
    long sum = 0;
    for (int g = 0; g < 70; g++) {
      send(event("gw-" + g, T.plusMillis(g), g + 1, List.of(ref("key", "k1", "", Instant.EPOCH))));
      sum += g + 1;
    }
    SpendTotal lifetime = latest().get(key("key", "k1", "", Instant.EPOCH));
    assertThat(lifetime.getByGateway()).hasSize(65).containsEntry("gw-0", 1L).containsEntry("gw-63", 64L)
        .containsEntry(PeriodTotals.OTHER, 65L + 66 + 67 + 68 + 69 + 70).doesNotContainKey("gw-64");
    assertThat(lifetime.getByGateway().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(sum)
        .isEqualTo(lifetime.getCostNanos());
  }

  @Test
  void periodsLongOverArePurgedWithATombstoneAndLateDeltasDropped() {
    // grace 10 min: the 10:00 hour is purged once stream time reaches 11:10.
    Instant minute = T.plusSeconds(120);
    send(event("gw", T.plusSeconds(1), 10, List.of(ref("key", "k1", "1h", HOUR), ref("key", "k1", "", Instant.EPOCH),
        ref("key", "k1", "1m", T), ref("key", "k1", "30s", T))));
    send(event("gw", minute, 20, List.of(ref("key", "k1", "1m", minute)))); // stream time 10:02
    KeyValueStore<String, ?> store = driver.getKeyValueStore(BudgetPeriodTotals.STORE);
    assertThat(store.approximateNumEntries()).isEqualTo(5);

    send(event("gw", T.plus(Duration.ofMinutes(12)), 1, List.of())); // 10:12: the 10:00 minute and 30 s + 10 min are over
    assertThat(keys(store)).containsExactlyInAnyOrder(key("key", "k1", "1h", HOUR), key("key", "k1", "", Instant.EPOCH),
        key("key", "k1", "1m", minute));
    Map<String, SpendTotal> latest = latest();
    assertThat(latest).containsEntry(key("key", "k1", "1m", T), null).containsEntry(key("key", "k1", "30s", T), null);

    send(event("gw", T.plus(Duration.ofMinutes(71)), 1, List.of())); // 11:11
    assertThat(keys(store)).containsExactly(key("key", "k1", "", Instant.EPOCH));
    assertThat(latest()).containsEntry(key("key", "k1", "1h", HOUR), null).hasSize(2); // + the 10:02 minute
    assertThat((KeyValueStore<String, String>) driver.<String, String>getKeyValueStore(BudgetPeriodTotals.EXPIRY_STORE))
        .satisfies(s -> assertThat(s.approximateNumEntries()).isZero());

    // A spill replay of a 10:30 call: its hour ended more than the grace ago.
    send(event("gw", T.plus(Duration.ofMinutes(30)), 7, List.of(ref("key", "k1", "1h", HOUR),
        ref("key", "k1", "", Instant.EPOCH))));
    latest = latest();
    assertThat(latest).doesNotContainKey(key("key", "k1", "1h", HOUR));
    assertThat(latest.get(key("key", "k1", "", Instant.EPOCH)).getCostNanos()).isEqualTo(17);
    assertThat(skipped).containsExactlyEntriesOf(Map.of(BudgetPeriodTotals.LATE, 1L));
  }

  private static List<String> keys(KeyValueStore<String, ?> store) {
    List<String> out = new ArrayList<>();
    try (var it = store.all()) {
      it.forEachRemaining(kv -> out.add(kv.key));
    }
    return out;
  }

  @Test
  void periodEndsFollowTheCalendarForMonths() {
    long jan31 = Instant.parse("2027-01-31T00:00:00Z").toEpochMilli();
    assertThat(BudgetPeriodEntries.end("1mo", Instant.parse("2026-12-01T00:00:00Z").toEpochMilli()))
        .isEqualTo(Instant.parse("2027-01-01T00:00:00Z").toEpochMilli());
    assertThat(BudgetPeriodEntries.end("1mo", jan31)).isEqualTo(Instant.parse("2027-02-28T00:00:00Z").toEpochMilli());
    assertThat(BudgetPeriodEntries.end("30s", 0)).isEqualTo(30_000);
    assertThat(BudgetPeriodEntries.end("7d", 0)).isEqualTo(Duration.ofDays(7).toMillis());
    assertThat(BudgetPeriodEntries.end("2w", 0)).isEqualTo(Duration.ofDays(14).toMillis());
    assertThat(BudgetPeriodEntries.end("", 0)).isEqualTo(BudgetPeriodEntries.NEVER);
    assertThat(BudgetPeriodEntries.end("9999w", Long.MAX_VALUE - 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(Arrays.asList(SpendKeys.split(key("customer", "a|b", "1mo", DAY), 4)))
        .containsExactly("customer", "a|b", "1mo", Long.toString(DAY.toEpochMilli()));
  }
}
