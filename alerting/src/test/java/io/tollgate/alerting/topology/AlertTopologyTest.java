package io.tollgate.alerting.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.alerting.rules.AnomalyRule;
import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.Scope;
import io.tollgate.alerting.rules.ThresholdRule;
import io.tollgate.schemas.Alert;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Files;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The production alerting topology under TopologyTestDriver. */
class AlertTopologyTest {
  private static final long USD = 1_000_000_000L;
  private static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");
  private TopologyTestDriver driver;
  private TestInputTopic<String, SpendWindow> windows;
  private TestInputTopic<String, SpendTotal> totals;
  private TestOutputTopic<String, Alert> alerts;
  private final List<SpendWindow> sent = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    List<ThresholdRule> rules = List.of(
        new ThresholdRule("daily-50", Scope.CUSTOMER, "*", Period.DAY, 50 * USD, 80, List.of("slack", "email")),
        new ThresholdRule("monthly-1000", Scope.CUSTOMER, "*", Period.MONTH, 1000 * USD, null, List.of("email")),
        new ThresholdRule("opus-hourly", Scope.MODEL, "claude-opus-4-1", Period.HOUR, 20 * USD, null, List.of("slack")),
        new ThresholdRule("key-daily-10", Scope.KEY, "*", Period.DAY, 10 * USD, null, List.of("log")));
    List<AnomalyRule> anomalies = List.of(AnomalyRule.defaults("spike", Scope.CUSTOMER, Period.DAY, 5 * USD, List.of("slack")));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "alert-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("alert-topology").toString());
    // Wall-clock time is "now" for the tests: noon of DAY (alerts of long-gone periods are not raised).
    driver = new TopologyTestDriver(AlertTopology.buildTopology(rules, anomalies), props, DAY.plusSeconds(12 * 3600));
    windows = driver.createInputTopic(Topics.SPEND_WINDOWS.name(), Serdes.String().serializer(),
        TollgateSerdes.spendWindow().serializer());
    totals = driver.createInputTopic(Topics.SPEND_TOTALS.name(), Serdes.String().serializer(),
        TollgateSerdes.spendTotal().serializer());
    alerts = driver.createOutputTopic(Topics.ALERTS.name(), Serdes.String().deserializer(), TollgateSerdes.alert().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void window(String size, Instant start, String customer, String model, String tool, long version, long costNanos) {
    SpendWindow w = SpendWindow.newBuilder().setWindowSize(size).setWindowStart(start)
        .setWindowEnd(start.plusSeconds(size.equals("1h") ? 3600 : 86_400)).setCustomerId(customer).setModel(model)
        .setTool(tool).setRequests(version).setCostNanos(costNanos).setVersion(version).setUpdatedAt(start.plusSeconds(version))
        .build();
    sent.add(w);
    windows.pipeInput(size + "|" + start + "|" + customer + "|" + model + "|" + tool, w, start.plusSeconds(version));
  }

  @Test
  void aCustomerCrossingFiftyDollarsADayAlertsExactlyOnceDespiteAHundredUpdates() {
    for (int v = 1; v <= 150; v++) {
      window("1d", DAY, "acme", "claude-sonnet-4-5", "claude-code", v, v * USD / 2); // $0.50 per update
    }
    List<Alert> out = alerts.readValuesToList();
    assertThat(out).extracting(Alert::getSeverity).containsExactly("warning", "critical");
    Alert limit = out.get(1);
    assertThat(limit.getRuleId()).isEqualTo("daily-50");
    assertThat(limit.getScope()).isEqualTo("customer");
    assertThat(limit.getScopeId()).isEqualTo("acme");
    assertThat(limit.getSpendNanos()).isEqualTo(50 * USD);
    assertThat(limit.getThresholdNanos()).isEqualTo(50 * USD);
    assertThat(limit.getChannels()).containsExactly("slack", "email");
    assertThat(limit.getWindowStart()).isEqualTo(DAY);
  }

  @Test
  void spendAcrossModelsAndToolsAddsUpPerCustomer() {
    window("1d", DAY, "acme", "claude-sonnet-4-5", "claude-code", 1, 30 * USD);
    window("1d", DAY, "acme", "gpt-5", "codex", 1, 15 * USD);
    assertThat(alerts.readValuesToList()).extracting(Alert::getSeverity).containsExactly("warning");
    window("1d", DAY, "acme", "gpt-5", "codex", 2, 21 * USD); // +6: total 51
    assertThat(alerts.readValuesToList()).singleElement().satisfies(a -> {
      assertThat(a.getSeverity()).isEqualTo("critical");
      assertThat(a.getSpendNanos()).isEqualTo(51 * USD);
    });
    window("1d", DAY, "globex", "gpt-5", "codex", 1, 10 * USD);
    assertThat(alerts.readValuesToList()).isEmpty();
  }

  @Test
  void aReplayOfTheSameWindowsFiresNothingNew() {
    window("1d", DAY, "acme", "m", "t", 1, 60 * USD);
    assertThat(alerts.readValuesToList()).hasSize(1);
    List<SpendWindow> replay = new ArrayList<>(sent);
    for (SpendWindow w : replay) {
      windows.pipeInput("replayed", w, w.getUpdatedAt());
    }
    window("1d", DAY, "acme", "m", "t", 1, 60 * USD); // an older-or-equal version again
    assertThat(alerts.readValuesToList()).isEmpty();
  }

  @Test
  void monthsSumTheirDaysAndHoursUseHourWindows() {
    for (int d = 0; d < 30; d++) {
      window("1d", Instant.parse("2026-11-01T00:00:00Z").plusSeconds(d * 86_400L), "initech", "m", "t", 1, 40 * USD);
    }
    assertThat(alerts.readValuesToList()).filteredOn(a -> a.getRuleId().equals("monthly-1000")).singleElement()
        .satisfies(a -> {
          assertThat(a.getSpendNanos()).isEqualTo(1000 * USD);
          assertThat(a.getWindowStart()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        });
    window("1h", DAY.plusSeconds(7200), "anyone", "claude-opus-4-1", "claude-code", 1, 25 * USD);
    window("1d", DAY, "anyone-else", "claude-opus-4-1", "claude-code", 1, 25 * USD); // day windows never feed hour rules
    assertThat(alerts.readValuesToList()).extracting(Alert::getRuleId).containsExactly("opus-hourly");
  }

  @Test
  void aSpikeInTheStillOpenDayRaisesOneAnomalyAlertNamingWhatIsBehindIt() {
    Instant first = DAY.minusSeconds(14 * 86_400L);
    for (int d = 0; d < 14; d++) {
      window("1d", first.plusSeconds(d * 86_400L), "acme", "claude-sonnet-4-5", "claude-code", 1, 10 * USD);
    }
    assertThat(alerts.readValuesToList()).isEmpty();
    Instant today = first.plusSeconds(14 * 86_400L);
    window("1d", today, "acme", "claude-sonnet-4-5", "claude-code", 1, 6 * USD);
    assertThat(alerts.readValuesToList()).as("a normal morning").isEmpty();
    window("1d", today, "acme", "claude-opus-4-1", "codex", 1, 12 * USD); // $18 in all: far above $10 ± 5 %
    List<Alert> out = alerts.readValuesToList();
    assertThat(out).singleElement().satisfies(a -> {
      assertThat(a.getKind()).isEqualTo("anomaly");
      assertThat(a.getSeverity()).isEqualTo("critical");
      assertThat(a.getScopeId()).isEqualTo("acme");
      assertThat(a.getWindowStart()).isEqualTo(today);
      assertThat(a.getSpendNanos()).isEqualTo(18 * USD);
      assertThat(a.getBaselineMeanNanos()).isEqualTo(10 * USD);
      assertThat(a.getZScore()).isGreaterThan(3.0);
      assertThat(a.getDetails()).containsEntry("top_models", "claude-opus-4-1 $12.00, claude-sonnet-4-5 $6.00")
          .containsEntry("top_tools", "codex $12.00, claude-code $6.00");
    });
    for (int v = 2; v <= 50; v++) {
      window("1d", today, "acme", "claude-opus-4-1", "codex", v, (12 + v) * USD);
    }
    assertThat(alerts.readValuesToList()).as("the same spike, updated 49 more times (the $50 rule speaks for itself)")
        .noneMatch(a -> a.getKind().equals("anomaly"));
  }

  @Test
  void keyBudgetsReadTheDayTotalsPerKey() {
    LocalDate day = LocalDate.parse("2026-11-24");
    for (int v = 1; v <= 30; v++) {
      SpendTotal t = SpendTotal.newBuilder().setScope("key").setScopeId("hash-1").setDay(day).setRequests(v)
          .setCostNanos(v * USD / 2).setVersion(v).setUpdatedAt(DAY.plusSeconds(v)).build();
      totals.pipeInput("key|hash-1|" + day, t, DAY.plusSeconds(v));
      SpendTotal customer = SpendTotal.newBuilder(t).setScope("customer").setScopeId("acme").build();
      totals.pipeInput("customer|acme|" + day, customer, DAY.plusSeconds(v)); // customer totals: not for key rules
    }
    assertThat(alerts.readValuesToList()).singleElement().satisfies(a -> {
      assertThat(a.getRuleId()).isEqualTo("key-daily-10");
      assertThat(a.getScope()).isEqualTo("key");
      assertThat(a.getScopeId()).isEqualTo("hash-1");
      assertThat(a.getSpendNanos()).isEqualTo(10 * USD);
    });
  }

  @Test
  void budgetPeriodTotalsOnTheSameTopicAreNotDayTotals() {
    LocalDate day = LocalDate.parse("2026-11-24");
    Instant start = day.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    for (String duration : new String[] {"", "1d", "1mo"}) { // lifetime, a day-long period, a month
      Instant periodStart = duration.isEmpty() ? Instant.EPOCH : start;
      SpendTotal t = SpendTotal.newBuilder().setScope("key").setScopeId("hash-1").setDay(day).setRequests(1)
          .setCostNanos(100 * USD).setVersion(1).setUpdatedAt(DAY).setDuration(duration).setPeriodStart(periodStart)
          .build();
      totals.pipeInput("key|hash-1|" + duration + "|" + periodStart.toEpochMilli(), t, DAY);
    }
    assertThat(alerts.readValuesToList()).as("the key-daily rule reads day totals only").isEmpty();
  }

  @Test
  void stateOfLongGonePeriodsIsPurgedAsStreamTimeMovesOn() {
    window("1d", DAY, "acme", "m", "t", 1, 60 * USD);
    var seen = driver.<String, String>getKeyValueStore(ScopeProcessor.SEEN + "-customer");
    var fired = driver.<String, String>getKeyValueStore(ScopeProcessor.FIRED + "-customer");
    assertThat(seen.approximateNumEntries()).isEqualTo(1);
    assertThat(fired.approximateNumEntries()).isEqualTo(1);
    window("1d", DAY.plus(java.time.Duration.ofDays(45)), "acme", "m", "t", 1, USD);
    assertThat(seen.get("1d|" + DAY.toEpochMilli() + "|4:acme|1:m|t")).as("older than 40 days").isNull();
    assertThat(fired.approximateNumEntries()).as("fired ids are kept 71 days").isEqualTo(1);
    window("1d", DAY.plus(java.time.Duration.ofDays(75)), "acme", "m", "t", 1, USD);
    assertThat(fired.approximateNumEntries()).isZero();
  }

  @Test
  void periodsThatEndedDaysAgoAreCountedButRaiseNothing() {
    Instant old = DAY.minusSeconds(10 * 86_400L);
    window("1d", old, "acme", "m", "t", 1, 60 * USD); // e.g. a first deployment reading history
    assertThat(alerts.readValuesToList()).isEmpty();
    window("1d", DAY.minusSeconds(86_400L), "acme", "m", "t", 1, 60 * USD); // yesterday: still news
    assertThat(alerts.readValuesToList()).extracting(Alert::getWindowStart).containsExactly(DAY.minusSeconds(86_400L));
  }

  @Test
  void aTotalThatShrinksIsNotSubtracted() {
    window("1d", DAY, "acme", "m", "t", 5, 45 * USD); // passes the 80 % warning
    window("1d", DAY, "acme", "m", "t", 6, 10 * USD); // a newer version with less: a reset upstream
    assertThat(alerts.readValuesToList()).extracting(Alert::getSeverity).containsExactly("warning");
    window("1d", DAY, "acme", "m", "t", 7, 15 * USD); // +5 from the reset: 50 in all for the day
    assertThat(alerts.readValuesToList()).singleElement().satisfies(a -> {
      assertThat(a.getSeverity()).isEqualTo("critical");
      assertThat(a.getSpendNanos()).isEqualTo(50 * USD);
    });
  }
}
