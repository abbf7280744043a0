package io.tollgate.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The production topology under TopologyTestDriver, with explicit event times. */
class SpendTopologyTest {
  /** Past the pre-aggregation interval: one flush per event, as the per-event topology emitted. */
  private static final java.time.Duration FLUSH = AggregatorSettings.DEFAULT_PRE_AGGREGATE.plusMillis(1);
  private static final Instant T = Instant.parse("2026-11-24T10:00:00Z");
  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> usage;
  private TestOutputTopic<String, SpendWindow> windows;
  private TestOutputTopic<String, SpendTotal> totals;
  private TestOutputTopic<String, byte[]> dlq;
  private int seq;

  @BeforeEach
  void start() throws Exception {
    open(AggregatorSettings.defaults());
  }

  private void open(AggregatorSettings settings) throws Exception {
    if (driver != null) {
      driver.close();
    }
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "spend-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("spend-topology").toString());
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    driver = new TopologyTestDriver(SpendTopology.buildTopology(settings), props);
    usage = driver.createInputTopic(Topics.USAGE.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
    windows = driver.createOutputTopic(Topics.SPEND_WINDOWS.name(), Serdes.String().deserializer(),
        TollgateSerdes.spendWindow().deserializer());
    totals = driver.createOutputTopic(Topics.SPEND_TOTALS.name(), Serdes.String().deserializer(),
        TollgateSerdes.spendTotal().deserializer());
    dlq = driver.createOutputTopic(Topics.USAGE_DLQ.name(), Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
    driver = null;
  }

  private UsageEvent event(String customer, String model, String tool, Instant ts, long cost) {
    seq++;
    return UsageEvent.newBuilder().setEventId("e-" + seq).setTs(ts).setDurationMs(10).setTtftMs(null)
        .setGatewayId("gw").setKeyHash("key-" + customer).setKeyAlias(null).setCustomerId(customer)
        .setCustomerSource(customer == null ? "none" : "header_customer_id").setTool(tool).setToolVersion(null)
        .setUserAgent(null).setSessionId(null).setProvider("anthropic").setApi("messages").setModelRequested(model)
        .setModel(model + "-20250929").setStatusCode(200).setErrorType(null).setInputTokens(100).setOutputTokens(10)
        .setCacheReadTokens(1000).setCacheWrite5mTokens(5).setCacheWrite1hTokens(7).setReasoningTokens(0)
        .setCostNanos(cost).setPriceKnown(true).setUpstreamRequestId(null).build();
  }

  private void send(UsageEvent e) {
    usage.pipeInput(e.getEventId(), TollgateSerdes.usageEvent().serialize(Topics.USAGE.name(), e), e.getTs());
    driver.advanceWallClockTime(FLUSH); // the pre-aggregated sums go downstream on the next flush
  }

  /** The newest total per window key, as a compacted topic (and ClickHouse FINAL) would keep it. */
  private Map<String, SpendWindow> latestWindows(String size) {
    Map<String, SpendWindow> latest = new LinkedHashMap<>();
    for (TestRecord<String, SpendWindow> r : windows.readRecordsToList()) {
      if (r.value().getWindowSize().equals(size)) {
        SpendWindow previous = latest.get(r.key());
        assertThat(previous == null || r.value().getVersion() > previous.getVersion()).as("versions only grow").isTrue();
        latest.put(r.key(), r.value());
      }
    }
    return latest;
  }

  @Test
  void sumsPerCustomerModelAndToolExactlyToTheNanoDollar() {
    send(event("acme", "claude-sonnet-4-5", "claude-code", T.plusSeconds(1), 1_234_567));
    send(event("acme", "claude-sonnet-4-5", "claude-code", T.plusSeconds(2), 7_654_321));
    send(event("acme", "gpt-5", "codex", T.plusSeconds(3), 1));
    send(event("globex", "claude-sonnet-4-5", "claude-code", T.plusSeconds(4), 999_999_999_999L));
    send(event(null, "claude-sonnet-4-5", "curl", T.plusSeconds(5), 5));

    Map<String, SpendWindow> minute = latestWindows("1m");
    assertThat(minute).hasSize(4);
    SpendWindow acmeClaude = minute.get(SpendKeys.group("1m", Long.toString(T.toEpochMilli()), "acme",
        "claude-sonnet-4-5", "claude-code"));
    assertThat(acmeClaude.getRequests()).isEqualTo(2);
    assertThat(acmeClaude.getCostNanos()).isEqualTo(8_888_888);
    assertThat(acmeClaude.getInputTokens()).isEqualTo(200);
    assertThat(acmeClaude.getCacheReadTokens()).isEqualTo(2000);
    assertThat(acmeClaude.getCacheWrite1hTokens()).isEqualTo(14);
    assertThat(acmeClaude.getWindowStart()).isEqualTo(T);
    assertThat(acmeClaude.getWindowEnd()).isEqualTo(T.plusSeconds(60));
    assertThat(minute.values().stream().mapToLong(SpendWindow::getCostNanos).sum())
        .isEqualTo(1_234_567 + 7_654_321 + 1 + 999_999_999_999L + 5);
    assertThat(minute.values()).anySatisfy(w -> assertThat(w.getCustomerId()).isEmpty());
  }

  @Test
  void dayWindowsSplitAtUtcMidnightAndHoursAtTheHour() {
    Instant midnight = Instant.parse("2026-11-25T00:00:00Z");
    send(event("acme", "m", "t", midnight.minusMillis(1), 10));
    send(event("acme", "m", "t", midnight, 20));
    Map<String, SpendWindow> days = latestWindows("1d");
    assertThat(days.values()).extracting(SpendWindow::getWindowStart)
        .containsExactlyInAnyOrder(Instant.parse("2026-11-24T00:00:00Z"), midnight);
    assertThat(days.values()).extracting(SpendWindow::getCostNanos).containsExactlyInAnyOrder(10L, 20L);
  }

  @Test
  void duplicatesAreCountedOnce() {
    UsageEvent e = event("acme", "m", "t", T, 100);
    send(e);
    send(e);
    send(e);
    assertThat(latestWindows("1m").values()).singleElement()
        .satisfies(w -> assertThat(w.getRequests()).isEqualTo(1))
        .satisfies(w -> assertThat(w.getCostNanos()).isEqualTo(100));
  }

  @Test
  void lateEventsCountWithinGraceAndAreDroppedBeyondIt() throws Exception {
    open(new AggregatorSettings(Duration.ofHours(24), Duration.ofMinutes(5)));
    send(event("acme", "m", "t", T.plusSeconds(10), 1));            // window [T, T+1m)
    send(event("acme", "m", "t", T.plus(Duration.ofMinutes(4)), 2)); // stream time T+4m: within grace of T+1m+5m
    send(event("acme", "m", "t", T.plusSeconds(20), 4));            // late but counted
    send(event("acme", "m", "t", T.plus(Duration.ofMinutes(10)), 8)); // stream time T+10m: [T, T+1m) closed
    send(event("acme", "m", "t", T.plusSeconds(30), 16));           // beyond grace: dropped
    Map<String, SpendWindow> minute = latestWindows("1m");
    SpendWindow first = minute.get(SpendKeys.group("1m", Long.toString(T.toEpochMilli()), "acme", "m", "t"));
    assertThat(first.getCostNanos()).isEqualTo(1 + 4);
    assertThat(first.getRequests()).isEqualTo(2);
  }

  @Test
  void poisonRecordsGoToTheDeadLetterTopicAndProcessingContinues() {
    usage.pipeInput("bad", "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8), T);
    send(event("acme", "m", "t", T.plusSeconds(1), 42));
    List<TestRecord<String, byte[]>> dead = dlq.readRecordsToList();
    assertThat(dead).singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo("bad");
      assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{\"not\":\"avro\"}");
      assertThat(new String(r.headers().lastHeader(DecodeAndDedupe.ERROR_HEADER).value(), StandardCharsets.UTF_8))
          .contains("cannot decode UsageEvent").contains(Topics.USAGE.name());
    });
    assertThat(latestWindows("1m").values()).singleElement()
        .satisfies(w -> assertThat(w.getCostNanos()).isEqualTo(42));
  }

  @Test
  void dayTotalsPerCustomerAndKey() {
    send(event("acme", "m1", "t", T, 10));
    send(event("acme", "m2", "t", T.plusSeconds(3600), 20));
    send(event("acme", "m2", "t", Instant.parse("2026-11-25T01:00:00Z"), 40));
    Map<String, SpendTotal> latest = new LinkedHashMap<>();
    totals.readRecordsToList().forEach(r -> latest.put(r.key(), r.value()));
    SpendTotal today = latest.get(SpendKeys.group("customer", "acme", "2026-11-24"));
    assertThat(today.getCostNanos()).isEqualTo(30);
    assertThat(today.getRequests()).isEqualTo(2);
    assertThat(today.getInputTokens()).as("all prompt tokens").isEqualTo(2 * (100 + 1000 + 5 + 7));
    assertThat(latest.get(SpendKeys.group("customer", "acme", "2026-11-25")).getCostNanos()).isEqualTo(40);
    assertThat(latest.get(SpendKeys.group("key", "key-acme", "2026-11-24")).getScope()).isEqualTo("key");
  }

  @Test
  void dayTotalsPerRequestTagOncePerEventWithCacheTokens() throws Exception {
    Map<String, Long> skipped = new java.util.concurrent.ConcurrentHashMap<>();
    driver.close();
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "spend-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("spend-topology").toString());
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    driver = new TopologyTestDriver(SpendTopology.buildTopology(AggregatorSettings.defaults(), TollgateSerdes.usageEvent(),
        new TopologyMetrics() {
          @Override
          public void budgetPeriodSkipped(String reason, long count) {
          }

          @Override
          public void tagSkipped(String reason, long count) {
            skipped.merge(reason, count, Long::sum);
          }
        }), props);
    usage = driver.createInputTopic(Topics.USAGE.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
    totals = driver.createOutputTopic(Topics.SPEND_TOTALS.name(), Serdes.String().deserializer(),
        TollgateSerdes.spendTotal().deserializer());

    String long128 = "t".repeat(RequestTags.MAX_TAG_LENGTH);
    UsageEvent first = event("acme", "m", "t", T, 10);
    first.setRequestTags(List.of("feature|a", "team-b", "feature|a", "", "x".repeat(129), long128));
    send(first);
    send(first); // a spill replay: same event id, counted once
    UsageEvent second = event("globex", "m", "t", T.plusSeconds(60), 20);
    second.setRequestTags(List.of("team-b"));
    send(second);
    UsageEvent tomorrow = event("acme", "m", "t", Instant.parse("2026-11-25T00:00:01Z"), 40);
    tomorrow.setRequestTags(List.of("team-b"));
    send(tomorrow);
    List<String> many = new java.util.ArrayList<>();
    for (int i = 0; i < RequestTags.MAX_TAGS + 4; i++) {
      many.add("many-" + i);
    }
    UsageEvent crowded = event("acme", "m", "t", T.plusSeconds(120), 1);
    crowded.setRequestTags(many);
    send(crowded);
    UsageEvent untagged = event("acme", "m", "t", T.plusSeconds(180), 1_000);
    send(untagged);

    Map<String, SpendTotal> latest = new LinkedHashMap<>();
    for (TestRecord<String, SpendTotal> r : totals.readRecordsToList()) {
      SpendTotal before = latest.get(r.key());
      assertThat(before == null || r.value().getVersion() > before.getVersion()).as("versions only grow").isTrue();
      latest.put(r.key(), r.value());
    }
    SpendTotal teamB = latest.get(SpendKeys.group("tag", "team-b", "2026-11-24"));
    assertThat(teamB.getScope()).isEqualTo("tag");
    assertThat(teamB.getScopeId()).isEqualTo("team-b");
    assertThat(teamB.getDay()).isEqualTo(java.time.LocalDate.parse("2026-11-24"));
    assertThat(teamB.getDuration()).as("a day total").isEmpty();
    assertThat(teamB.getPeriodStart()).isNull();
    assertThat(teamB.getRequests()).as("the replayed event once, across customers").isEqualTo(2);
    assertThat(teamB.getCostNanos()).isEqualTo(30);
    assertThat(teamB.getInputTokens()).as("every prompt token").isEqualTo(2 * (100 + 1000 + 5 + 7));
    assertThat(teamB.getCacheReadTokens()).isEqualTo(2 * 1000);
    assertThat(teamB.getCacheWriteTokens()).isEqualTo(2 * (5 + 7));
    assertThat(teamB.getOutputTokens()).isEqualTo(20);
    assertThat(latest.get(SpendKeys.group("tag", "team-b", "2026-11-25")).getCostNanos()).isEqualTo(40);
    SpendTotal featureA = latest.get(SpendKeys.group("tag", "feature|a", "2026-11-24"));
    assertThat(featureA.getRequests()).as("a tag named twice in one call counts once").isEqualTo(1);
    assertThat(featureA.getCostNanos()).isEqualTo(10);
    assertThat(latest.get(SpendKeys.group("tag", long128, "2026-11-24")).getCostNanos()).as("128 chars is fine")
        .isEqualTo(10);
    for (int i = 0; i < RequestTags.MAX_TAGS + 4; i++) {
      SpendTotal t = latest.get(SpendKeys.group("tag", "many-" + i, "2026-11-24"));
      if (i < RequestTags.MAX_TAGS) {
        assertThat(t.getCostNanos()).isEqualTo(1);
      } else {
        assertThat(t).as("tag %d is beyond the cap", i).isNull();
      }
    }
    assertThat(latest.keySet().stream().filter(k -> k.startsWith(SpendKeys.group("tag")))
        .filter(k -> !k.contains("many-")).count()).as("no empty or 129-char tag total").isEqualTo(4);
    assertThat(latest.values().stream().filter(t -> t.getScope().equals("tag")).mapToLong(SpendTotal::getCostNanos)
        .sum()).as("the untagged call is in no tag total").isEqualTo(30 + 40 + 10 + 10 + RequestTags.MAX_TAGS);
    assertThat(skipped).containsExactlyInAnyOrderEntriesOf(Map.of(RequestTags.REPEATED, 1L, RequestTags.EMPTY, 1L,
        RequestTags.TOO_LONG, 1L, RequestTags.TOO_MANY, 4L));
    SpendTotal acmeDay = latest.get(SpendKeys.group("customer", "acme", "2026-11-24"));
    assertThat(acmeDay.getCostNanos()).as("customer totals unchanged by tags").isEqualTo(10 + 1 + 1_000);
  }

  /**
   * Issue 14's retention of day totals: once stream time passes a day's end plus the grace (24 h),
   * the day's key, customer and tag totals get a tombstone (compaction drops them; the store forgets
   * them), a later delta for that day is dropped (no partial total re-created), and the next day,
   * still within its grace, is untouched. Both topologies.
   */
  @Test
  void dayTotalsArePurgedWithATombstoneAfterTheirDayAndGrace() throws Exception {
    for (AggregatorSettings settings : List.of(AggregatorSettings.defaults(),
        AggregatorSettings.defaults().withPreAggregate(Duration.ZERO))) {
      open(settings);
      UsageEvent day24 = event("acme", "m", "t", T, 10);
      day24.setRequestTags(List.of("team-b"));
      send(day24);
      send(event("acme", "m", "t", Instant.parse("2026-11-25T09:00:00Z"), 20));
      String acme24 = SpendKeys.group("customer", "acme", "2026-11-24");
      String key24 = SpendKeys.group("key", "key-acme", "2026-11-24");
      String tag24 = SpendKeys.group("tag", "team-b", "2026-11-24");
      Map<String, SpendTotal> latest = latestTotals();
      assertThat(latest.get(acme24).getCostNanos()).isEqualTo(10);
      assertThat(latest.get(tag24).getCostNanos()).isEqualTo(10);

      // Stream time past 2026-11-24's end + 24 h grace (2026-11-26T00:00Z), then the purge's minute.
      send(event("acme", "m", "t", Instant.parse("2026-11-26T00:00:30Z"), 40));
      send(event("acme", "m", "t", Instant.parse("2026-11-26T00:02:00Z"), 80));
      List<TestRecord<String, SpendTotal>> after = totals.readRecordsToList();
      assertThat(after).as("a tombstone for each of the day's totals (%s)", settings)
          .filteredOn(r -> r.value() == null).extracting(TestRecord::key)
          .containsExactlyInAnyOrder(acme24, key24, tag24);

      send(event("acme", "m", "t", T.plusSeconds(60), 1_000)); // late: its day is purged
      UsageEvent day25 = event("acme", "m", "t", Instant.parse("2026-11-25T10:00:00Z"), 3);
      send(day25);
      Map<String, SpendTotal> end = latestTotals();
      assertThat(end).as("no partial total re-created for the purged day").doesNotContainKey(acme24);
      assertThat(end.get(SpendKeys.group("customer", "acme", "2026-11-25")).getCostNanos())
          .as("the day after, within its grace, is kept").isEqualTo(23);
    }
  }

  /** The newest day or period total per key; a tombstone removes the key. */
  private Map<String, SpendTotal> latestTotals() {
    Map<String, SpendTotal> latest = new LinkedHashMap<>();
    for (TestRecord<String, SpendTotal> r : totals.readRecordsToList()) {
      if (r.value() == null) {
        latest.remove(r.key());
      } else {
        latest.put(r.key(), r.value());
      }
    }
    return latest;
  }

  @Test
  void keysCannotCollideWhateverTheNames() {
    assertThat(SpendKeys.group("a|b", "c")).isNotEqualTo(SpendKeys.group("a", "b|c"));
    assertThat(SpendKeys.split(SpendKeys.group("x:1|", "", "3:z"), 3)).containsExactly("x:1|", "", "3:z");
  }
}
