package io.tollgate.ingress.budget;

/** Sums of nano-USD that cannot wrap: beyond {@link Long#MAX_VALUE} they stay there; negatives count as 0. */
final class Saturate {
  private Saturate() {
  }

  static long add(long a, long b) {
    long r = Math.max(a, 0) + Math.max(b, 0);
    return r < 0 ? Long.MAX_VALUE : r;
  }
}
