package io.tollgate.ingress.admin;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LiteLLM's durations: {@code budget_duration} and a key's {@code duration} are a count and a unit
 * ({@code 30s}, {@code 15m}, {@code 1h}, {@code 1d}, {@code 7d}, {@code 1w}, {@code 30d}, {@code 1mo}),
 * or {@code daily}, {@code weekly}, {@code monthly} (as LiteLLM's Claude Max guide uses). Anything
 * else is refused at the API, so enforcement never meets a duration it cannot read.
 */
final class Durations {
  private static final Pattern SHORT = Pattern.compile("([0-9]{1,6})(s|m|h|d|w|mo)");
  /** Ten years: a longer period is a typo, not a budget. */
  private static final Duration MAX = Duration.ofDays(3660);

  private Durations() {
  }

  /** The canonical text of a valid duration (trimmed, lower case), or an {@link ApiError} naming {@code field}. */
  static String normalize(String field, String value) {
    String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
    switch (v) {
      case "daily", "weekly", "monthly" -> {
        return v;
      }
      default -> {
        Matcher m = SHORT.matcher(v);
        if (!m.matches()) {
          throw ApiError.badRequest(field, field + " must look like 30s, 15m, 1h, 1d, 7d, 1w, 30d, 1mo, or be daily, "
              + "weekly or monthly");
        }
        long n = Long.parseLong(m.group(1));
        if (n == 0) {
          throw ApiError.badRequest(field, field + " must be longer than 0");
        }
        Instant epoch = Instant.EPOCH;
        if (Duration.between(epoch, add(epoch, v)).compareTo(MAX) > 0) {
          throw ApiError.badRequest(field, field + " must be at most 10 years");
        }
        return v;
      }
    }
  }

  /** {@code t} plus a valid duration; months are calendar months in UTC. */
  static Instant add(Instant t, String normalized) {
    return switch (normalized) {
      case "daily" -> t.plus(Duration.ofDays(1));
      case "weekly" -> t.plus(Duration.ofDays(7));
      case "monthly" -> t.atZone(ZoneOffset.UTC).plusMonths(1).toInstant();
      default -> {
        Matcher m = SHORT.matcher(normalized);
        if (!m.matches()) {
          throw new IllegalArgumentException("not a duration");
        }
        long n = Long.parseLong(m.group(1));
        yield switch (m.group(2)) {
          case "s" -> t.plusSeconds(n);
          case "m" -> t.plus(Duration.ofMinutes(n));
          case "h" -> t.plus(Duration.ofHours(n));
          case "d" -> t.plus(Duration.ofDays(n));
          case "w" -> t.plus(Duration.ofDays(7 * n));
          default -> t.atZone(ZoneOffset.UTC).plusMonths(n).toInstant();
        };
      }
    };
  }
}
