package io.tollgate.ingress.pricing;

/**
 * Arithmetic on non-negative longs that cannot throw: a result beyond {@link Long#MAX_VALUE}
 * becomes {@link Long#MAX_VALUE}. Pricing must never fail a call's event on absurd input, and a
 * saturated number (flagged by the caller) is a louder signal than a wrapped one.
 */
final class Saturating {
  private Saturating() {
  }

  /** {@code a × b} for {@code a, b ≥ 0} (negatives count as 0). */
  static long multiply(long a, long b) {
    if (a <= 0 || b <= 0) {
      return 0;
    }
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    return high != 0 || low < 0 ? Long.MAX_VALUE : low;
  }

  /** {@code a + b} for {@code a, b ≥ 0} (negatives count as 0). */
  static long add(long a, long b) {
    long r = Math.max(a, 0) + Math.max(b, 0);
    return r < 0 ? Long.MAX_VALUE : r;
  }
}
