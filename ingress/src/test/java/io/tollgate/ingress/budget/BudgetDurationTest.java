package io.tollgate.ingress.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BudgetDurationTest {
  private static Instant t(String iso) {
    return Instant.parse(iso);
  }

  @ParameterizedTest
  @CsvSource({
      "30s, 30s", "60s, 1m", "90s, 90s", "5m, 5m", "60m, 1h", "1h, 1h", "24h, 1d", "48h, 2d", "1d, 1d",
      "7d, 7d", "1w, 7d", "2w, 14d", "30d, 1mo", "1mo, 1mo", "3mo, 3mo", "daily, 1d", "weekly, 7d",
      "monthly, 1mo", "MONTHLY, 1mo", "' 1h ', 1h", "86400s, 1d", "720h, 1mo"})
  void normalises(String given, String normalised) {
    assertThat(BudgetDuration.parse(given).normalized()).isEqualTo(normalised);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  ", "none", "None", "null"})
  void lifetimeWordsMeanNoDuration(String given) {
    assertThat(BudgetDuration.parse(given)).isNull();
    assertThat(BudgetDuration.lifetime(given)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0d", "0s", "d", "30", "1y", "30 d", "-1d", "1.5h", "1hour", "30dd", "99999999999999d",
      "36700d", "1201mo", "yearly"})
  void refusesWhatIsNoDuration(String given) {
    assertThatThrownBy(() -> BudgetDuration.parse(given)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("budget_duration");
    assertThat(BudgetDuration.parseOrNull(given)).isNull();
  }

  @Test
  void secondsMinutesAndHoursAlignToTheClock() {
    assertPeriod("30s", "2026-03-07T10:15:44.900Z", "2026-03-07T10:15:30Z", "2026-03-07T10:16:00Z");
    assertPeriod("30s", "2026-03-07T10:15:30Z", "2026-03-07T10:15:30Z", "2026-03-07T10:16:00Z");
    assertPeriod("5m", "2026-03-07T10:14:59Z", "2026-03-07T10:10:00Z", "2026-03-07T10:15:00Z");
    assertPeriod("1h", "2026-03-07T10:59:59.999Z", "2026-03-07T10:00:00Z", "2026-03-07T11:00:00Z");
    assertPeriod("6h", "2026-03-07T23:00:00Z", "2026-03-07T18:00:00Z", "2026-03-08T00:00:00Z");
  }

  @Test
  void dayIsMidnightToMidnightUtc() {
    assertPeriod("1d", "2026-03-07T23:59:59.999Z", "2026-03-07T00:00:00Z", "2026-03-08T00:00:00Z");
    assertPeriod("1d", "2026-03-08T00:00:00Z", "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z");
    // No DST in UTC: the US and EU switch days are 24 h like every other.
    assertPeriod("1d", "2026-03-08T12:00:00Z", "2026-03-08T00:00:00Z", "2026-03-09T00:00:00Z");
    assertPeriod("1d", "2026-10-25T01:30:00Z", "2026-10-25T00:00:00Z", "2026-10-26T00:00:00Z");
    assertPeriod("24h", "2026-10-25T01:30:00Z", "2026-10-25T00:00:00Z", "2026-10-26T00:00:00Z");
  }

  @Test
  void weekStartsOnMonday() {
    // 2026-03-07 is a Saturday; 2026-03-02 the Monday before.
    assertPeriod("7d", "2026-03-07T12:00:00Z", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z");
    assertPeriod("1w", "2026-03-09T00:00:00Z", "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z");
    assertPeriod("weekly", "2026-03-08T23:59:59Z", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z");
    // Across a year end, and before the epoch's first Monday.
    assertPeriod("7d", "2027-01-01T00:00:00Z", "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z");
    assertPeriod("7d", "1970-01-02T00:00:00Z", "1969-12-29T00:00:00Z", "1970-01-05T00:00:00Z");
    for (String d : new String[] {"7d", "14d", "28d"}) {
      Instant start = BudgetDuration.parse(d).periodStart(t("2026-05-20T08:00:00Z"));
      assertThat(start.atZone(ZoneOffset.UTC).getDayOfWeek()).as(d).isEqualTo(DayOfWeek.MONDAY);
    }
  }

  @Test
  void thirtyDaysIsTheCalendarMonth() {
    assertPeriod("30d", "2026-01-31T23:59:59Z", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z");
    assertPeriod("30d", "2026-02-15T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z");
    assertPeriod("1mo", "2026-04-30T12:00:00Z", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z");
    assertPeriod("monthly", "2026-12-31T23:59:59.999Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z");
    assertPeriod("1mo", "2027-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z");
  }

  @Test
  void leapYearFebruaryHas29Days() {
    assertPeriod("1mo", "2028-02-29T23:00:00Z", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z");
    assertPeriod("1mo", "2028-03-01T00:00:00Z", "2028-03-01T00:00:00Z", "2028-04-01T00:00:00Z");
    assertPeriod("1d", "2028-02-29T05:00:00Z", "2028-02-29T00:00:00Z", "2028-03-01T00:00:00Z");
    assertPeriod("1mo", "2100-02-28T12:00:00Z", "2100-02-01T00:00:00Z", "2100-03-01T00:00:00Z"); // 2100 is no leap year
    assertPeriod("12mo", "2028-02-29T05:00:00Z", "2028-01-01T00:00:00Z", "2029-01-01T00:00:00Z");
  }

  @Test
  void monthBlocksCountFromJanuary() {
    assertPeriod("3mo", "2026-05-31T00:00:00Z", "2026-04-01T00:00:00Z", "2026-07-01T00:00:00Z");
    assertPeriod("3mo", "2026-12-31T00:00:00Z", "2026-10-01T00:00:00Z", "2027-01-01T00:00:00Z");
    assertPeriod("2mo", "1969-12-15T00:00:00Z", "1969-11-01T00:00:00Z", "1970-01-01T00:00:00Z");
  }

  @Test
  void otherDayCountsAreBlocksFromAMonday() {
    assertPeriod("2d", "1970-01-06T10:00:00Z", "1970-01-05T00:00:00Z", "1970-01-07T00:00:00Z");
    assertPeriod("3d", "1970-01-04T10:00:00Z", "1970-01-02T00:00:00Z", "1970-01-05T00:00:00Z");
  }

  @Test
  void everyInstantIsInExactlyOnePeriodAndPeriodsTile() {
    String[] durations = {"30s", "7m", "1h", "5h", "1d", "2d", "7d", "14d", "30d", "1mo", "3mo"};
    Instant t = t("2027-12-30T00:00:00Z");
    for (String name : durations) {
      BudgetDuration d = BudgetDuration.parse(name);
      Instant start = d.periodStart(t);
      Instant end = d.periodEnd(t);
      assertThat(start).as(name).isBeforeOrEqualTo(t);
      assertThat(end).as(name).isAfter(t);
      // The next period starts where this one ends; the instant before the end is still in this one.
      assertThat(d.periodStart(end)).as(name).isEqualTo(end);
      assertThat(d.periodStart(end.minusMillis(1))).as(name).isEqualTo(start);
      assertThat(d.periodStart(start)).as(name).isEqualTo(start);
    }
  }

  private static void assertPeriod(String duration, String at, String start, String end) {
    BudgetDuration d = BudgetDuration.parse(duration);
    assertThat(d.periodStart(t(at))).as(duration + " at " + at).isEqualTo(t(start));
    assertThat(d.periodEnd(t(at))).as(duration + " end at " + at).isEqualTo(t(end));
  }
}
