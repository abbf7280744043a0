package io.tollgate.alerting.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThresholdRuleTest {
  private static final long USD = 1_000_000_000L;
  private static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");
  private final ThresholdRule fiftyPerDay = new ThresholdRule("daily-50", Scope.CUSTOMER, "*", Period.DAY, 50 * USD, 80,
      List.of("slack", "email"));

  @Test
  void firesOnceWhenTheAmountIsFirstReachedExactlyCountsToo() {
    assertThat(fiftyPerDay.evaluate("acme", DAY, 10 * USD, 30 * USD)).isEmpty();
    List<AlertDecision> crossing = fiftyPerDay.evaluate("acme", DAY, 49 * USD, 50 * USD);
    assertThat(crossing).singleElement().satisfies(a -> {
      assertThat(a.severity()).isEqualTo("critical");
      assertThat(a.thresholdNanos()).isEqualTo(50 * USD);
      assertThat(a.spendNanos()).isEqualTo(50 * USD);
      assertThat(a.reason()).isEqualTo("customer acme reached its day limit");
    });
    // Every later update of the same day stays quiet: the line is already behind.
    for (int i = 0; i < 100; i++) {
      assertThat(fiftyPerDay.evaluate("acme", DAY, 50 * USD + i, 50 * USD + i + 1)).isEmpty();
    }
  }

  @Test
  void softWarningOnceThenTheLimitAndOneJumpOverBothGivesOnlyTheLimit() {
    assertThat(fiftyPerDay.evaluate("acme", DAY, 30 * USD, 40 * USD)).singleElement()
        .satisfies(a -> assertThat(a.severity()).isEqualTo("warning"));
    assertThat(fiftyPerDay.evaluate("acme", DAY, 40 * USD, 45 * USD)).isEmpty();
    assertThat(fiftyPerDay.evaluate("globex", DAY, 0, 70 * USD)).extracting(AlertDecision::severity)
        .containsExactly("critical");
  }

  @Test
  void alertIdsAreDeterministicPerScopeAndPeriod() {
    String first = fiftyPerDay.evaluate("acme", DAY, 0, 60 * USD).get(0).alertId();
    assertThat(fiftyPerDay.evaluate("acme", DAY, 0, 61 * USD).get(0).alertId()).as("replay").isEqualTo(first);
    assertThat(fiftyPerDay.evaluate("acme", DAY.plusSeconds(86_400), 0, 60 * USD).get(0).alertId()).isNotEqualTo(first);
    assertThat(fiftyPerDay.evaluate("globex", DAY, 0, 60 * USD).get(0).alertId()).isNotEqualTo(first);
  }

  @Test
  void matchAndPeriods() {
    ThresholdRule onlyAcme = new ThresholdRule("r", Scope.CUSTOMER, "acme", Period.MONTH, USD, null, List.of());
    assertThat(onlyAcme.evaluate("globex", DAY, 0, 2 * USD)).isEmpty();
    assertThat(onlyAcme.evaluate("acme", DAY, 0, 2 * USD)).hasSize(1);
    assertThat(Period.MONTH.start(Instant.parse("2026-12-31T23:59:59Z"))).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(Period.MONTH.next(Instant.parse("2026-12-01T00:00:00Z"))).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(Period.HOUR.start(Instant.parse("2026-11-24T10:59:59.999Z"))).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
    assertThat(Period.DAY.start(Instant.parse("2026-11-24T23:59:59Z"))).isEqualTo(DAY);
  }

  @Test
  void nonsenseIsRejected() {
    assertThatThrownBy(() -> new ThresholdRule("r", Scope.GLOBAL, "*", Period.DAY, 0, null, List.of()))
        .hasMessageContaining("amount must be positive");
    assertThatThrownBy(() -> new ThresholdRule("r", Scope.GLOBAL, "*", Period.DAY, 1, 100, List.of()))
        .hasMessageContaining("soft warning must be 1-99");
  }
}
