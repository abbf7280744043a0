package io.tollgate.alerting.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.alerting.rules.AlertIds;
import io.tollgate.alerting.rules.CacheBreakRule;
import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.Scope;
import io.tollgate.alerting.rules.ThresholdRule;
import io.tollgate.schemas.Alert;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cache-break rules through the production alerting topology: running window totals (several
 * models and tools of one customer, many versions each) and the key and tag day totals. Prices as in
 * {@code CacheBreakStateTest}: a prompt token costs 3000 nano-USD uncached, 300 read from the cache,
 * plus 1000 of output.
 */
class CacheBreakTopologyTest {
  private static final Instant START = Instant.parse("2026-11-20T00:00:00Z");
  private TopologyTestDriver driver;
  private TestInputTopic<String, SpendWindow> windows;
  private TestInputTopic<String, SpendTotal> totals;
  private TestOutputTopic<String, Alert> alerts;
  /** Running totals per counter: cost, prompt tokens, cache reads, version. */
  private final Map<String, long[]> running = new HashMap<>();
  private final List<Runnable> sent = new ArrayList<>();

  private void start(List<CacheBreakRule> rules, Instant wallClock) throws Exception {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "cache-break-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("cache-break-topology").toString());
    List<ThresholdRule> thresholds = List.of( // a spend rule on the same branch, to show both run side by side
        new ThresholdRule("hourly-1000", Scope.CUSTOMER, "*", Period.HOUR, 1000_000_000_000L, null, List.of("log")));
    driver = new TopologyTestDriver(AlertTopology.buildTopology(thresholds, List.of(), rules), props, wallClock);
    windows = driver.createInputTopic(Topics.SPEND_WINDOWS.name(), Serdes.String().serializer(),
        TollgateSerdes.spendWindow().serializer());
    totals = driver.createInputTopic(Topics.SPEND_TOTALS.name(), Serdes.String().serializer(),
        TollgateSerdes.spendTotal().serializer());
    alerts = driver.createOutputTopic(Topics.ALERTS.name(), Serdes.String().deserializer(), TollgateSerdes.alert().deserializer());
  }

  @AfterEach
  void stop() {
    if (driver != null) {
      driver.close();
    }
  }

  private static long cost(long prompt, long read) {
    return (prompt - read) * 3000 + read * 300 + prompt * 1000;
  }

  /** One call's worth of growth of a window total (size 1m/1h/1d), sent as its newest version. */
  private void window(String size, Instant start, String customer, String model, String tool, long prompt, long read) {
    String counter = size + "|" + start + "|" + customer + "|" + model + "|" + tool;
    long[] r = running.computeIfAbsent(counter, k -> new long[4]);
    r[0] += cost(prompt, read);
    r[1] += prompt;
    r[2] += read;
    r[3]++;
    long seconds = switch (size) {
      case "1m" -> 60;
      case "1h" -> 3600;
      default -> 86_400;
    };
    Instant at = start.plusMillis(Math.min(seconds * 1000 - 1, r[3] * 1000));
    // input_tokens of a window excludes cache tokens; a tenth of the uncached part was a cache write
    long uncached = prompt - read;
    SpendWindow w = SpendWindow.newBuilder().setWindowSize(size).setWindowStart(start)
        .setWindowEnd(start.plusSeconds(seconds)).setCustomerId(customer).setModel(model).setTool(tool)
        .setRequests(r[3]).setInputTokens(r[1] - r[2] - (r[1] - r[2]) / 10).setCacheWrite5mTokens((r[1] - r[2]) / 10)
        .setCacheReadTokens(r[2]).setCostNanos(r[0]).setVersion(r[3]).setUpdatedAt(at).build();
    assertThat(uncached).isNotNegative();
    sent.add(() -> windows.pipeInput(counter, w, at));
    windows.pipeInput(counter, w, at);
  }

  /** The same for a key's or tag's day total. */
  private void total(String scope, String id, LocalDate day, long prompt, long read) {
    String counter = scope + "|" + id + "|" + day;
    long[] r = running.computeIfAbsent(counter, k -> new long[4]);
    r[0] += cost(prompt, read);
    r[1] += prompt;
    r[2] += read;
    r[3]++;
    Instant at = day.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(r[3] * 60);
    SpendTotal t = SpendTotal.newBuilder().setScope(scope).setScopeId(id).setDay(day).setRequests(r[3])
        .setInputTokens(r[1]).setCacheReadTokens(r[2]).setCostNanos(r[0]).setVersion(r[3]).setUpdatedAt(at).build();
    totals.pipeInput(counter, t, at);
  }

  /** {@code calls} calls an hour of 100k prompt tokens each, split over two models and tools. */
  private void hour(Instant hour, String customer, int calls, double share) {
    for (int c = 0; c < calls; c++) {
      boolean first = c % 2 == 0;
      window("1h", hour, customer, first ? "claude-sonnet-4-5" : "claude-opus-4-1", first ? "claude-code" : "codex",
          100_000, Math.round(100_000 * share));
    }
  }

  @Test
  void aCustomersHourlyCacheBreakFiresOnceThroughTheTopology() throws Exception {
    CacheBreakRule rule = CacheBreakRule.defaults("cache-break", Scope.CUSTOMER, Period.HOUR, List.of("slack"));
    Instant broken = START.plus(Duration.ofHours(30));
    start(List.of(rule), broken.plus(Duration.ofHours(2)));
    for (int h = 0; h < 30; h++) {
      hour(START.plus(Duration.ofHours(h)), "acme", 20, 0.9);
      hour(START.plus(Duration.ofHours(h)), "globex", 20, 0.9);
    }
    for (int h = 30; h < 33; h++) {
      hour(START.plus(Duration.ofHours(h)), "acme", 20, 0.0); // a deploy put a timestamp into the system prompt
      hour(START.plus(Duration.ofHours(h)), "globex", 20, 0.88);
    }
    List<Alert> out = alerts.readValuesToList();
    assertThat(out).singleElement().satisfies(a -> {
      assertThat(a.getAlertId()).isEqualTo(AlertIds.of("cache-break", "acme", broken, "cache_break"));
      assertThat(a.getKind()).isEqualTo("cache_break");
      assertThat(a.getScope()).isEqualTo("customer");
      assertThat(a.getPeriod()).isEqualTo("hour");
      assertThat(a.getWindowStart()).isEqualTo(broken);
      assertThat(a.getChannels()).containsExactly("slack");
      // per prompt token 1570 nano-USD before, 4000 now; 2M prompt tokens an hour → $116.64/day
      assertThat(a.getMessage()).startsWith("customer acme: prompt-cache reads fell to 0.0% of input tokens this hour")
          .endsWith("+$116.64/day if it stays broken");
      assertThat(a.getDetails()).containsEntry("extra_usd_per_day", "116.64").containsKey("top_models")
          .containsKey("top_tools").containsEntry("baseline_cache_read_share", "90%");
    });
    KeyValueStore<String, String> state = driver.getKeyValueStore(ScopeProcessor.CACHE + "-customer");
    assertThat(state.get("cache-break|acme")).contains("|true|");
    assertThat(state.get("cache-break|globex")).contains("|false|");

    sent.forEach(Runnable::run); // the whole topic again
    assertThat(alerts.readValuesToList()).as("a replay fires nothing").isEmpty();
  }

  @Test
  void minuteWindowsFeedMinuteRulesOnlyAndHourRulesIgnoreThem() throws Exception {
    CacheBreakRule minutes = new CacheBreakRule("demo-cache-break", Scope.CUSTOMER, "*", Period.MINUTE, 5, 1, 0.5, 0.5,
        0, 10_000, 0.2, Duration.ofHours(1), List.of("log"));
    CacheBreakRule hours = CacheBreakRule.defaults("cache-break", Scope.CUSTOMER, Period.HOUR, List.of("log"));
    Instant hour = START.plus(Duration.ofHours(10));
    start(List.of(minutes, hours), hour.plus(Duration.ofHours(1)));
    for (int m = 0; m < 4; m++) {
      Instant minute = hour.plus(Duration.ofMinutes(m));
      double share = m < 2 ? 0.9 : 0.0;
      for (int c = 0; c < 10; c++) {
        window("1m", minute, "hooli", "claude-sonnet-4-5", "claude-code", 50_000, Math.round(50_000 * share));
        window("1h", hour, "hooli", "claude-sonnet-4-5", "claude-code", 50_000, Math.round(50_000 * share));
      }
    }
    assertThat(alerts.readValuesToList()).singleElement().satisfies(a -> {
      assertThat(a.getRuleId()).isEqualTo("demo-cache-break");
      assertThat(a.getPeriod()).isEqualTo("minute");
      assertThat(a.getWindowStart()).isEqualTo(hour.plus(Duration.ofMinutes(2)));
    });
  }

  @Test
  void tagAndKeyDayTotalsBreakPerTagAndPerKey() throws Exception {
    CacheBreakRule tags = new CacheBreakRule("tag-cache-break", Scope.TAG, "*", Period.DAY, 7, 3, 0.5, 0.5, 0,
        100_000, 0.2, Duration.ofDays(1), List.of("log"));
    CacheBreakRule keys = new CacheBreakRule("key-cache-break", Scope.KEY, "*", Period.DAY, 7, 3, 0.5, 0.5, 0,
        100_000, 0.2, Duration.ofDays(1), List.of("log"));
    LocalDate first = LocalDate.parse("2026-11-10");
    start(List.of(tags, keys), first.plusDays(10).atStartOfDay(ZoneOffset.UTC).toInstant().plus(Duration.ofHours(12)));
    for (int d = 0; d <= 10; d++) {
      LocalDate day = first.plusDays(d);
      for (int c = 0; c < 20; c++) {
        total("tag", "feature:search", day, 200_000, d < 10 ? 170_000 : 20_000); // the search feature breaks on day 10
        total("tag", "feature:chat", day, 200_000, 170_000);
        total("key", "hash-1", day, 100_000, d < 10 ? 80_000 : 0); // and so does the key behind it
        total("customer", "acme", day, 100_000, 0); // customer day totals: not for these rules
      }
    }
    List<Alert> out = alerts.readValuesToList();
    assertThat(out).extracting(Alert::getRuleId, Alert::getScope, Alert::getScopeId, Alert::getPeriod)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("tag-cache-break", "tag", "feature:search", "day"),
            org.assertj.core.groups.Tuple.tuple("key-cache-break", "key", "hash-1", "day"));
    assertThat(out).allSatisfy(a -> assertThat(a.getMessage()).contains("/day if it stays broken"));
  }
}
