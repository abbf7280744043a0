package io.tollgate.launcher.litellm;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LiteLLM's {@code budget_duration} values and the start of the budget period a moment falls in,
 * aligned in UTC the way LiteLLM's standardized reset times are: {@code 1d} at midnight, {@code 7d} /
 * {@code 1w} on Monday, {@code 30d} / {@code 1mo} on the first of the month; seconds, minutes and
 * hours on multiples of their length; other day, week and month counts on multiples since the epoch
 * (LiteLLM counts those from the day a budget was set, which no function of time can reproduce).
 * The importer uses it to say which period a LiteLLM row's spend so far belongs to.
 */
final class BudgetPeriods {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,6})(mo|s|m|h|d|w)");
  private static final long MONDAY_EPOCH_DAY = 4; // 1970-01-05

  /** A parsed duration: {@code count} of {@code unit} (s, m, h, d, w, mo). */
  record Duration(long count, String unit) {
  }

  private BudgetPeriods() {
  }

  /**
   * The duration, or null when {@code text} is not one LiteLLM accepts ({@code <n>s|m|h|d|w|mo},
   * n ≥ 1) nor {@code daily}, {@code weekly}, {@code monthly}.
   */
  static Duration parse(String text) {
    if (text == null) {
      return null;
    }
    String t = text.strip().toLowerCase(Locale.ROOT);
    switch (t) {
      case "daily":
        return new Duration(1, "d");
      case "weekly":
        return new Duration(1, "w");
      case "monthly":
        return new Duration(1, "mo");
      default:
        break;
    }
    Matcher m = DURATION.matcher(t);
    if (!m.matches()) {
      return null;
    }
    long count = Long.parseLong(m.group(1));
    return count < 1 ? null : new Duration(count, m.group(2));
  }

  /** Start of the period of {@code d} that {@code now} falls in. */
  static Instant periodStart(Duration d, Instant now) {
    long second = now.getEpochSecond();
    long day = Math.floorDiv(second, 86_400L);
    LocalDate date = LocalDate.ofEpochDay(day);
    return switch (d.unit()) {
      case "s" -> Instant.ofEpochSecond(floorTo(second, d.count()));
      case "m" -> Instant.ofEpochSecond(floorTo(second, d.count() * 60));
      case "h" -> Instant.ofEpochSecond(floorTo(second, d.count() * 3600));
      case "d" -> switch ((int) d.count()) {
        case 1 -> midnight(date);
        case 7 -> midnight(date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)));
        case 30 -> midnight(date.withDayOfMonth(1));
        default -> midnight(LocalDate.ofEpochDay(floorTo(day, d.count())));
      };
      case "w" -> midnight(LocalDate.ofEpochDay(MONDAY_EPOCH_DAY + floorTo(day - MONDAY_EPOCH_DAY, 7 * d.count())));
      case "mo" -> {
        long months = (date.getYear() - 1970L) * 12 + date.getMonthValue() - 1;
        long start = floorTo(months, d.count());
        yield midnight(LocalDate.of((int) (1970 + Math.floorDiv(start, 12)), (int) Math.floorMod(start, 12) + 1, 1));
      }
      default -> throw new IllegalArgumentException("unit " + d.unit());
    };
  }

  private static long floorTo(long value, long length) {
    return Math.floorDiv(value, length) * length;
  }

  private static Instant midnight(LocalDate date) {
    return date.atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
