package io.tollgate.launcher.litellm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsdAndPeriodsTest {
  @Test
  void dollarsBecomeExactNanosRoundedHalfUpAndSaturating() {
    assertThat(Usd.nanos(0.01)).isEqualTo(10_000_000L);
    assertThat(Usd.nanos(100.00)).isEqualTo(100_000_000_000L);
    assertThat(Usd.nanos(0.1 + 0.2)).isEqualTo(300_000_000L); // 0.30000000000000004
    assertThat(Usd.nanos(12.345678912)).isEqualTo(12_345_678_912L);
    assertThat(Usd.nanos(4e-10)).isZero();
    assertThat(Usd.nanos(5e-10)).isEqualTo(1L);
    assertThat(Usd.nanos(1.5e-9)).isEqualTo(2L);
    assertThat(Usd.nanos(9.2e9)).isEqualTo(9_200_000_000_000_000_000L);
    assertThat(Usd.nanos(1e10)).isEqualTo(Long.MAX_VALUE);
    assertThat(Usd.nanos(Double.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(Usd.nanos(Double.POSITIVE_INFINITY)).isEqualTo(Long.MAX_VALUE);
    assertThat(Usd.nanos(-1)).isZero();
    assertThat(Usd.nanos(Double.NaN)).isZero();
    assertThat(Usd.format(12_500_000_000L)).isEqualTo("$12.5");
    assertThat(Usd.format(1L)).isEqualTo("$0.000000001");
  }

  @Test
  void parsesLitellmDurationsAndTheWordsTollgateAccepts() {
    assertThat(BudgetPeriods.parse("30s")).isEqualTo(new BudgetPeriods.Duration(30, "s"));
    assertThat(BudgetPeriods.parse(" 1MO ")).isEqualTo(new BudgetPeriods.Duration(1, "mo"));
    assertThat(BudgetPeriods.parse("30m")).isEqualTo(new BudgetPeriods.Duration(30, "m"));
    assertThat(BudgetPeriods.parse("monthly")).isEqualTo(new BudgetPeriods.Duration(1, "mo"));
    assertThat(BudgetPeriods.parse("weekly")).isEqualTo(new BudgetPeriods.Duration(1, "w"));
    assertThat(BudgetPeriods.parse("daily")).isEqualTo(new BudgetPeriods.Duration(1, "d"));
    assertThat(BudgetPeriods.parse("0d")).isNull();
    assertThat(BudgetPeriods.parse("30")).isNull();
    assertThat(BudgetPeriods.parse("30days")).isNull();
    assertThat(BudgetPeriods.parse("9999999d")).isNull();
    assertThat(BudgetPeriods.parse("")).isNull();
    assertThat(BudgetPeriods.parse(null)).isNull();
  }

  @Test
  void periodsAlignInUtcAsLitellmResetsThem() {
    Instant now = Instant.parse("2026-12-02T13:47:29.500Z"); // a Wednesday
    assertThat(start("30s", now)).isEqualTo("2026-12-02T13:47:00Z");
    assertThat(start("5m", now)).isEqualTo("2026-12-02T13:45:00Z");
    assertThat(start("1h", now)).isEqualTo("2026-12-02T13:00:00Z");
    assertThat(start("6h", now)).isEqualTo("2026-12-02T12:00:00Z");
    assertThat(start("1d", now)).isEqualTo("2026-12-02T00:00:00Z");
    assertThat(start("daily", now)).isEqualTo("2026-12-02T00:00:00Z");
    assertThat(start("7d", now)).isEqualTo("2026-11-30T00:00:00Z"); // Monday
    assertThat(start("1w", now)).isEqualTo("2026-11-30T00:00:00Z");
    assertThat(start("weekly", now)).isEqualTo("2026-11-30T00:00:00Z");
    assertThat(start("30d", now)).isEqualTo("2026-12-01T00:00:00Z"); // LiteLLM: 30d resets on the 1st
    assertThat(start("1mo", now)).isEqualTo("2026-12-01T00:00:00Z");
    assertThat(start("monthly", now)).isEqualTo("2026-12-01T00:00:00Z");
    assertThat(start("2mo", now)).isEqualTo("2026-11-01T00:00:00Z"); // months since 1970 in twos
    assertThat(start("3d", now)).isEqualTo("2026-11-30T00:00:00Z"); // epoch day 20789 = 3 × 6929 + 2
    assertThat(start("2w", Instant.parse("2026-12-02T00:00:00Z"))).isEqualTo("2026-11-23T00:00:00Z");
    // A moment exactly at a boundary starts the new period.
    assertThat(start("1mo", Instant.parse("2027-01-01T00:00:00Z"))).isEqualTo("2027-01-01T00:00:00Z");
    assertThat(start("7d", Instant.parse("2026-11-30T00:00:00Z"))).isEqualTo("2026-11-30T00:00:00Z");
  }

  private static String start(String duration, Instant now) {
    return BudgetPeriods.periodStart(BudgetPeriods.parse(duration), now).toString();
  }
}
