package io.tollgate.ingress.budget;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A LiteLLM {@code budget_duration} ({@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}, {@code 7d},
 * {@code 1w}, {@code 30d}, {@code 1mo}, and the words {@code daily}, {@code weekly}, {@code monthly}),
 * normalised, and the budget period containing an instant — a pure function of time in UTC, so a
 * budget "resets" by the clock alone: no background job, and every gateway agrees on the period.
 *
 * <p>Calendar alignment follows LiteLLM's {@code get_next_standardized_reset_time} in UTC:
 * <ul>
 *   <li>seconds, minutes, hours: blocks of that length counted from the Unix epoch (a midnight),
 *       so {@code 30s} starts at :00 and :30, {@code 1h} on the hour, {@code 6h} at 00/06/12/18 —
 *       LiteLLM's clock alignment whenever the length divides a day;</li>
 *   <li>{@code 1d} (= {@code 24h} = {@code daily}): midnight to midnight;</li>
 *   <li>{@code 7d} (= {@code 1w} = {@code weekly}): Monday 00:00 to the next Monday;</li>
 *   <li>{@code 30d} (= {@code 1mo} = {@code monthly}): the calendar month, 1st 00:00 to the next 1st
 *       (LiteLLM's rule: a "30d" budget resets on the first of the next month, so a period is 28 to 31 days);</li>
 *   <li>{@code Nmo}: blocks of N calendar months counted from January 1970 ({@code 3mo} = quarters,
 *       {@code 12mo} = calendar years).</li>
 * </ul>
 * Deliberate deviation: for other day counts ({@code 2d}, {@code 14d}, …) LiteLLM counts N days
 * from whenever the previous reset ran, which depends on history and differs between instances.
 * Here they are blocks of N days counted from Monday 1970-01-05, so {@code 14d} always starts on
 * a Monday and every instance computes the same period. Lengths that are whole days count as days
 * ({@code 48h} = {@code 2d}); {@code Nw} is 7·N days. Likewise {@code 2mo}, which LiteLLM refuses
 * to reset at all, is accepted here.
 */
public final class BudgetDuration {
  /** Longest accepted duration, in each unit's terms: 100 years. */
  static final long MAX_SECONDS = 100L * 366 * 86_400;
  static final long MAX_DAYS = 100L * 366;
  static final long MAX_MONTHS = 1200;
  private static final Pattern FORM = Pattern.compile("(\\d{1,12})(s|m|h|d|w|mo)");
  /** Epoch day of Monday 1970-01-05: day blocks start on Mondays. */
  private static final long MONDAY = 4;

  private enum Unit { SECONDS, DAYS, MONTHS }

  private final Unit unit;
  private final long amount;
  private final String normalized;

  private BudgetDuration(Unit unit, long amount) {
    this.unit = unit;
    this.amount = amount;
    this.normalized = switch (unit) {
      case MONTHS -> amount + "mo";
      case DAYS -> amount + "d";
      case SECONDS -> amount % 3600 == 0 ? amount / 3600 + "h" : amount % 60 == 0 ? amount / 60 + "m" : amount + "s";
    };
  }

  /** Whether {@code value} means "no duration" (a lifetime budget), as LiteLLM reads it. */
  public static boolean lifetime(String value) {
    if (value == null) {
      return true;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    return v.isEmpty() || v.equals("none") || v.equals("null");
  }

  /**
   * The duration {@code value} names, or null for a lifetime budget (null, empty, {@code none}).
   *
   * @throws IllegalArgumentException with a message for the caller when it names no duration
   */
  public static BudgetDuration parse(String value) {
    if (lifetime(value)) {
      return null;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    switch (v) {
      case "daily" -> {
        return new BudgetDuration(Unit.DAYS, 1);
      }
      case "weekly" -> {
        return new BudgetDuration(Unit.DAYS, 7);
      }
      case "monthly" -> {
        return new BudgetDuration(Unit.MONTHS, 1);
      }
      default -> {
      }
    }
    Matcher m = FORM.matcher(v);
    if (!m.matches()) {
      throw new IllegalArgumentException("budget_duration '" + shown(value)
          + "' is not a duration (use e.g. 30s, 30m, 1h, 1d, 7d, 1w, 30d, 1mo, daily, weekly, monthly)");
    }
    long n = Long.parseLong(m.group(1));
    if (n == 0) {
      throw new IllegalArgumentException("budget_duration must be longer than 0");
    }
    BudgetDuration d = switch (m.group(2)) {
      case "s" -> seconds(n);
      case "m" -> n > MAX_SECONDS / 60 ? null : seconds(n * 60);
      case "h" -> n > MAX_SECONDS / 3600 ? null : seconds(n * 3600);
      case "d" -> days(n);
      case "w" -> n > MAX_DAYS / 7 ? null : days(n * 7);
      default -> n > MAX_MONTHS ? null : new BudgetDuration(Unit.MONTHS, n);
    };
    if (d == null) {
      throw new IllegalArgumentException("budget_duration '" + shown(value) + "' is longer than 100 years");
    }
    return d;
  }

  /**
   * Like {@link #parse} but null instead of an exception (values from the key store, already
   * validated there). Remembers what it parsed: the request path asks for the same few values on
   * every call (a bounded cache: durations are a handful of strings, not client input).
   */
  public static BudgetDuration parseOrNull(String value) {
    if (value == null) {
      return null;
    }
    Object cached = CACHE.get(value);
    if (cached != null) {
      return cached == NONE ? null : (BudgetDuration) cached;
    }
    BudgetDuration d;
    try {
      d = parse(value);
    } catch (IllegalArgumentException e) {
      d = null;
    }
    if (CACHE.size() < CACHE_MAX) {
      CACHE.put(value, d == null ? NONE : d);
    }
    return d;
  }

  private static final int CACHE_MAX = 1_000;
  private static final Object NONE = new Object();
  private static final java.util.concurrent.ConcurrentHashMap<String, Object> CACHE =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static BudgetDuration seconds(long s) {
    if (s > MAX_SECONDS) {
      return null;
    }
    return s % 86_400 == 0 ? days(s / 86_400) : new BudgetDuration(Unit.SECONDS, s);
  }

  private static BudgetDuration days(long d) {
    if (d > MAX_DAYS) {
      return null;
    }
    return d == 30 ? new BudgetDuration(Unit.MONTHS, 1) : new BudgetDuration(Unit.DAYS, d);
  }

  /** The canonical name in events and totals ({@code 1w} → {@code 7d}, {@code 30d} → {@code 1mo}, {@code 90s} → {@code 90s}). */
  public String normalized() {
    return normalized;
  }

  /** Start of the period containing {@code t}. */
  public Instant periodStart(Instant t) {
    return switch (unit) {
      case SECONDS -> Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), amount) * amount);
      case DAYS -> {
        long day = Math.floorDiv(t.getEpochSecond(), 86_400);
        yield Instant.ofEpochSecond((MONDAY + Math.floorDiv(day - MONDAY, amount) * amount) * 86_400);
      }
      case MONTHS -> {
        LocalDate date = LocalDate.ofInstant(t, ZoneOffset.UTC);
        long index = (date.getYear() - 1970L) * 12 + date.getMonthValue() - 1;
        yield month(Math.floorDiv(index, amount) * amount);
      }
    };
  }

  /** End of the period containing {@code t} (exclusive): the next reset, LiteLLM's {@code budget_reset_at}. */
  public Instant periodEnd(Instant t) {
    Instant start = periodStart(t);
    return switch (unit) {
      case SECONDS -> start.plusSeconds(amount);
      case DAYS -> start.plusSeconds(amount * 86_400);
      case MONTHS -> {
        LocalDate date = LocalDate.ofInstant(start, ZoneOffset.UTC);
        yield month((date.getYear() - 1970L) * 12 + date.getMonthValue() - 1 + amount);
      }
    };
  }

  private static Instant month(long index) {
    long year = 1970 + Math.floorDiv(index, 12);
    int month = (int) Math.floorMod(index, 12) + 1;
    return LocalDate.of(Math.toIntExact(year), month, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  private static String shown(String value) {
    return value.length() > 40 ? value.substring(0, 40) + "…" : value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BudgetDuration d && d.normalized.equals(normalized);
  }

  @Override
  public int hashCode() {
    return normalized.hashCode();
  }

  @Override
  public String toString() {
    return normalized;
  }
}
