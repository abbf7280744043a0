package io.tollgate.alerting.rules;

/**
 * What a scope's completed periods looked like, as exponentially weighted statistics: mean and
 * variance for the spike test (α = 0.1, about ten periods of memory), and a short (α = 0.3) and a
 * long (α = 0.05) average for the drift test. EWMA rather than a trailing window: constant size
 * in a state store, no list of past periods to keep, and recent periods count more.
 *
 * @param windows   completed periods seen
 * @param mean      EWMA of spend per period (nano-USD)
 * @param variance  EWMA variance
 * @param shortMean fast EWMA
 * @param longMean  slow EWMA
 */
public record Baseline(int windows, double mean, double variance, double shortMean, double longMean) {
  public static final Baseline EMPTY = new Baseline(0, 0, 0, 0, 0);
  static final double ALPHA = 0.1;
  static final double ALPHA_SHORT = 0.3;
  static final double ALPHA_LONG = 0.05;

  /** The baseline after one more completed period with {@code spendNanos}. */
  public Baseline add(long spendNanos) {
    double x = spendNanos;
    if (windows == 0) {
      return new Baseline(1, x, 0, x, x);
    }
    double diff = x - mean;
    double increment = ALPHA * diff;
    return new Baseline(windows + 1, mean + increment, (1 - ALPHA) * (variance + diff * increment),
        shortMean + ALPHA_SHORT * (x - shortMean), longMean + ALPHA_LONG * (x - longMean));
  }

  public double stddev() {
    return Math.sqrt(Math.max(0, variance));
  }
}
