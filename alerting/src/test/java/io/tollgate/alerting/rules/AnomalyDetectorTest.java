package io.tollgate.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Anomaly maths on synthetic daily series: quiet on noise and slow growth, loud on spikes and drift. */
class AnomalyDetectorTest {
  private static final long USD = 1_000_000_000L;
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private final AnomalyRule rule = AnomalyRule.defaults("anomaly", Scope.CUSTOMER, Period.DAY, 5 * USD, List.of("slack"));

  /** Replays whole days: the spike test on each finished day before it joins the baseline, then the drift test. */
  private List<AlertDecision> replay(double[] dailyUsd) {
    List<AlertDecision> alerts = new ArrayList<>();
    Baseline baseline = Baseline.EMPTY;
    for (int day = 0; day < dailyUsd.length; day++) {
      Instant start = START.plus(Duration.ofDays(day));
      long spend = Math.round(dailyUsd[day] * USD);
      AnomalyDetector.spike(rule, "acme", start, baseline, spend).ifPresent(alerts::add);
      baseline = baseline.add(spend);
      AnomalyDetector.drift(rule, "acme", start, baseline).ifPresent(alerts::add);
    }
    return alerts;
  }

  @Test
  void aFlatSeriesWithNormalNoiseStaysQuiet() {
    Random random = new Random(42);
    double[] days = new double[180];
    for (int i = 0; i < days.length; i++) {
      days[i] = 100 * (1 + random.nextGaussian() * 0.10);
    }
    assertThat(replay(days)).isEmpty();
  }

  @Test
  void slowOrganicGrowthStaysQuiet() {
    Random random = new Random(7);
    double[] days = new double[180];
    for (int i = 0; i < days.length; i++) {
      days[i] = 100 * Math.pow(1.01, i) * (1 + random.nextGaussian() * 0.05);
    }
    assertThat(replay(days)).isEmpty();
  }

  @Test
  void aSpikeIsCaughtWhileTheDayIsStillOpen() {
    Baseline baseline = Baseline.EMPTY;
    for (int day = 0; day < 30; day++) {
      baseline = baseline.add((95 + day % 10) * USD);
    }
    Instant today = START.plus(Duration.ofDays(30));
    assertThat(AnomalyDetector.spike(rule, "acme", today, baseline, 80 * USD)).as("morning, normal").isEmpty();
    Optional<AlertDecision> noon = AnomalyDetector.spike(rule, "acme", today, baseline, 350 * USD);
    assertThat(noon).hasValueSatisfying(a -> {
      assertThat(a.severity()).isEqualTo("critical");
      assertThat(a.zScore()).isGreaterThan(3);
      assertThat(a.meanNanos()).isBetween(95 * USD, 105 * USD);
      assertThat(a.kind()).isEqualTo("anomaly");
    });
    // The same open day updated again keeps the same alert id: delivered once.
    assertThat(AnomalyDetector.spike(rule, "acme", today, baseline, 400 * USD).orElseThrow().alertId())
        .isEqualTo(noon.orElseThrow().alertId());
  }

  @Test
  void tripleSpendOverTwoWeeksIsCaughtAsDrift() {
    double[] days = new double[44];
    for (int i = 0; i < days.length; i++) {
      days[i] = i < 30 ? 100 : 100 * Math.pow(3, (i - 29) / 14.0);
    }
    List<AlertDecision> alerts = replay(days);
    assertThat(alerts).isNotEmpty();
    assertThat(alerts).allSatisfy(a -> assertThat(a.periodStart()).isAfter(START.plus(Duration.ofDays(30))));
    assertThat(alerts).anySatisfy(a -> assertThat(a.reason()).contains("long-term average"));
  }

  @Test
  void coldStartFloorAndCooldown() {
    Baseline young = Baseline.EMPTY.add(100 * USD).add(100 * USD).add(100 * USD);
    assertThat(AnomalyDetector.spike(rule, "acme", START, young, 1000 * USD)).as("3 of 7 baseline days").isEmpty();

    Baseline tiny = Baseline.EMPTY;
    for (int i = 0; i < 30; i++) {
      tiny = tiny.add(USD / 100);
    }
    assertThat(AnomalyDetector.spike(rule, "acme", START, tiny, USD)).as("100x but under the $5 floor").isEmpty();
    assertThat(AnomalyDetector.spike(rule, "acme", START, tiny, 6 * USD)).isPresent();

    Instant fired = Instant.parse("2026-03-01T10:00:00Z");
    assertThat(AnomalyDetector.cooledDown(rule, fired, fired.plus(Duration.ofHours(5)))).isFalse();
    assertThat(AnomalyDetector.cooledDown(rule, fired, fired.plus(Duration.ofHours(6)))).isTrue();
    assertThat(AnomalyDetector.cooledDown(rule, null, fired)).isTrue();
  }

  @Test
  void ewmaStatisticsFollowTheSeries() {
    Baseline b = Baseline.EMPTY;
    for (int i = 0; i < 200; i++) {
      b = b.add(i % 2 == 0 ? 90 * USD : 110 * USD);
    }
    assertThat(b.windows()).isEqualTo(200);
    assertThat(b.mean()).isBetween(98.0 * USD, 102.0 * USD);
    assertThat(b.stddev()).isBetween(8.0 * USD, 12.0 * USD);
  }
}
