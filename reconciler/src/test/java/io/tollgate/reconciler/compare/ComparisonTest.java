package io.tollgate.reconciler.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.reconciler.config.ReconcilerConfig;
import io.tollgate.reconciler.provider.ProviderReport;
import io.tollgate.reconciler.provider.ProviderReport.ModelDay;
import io.tollgate.reconciler.provider.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ComparisonTest {
  private static final LocalDate DAY = LocalDate.of(2026, 11, 16);
  /** 2 % or $1, never below 1 cent. */
  private static final ReconcilerConfig.Drift DRIFT = new ReconcilerConfig.Drift(200, 1_000_000_000L, 10_000_000L);
  private static final Comparison CMP = new Comparison(DRIFT, Duration.ofHours(48));
  /** DAY ended 48 h before this instant: settled. */
  private static final Instant SETTLED = Instant.parse("2026-11-19T00:00:00Z");

  private static Tokens cost(long nanos) {
    return new Tokens(1000, 100, 0, 0, 0, 1, nanos);
  }

  private static ProviderReport report(Map<ModelDay, Tokens> models, Map<LocalDate, Long> totals) {
    return new ProviderReport("anthropic", models, "usage_priced", totals, Set.of(DAY));
  }

  private static Row row(List<Row> rows, String model) {
    return rows.stream().filter(r -> r.model().equals(model)).findFirst().orElseThrow();
  }

  @Test
  void threePercentOverOrUnderIsADriftInBothDirections() {
    ModelDay k = new ModelDay("m", DAY);
    List<Row> over = CMP.compare(report(Map.of(k, cost(10_000_000_000L)), Map.of()), Map.of(k, cost(10_300_000_000L)),
        List.of(DAY), SETTLED);
    assertThat(row(over, "m").drift()).isTrue();
    assertThat(row(over, "m").driftNanos()).isEqualTo(300_000_000L);
    List<Row> under = CMP.compare(report(Map.of(k, cost(10_000_000_000L)), Map.of()), Map.of(k, cost(9_700_000_000L)),
        List.of(DAY), SETTLED);
    assertThat(row(under, "m").drift()).isTrue();
    assertThat(row(under, "m").driftNanos()).isEqualTo(-300_000_000L);
  }

  @Test
  void belowThePercentAndTheAmountIsNoDriftAndNeitherIsBelowTheMinimum() {
    ModelDay k = new ModelDay("m", DAY);
    List<Row> rows = CMP.compare(report(Map.of(k, cost(10_000_000_000L)), Map.of()),
        Map.of(k, cost(10_150_000_000L)), List.of(DAY), SETTLED);
    assertThat(row(rows, "m").drift()).isFalse();
    // 50 % of a tenth of a cent: below the minimum.
    rows = CMP.compare(report(Map.of(k, cost(1_000_000L)), Map.of()), Map.of(k, cost(1_500_000L)), List.of(DAY), SETTLED);
    assertThat(row(rows, "m").drift()).isFalse();
    // $1.50 on $1000 is 0.15 %, but above the amount.
    rows = CMP.compare(report(Map.of(k, cost(1_000_000_000_000L)), Map.of()), Map.of(k, cost(1_001_500_000_000L)),
        List.of(DAY), SETTLED);
    assertThat(row(rows, "m").drift()).isTrue();
  }

  @Test
  void matchingNumbersAreNoDrift() {
    ModelDay k = new ModelDay("m", DAY);
    List<Row> rows = CMP.compare(report(Map.of(k, cost(5_000_000_000L)), Map.of(DAY, 5_000_000_000L)),
        Map.of(k, cost(5_000_000_000L)), List.of(DAY), SETTLED);
    assertThat(rows).hasSize(2).allSatisfy(r -> {
      assertThat(r.drift()).isFalse();
      assertThat(r.driftNanos()).isZero();
      assertThat(r.status()).isEqualTo(Row.Status.SETTLED);
    });
    assertThat(row(rows, Comparison.TOTAL).billedSource()).isEqualTo("cost_report");
  }

  @Test
  void anUnsettledDayIsShownButNeverADrift() {
    ModelDay k = new ModelDay("m", DAY);
    Instant early = SETTLED.minusSeconds(1);
    List<Row> rows = CMP.compare(report(Map.of(k, cost(1_000_000_000L)), Map.of()), Map.of(k, cost(2_000_000_000L)),
        List.of(DAY), early);
    assertThat(row(rows, "m").status()).isEqualTo(Row.Status.UNSETTLED);
    assertThat(row(rows, "m").drift()).isFalse();
    assertThat(row(rows, "m").driftNanos()).isEqualTo(1_000_000_000L);
  }

  @Test
  void aDayTheProviderDidNotReportIsMissingNotADrift() {
    LocalDate lagging = DAY.plusDays(1);
    List<Row> rows = CMP.compare(report(Map.of(), Map.of()), Map.of(new ModelDay("m", lagging), cost(9_000_000_000L)),
        List.of(lagging), SETTLED.plus(Duration.ofDays(3)));
    assertThat(rows).isNotEmpty().allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(Row.Status.MISSING);
      assertThat(r.drift()).isFalse();
    });
  }

  @Test
  void theTotalDriftsOnlyWhenNoModelExplainsIt() {
    ModelDay a = new ModelDay("a", DAY);
    ModelDay b = new ModelDay("b", DAY);
    // Models match the usage report priced by Tollgate, but the bill is 5 % higher: a price table error.
    List<Row> rows = CMP.compare(report(Map.of(a, cost(5_000_000_000L), b, cost(5_000_000_000L)),
        Map.of(DAY, 10_500_000_000L)), Map.of(a, cost(5_000_000_000L), b, cost(5_000_000_000L)), List.of(DAY), SETTLED);
    assertThat(rows.stream().filter(Row::drift).map(Row::model)).containsExactly(Comparison.TOTAL);
    // One model drifts: it alone is reported, not the total too.
    rows = CMP.compare(report(Map.of(a, cost(5_000_000_000L), b, cost(5_000_000_000L)), Map.of(DAY, 10_000_000_000L)),
        Map.of(a, cost(5_300_000_000L), b, cost(5_000_000_000L)), List.of(DAY), SETTLED);
    assertThat(rows.stream().filter(Row::drift).map(Row::model)).containsExactly("a");
  }

  @Test
  void aModelTheProviderDidNotBillOnAReportedDayIsOverMetering() {
    ModelDay k = new ModelDay("m", DAY);
    List<Row> rows = CMP.compare(new ProviderReport("openai", Map.of(new ModelDay("other", DAY), cost(1L)),
        "line_items", Map.of(), Set.of(DAY)), Map.of(k, cost(2_000_000_000L)), List.of(DAY), SETTLED);
    assertThat(row(rows, "m").drift()).isTrue();
    assertThat(row(rows, "m").billed()).isEqualTo(Tokens.ZERO);
  }

  @Test
  void alertIdsAreDeterministicPerProviderModelAndDay() {
    assertThat(DriftAlerts.id("anthropic", "m", DAY)).isEqualTo(DriftAlerts.id("anthropic", "m", DAY)).hasSize(32)
        .isNotEqualTo(DriftAlerts.id("openai", "m", DAY)).isNotEqualTo(DriftAlerts.id("anthropic", "m", DAY.plusDays(1)));
  }

  @Test
  void theAlertSaysWhichWayAndHowMuch() {
    Row r = new Row("anthropic", "m", DAY, Row.Status.SETTLED, "usage_priced", cost(10_000_000_000L),
        cost(10_300_000_000L), 300_000_000L, true);
    var a = DriftAlerts.alert(r, SETTLED, List.of("slack"));
    assertThat(a.getKind()).isEqualTo("reconciliation_drift");
    assertThat(a.getMessage()).contains("$10.3000", "$10.0000", "+3.00 %", "over-meters");
    assertThat(a.getDetails()).containsEntry("direction", "over_metering").containsEntry("drift_usd", "0.3000");
    assertThat(a.getChannels()).containsExactly("slack");
    assertThat(a.getWindowStart()).isEqualTo(Instant.parse("2026-11-16T00:00:00Z"));
  }
}
