package io.tollgate.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-scope anomaly state machine: periods roll over, baselines grow, alerts fire once. */
class AnomalyStateTest {
  private static final long USD = 1_000_000_000L;
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private final AnomalyRule rule = AnomalyRule.defaults("anomaly", Scope.CUSTOMER, Period.DAY, 5 * USD, List.of("slack"));

  private record Run(AnomalyState state, List<AlertDecision> alerts) {
  }

  /** Feeds each day's spend in {@code parts} updates spread over the day. */
  private Run feed(AnomalyState state, int firstDay, double[] dailyUsd, int parts) {
    List<AlertDecision> alerts = new ArrayList<>();
    for (int d = 0; d < dailyUsd.length; d++) {
      Instant day = START.plus(Duration.ofDays(firstDay + d));
      long total = Math.round(dailyUsd[d] * USD);
      for (int p = 0; p < parts; p++) {
        long delta = total / parts + (p == parts - 1 ? total % parts : 0);
        AnomalyState.Step step = state.add(rule, "acme", day, delta, day.plus(Duration.ofHours(1 + p * 20L / parts)));
        state = step.state();
        alerts.addAll(step.alerts());
      }
    }
    return new Run(state, alerts);
  }

  private static double[] flat(int days, double usd) {
    double[] out = new double[days];
    java.util.Arrays.fill(out, usd);
    return out;
  }

  @Test
  void completedPeriodsJoinTheBaselineAndTheOpenOneDoesNot() {
    Run run = feed(AnomalyState.NEW, 0, flat(10, 100), 4);
    assertThat(run.alerts()).isEmpty();
    assertThat(run.state().baseline().windows()).isEqualTo(9); // day 10 is still open
    assertThat(run.state().spendNanos()).isEqualTo(100 * USD);
    assertThat(run.state().baseline().mean()).isEqualTo(100.0 * USD);
  }

  @Test
  void aSpikeFiresInTheOpenPeriodOnceAndEscalatesOnceWithinTheCooldown() {
    double[] usual = new double[30];
    for (int i = 0; i < usual.length; i++) {
      usual[i] = i % 2 == 0 ? 60 : 140; // mean ~100, σ ~40
    }
    AnomalyState s = feed(AnomalyState.NEW, 0, usual, 2).state();
    Instant today = START.plus(Duration.ofDays(30));
    AnomalyState.Step normal = s.add(rule, "acme", today, 100 * USD, today.plus(Duration.ofHours(1)));
    assertThat(normal.alerts()).isEmpty();
    Baseline b = normal.state().baseline();
    assertThat(b.stddev()).isBetween(30.0 * USD, 50.0 * USD);
    long warnAt = Math.round(b.mean() + 2.5 * b.stddev()); // also at least 1.5 × the mean, as spikes must be
    long criticalAt = Math.round(b.mean() + 3.5 * b.stddev());
    AnomalyState.Step warn = normal.state().add(rule, "acme", today, warnAt - 100 * USD, today.plus(Duration.ofHours(2)));
    assertThat(warn.alerts()).singleElement().satisfies(a -> {
      assertThat(a.severity()).isEqualTo("warning");
      assertThat(a.spendNanos()).isEqualTo(warnAt);
      assertThat(a.zScore()).isCloseTo(2.5, org.assertj.core.data.Offset.offset(0.01));
    });
    AnomalyState.Step worse = warn.state().add(rule, "acme", today, (criticalAt - warnAt) / 4, today.plus(Duration.ofHours(3)));
    assertThat(worse.alerts()).as("still a warning: cooling down").isEmpty();
    AnomalyState.Step critical = worse.state().add(rule, "acme", today, criticalAt - warnAt, today.plus(Duration.ofHours(4)));
    assertThat(critical.alerts()).as("escalation within the cooldown").singleElement()
        .satisfies(a -> assertThat(a.severity()).isEqualTo("critical"));
    AnomalyState.Step again = critical.state().add(rule, "acme", today, 100 * USD, today.plus(Duration.ofHours(5)));
    assertThat(again.alerts()).as("nothing more within the cooldown").isEmpty();
  }

  @Test
  void coldStartStaysQuietUntilEnoughPeriodsExist() {
    Run run = feed(AnomalyState.NEW, 0, new double[] {100, 100, 100, 5000}, 1);
    assertThat(run.alerts()).isEmpty();
  }

  @Test
  void daysWithoutSpendCountAsZerosAndOlderPeriodsAreIgnored() {
    AnomalyState s = feed(AnomalyState.NEW, 0, flat(10, 100), 1).state();
    Instant later = START.plus(Duration.ofDays(15)); // days 10..14 had nothing
    s = s.add(rule, "acme", later, USD, later).state();
    assertThat(s.baseline().windows()).isEqualTo(15); // days 0..9 plus five empty days (day 9 closed with day 15's arrival)
    assertThat(s.baseline().mean()).isLessThan(100.0 * USD);
    AnomalyState.Step late = s.add(rule, "acme", START.plus(Duration.ofDays(3)), 1000 * USD, later);
    assertThat(late.state()).isEqualTo(s);
    assertThat(late.alerts()).isEmpty();
  }

  @Test
  void aLongDriftIsOneAlertNotOnePerDay() {
    double[] days = new double[60];
    for (int i = 0; i < days.length; i++) {
      days[i] = i < 30 ? 100 : 100 * Math.pow(3, Math.min(i - 29, 14) / 14.0);
    }
    Run run = feed(AnomalyState.NEW, 0, days, 1);
    assertThat(run.alerts()).filteredOn(a -> a.reason().contains("long-term average")).hasSize(1);
  }

  @Test
  void quietOnNoiseAndSlowGrowth() {
    java.util.Random random = new java.util.Random(3);
    double[] days = new double[200];
    for (int i = 0; i < days.length; i++) {
      days[i] = 100 * Math.pow(1.01, i) * (1 + random.nextGaussian() * 0.08);
    }
    assertThat(feed(AnomalyState.NEW, 0, days, 3).alerts()).isEmpty();
  }

  @Test
  void encodesExactly() {
    AnomalyState s = feed(AnomalyState.NEW, 0, new double[] {100.123456789, 90.5, 111.75}, 3).state();
    assertThat(AnomalyState.decode(s.encode())).isEqualTo(s);
    assertThat(AnomalyState.decode(null)).isEqualTo(AnomalyState.NEW);
  }

  @Test
  void aDriftAlertIsNoWarningASpikeCouldEscalateThroughTheCooldown() {
    // Steady growth: each day's spend arrives in the morning, the drift alert fires when a day closes.
    AnomalyState s = AnomalyState.NEW;
    Instant day = START;
    AnomalyState.Step step = null;
    for (int i = 0; i < 60; i++, day = day.plus(Duration.ofDays(1))) {
      long usd = Math.round(100 * Math.pow(3, Math.max(0, i - 29) / 14.0));
      step = s.add(rule, "acme", day, usd * USD / 10, day.plus(Duration.ofHours(1))); // a tenth: no spike yet
      s = step.state();
      if (step.alerts().stream().anyMatch(a -> a.reason().contains("long-term average"))) {
        break;
      }
      s = s.add(rule, "acme", day, usd * USD - usd * USD / 10, day.plus(Duration.ofHours(23))).state();
    }
    assertThat(step.alerts()).singleElement().satisfies(a -> assertThat(a.reason()).contains("long-term average"));
    AnomalyState.Step spike = s.add(rule, "acme", day, 10_000 * USD, day.plus(Duration.ofHours(2)));
    assertThat(spike.alerts()).as("within the drift alert's cooldown").isEmpty();
  }
}
