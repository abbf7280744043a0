package io.tollgate.launcher.litellm;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * LiteLLM's dollar amounts ({@code DOUBLE PRECISION} columns) as integer nano-USD. The double is
 * read as the decimal it prints as, so {@code 0.01} becomes exactly 10,000,000 nano-USD (not the
 * binary fraction's 10,000,000.0000000002); sub-nano digits round half-up; anything beyond
 * {@link Long#MAX_VALUE} nano-USD (including +Infinity) saturates there. Never throws.
 */
final class Usd {
  private static final BigDecimal NANOS_PER_USD = BigDecimal.valueOf(1_000_000_000L);
  private static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  private Usd() {
  }

  /** Nano-USD of a finite or infinite non-negative amount; negatives give 0, NaN gives 0 (callers check {@link Double#isNaN} first). */
  static long nanos(double usd) {
    if (Double.isNaN(usd) || usd <= 0) {
      return 0;
    }
    if (Double.isInfinite(usd)) {
      return Long.MAX_VALUE;
    }
    BigDecimal nanos = new BigDecimal(Double.toString(usd)).multiply(NANOS_PER_USD).setScale(0, RoundingMode.HALF_UP);
    return nanos.compareTo(MAX) >= 0 ? Long.MAX_VALUE : nanos.longValueExact();
  }

  /** For reports: nano-USD as dollars with up to nine decimals, e.g. {@code $12.5}. */
  static String format(long nanos) {
    return "$" + BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
  }
}
