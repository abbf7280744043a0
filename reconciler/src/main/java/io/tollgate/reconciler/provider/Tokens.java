package io.tollgate.reconciler.provider;

/**
 * Token counts of one model on one day, in Tollgate's meaning ({@code input} excludes cache reads
 * and writes), and the cost in nano-USD. Sums saturate: a report cannot overflow a row.
 */
public record Tokens(long input, long output, long cacheRead, long cacheWrite5m, long cacheWrite1h, long requests,
                     long nanos) {
  public static final Tokens ZERO = new Tokens(0, 0, 0, 0, 0, 0, 0);

  public Tokens plus(Tokens o) {
    return new Tokens(add(input, o.input), add(output, o.output), add(cacheRead, o.cacheRead),
        add(cacheWrite5m, o.cacheWrite5m), add(cacheWrite1h, o.cacheWrite1h), add(requests, o.requests),
        add(nanos, o.nanos));
  }

  public Tokens withNanos(long value) {
    return new Tokens(input, output, cacheRead, cacheWrite5m, cacheWrite1h, requests, value);
  }

  /** Saturating addition (money and counts never wrap). */
  public static long add(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }
}
