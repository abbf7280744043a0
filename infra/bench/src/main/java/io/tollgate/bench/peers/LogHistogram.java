package io.tollgate.bench.peers;

/**
 * Latency histogram with log-spaced buckets, as HdrHistogram lays them out: values below 256
 * are exact, above that each power of two is split into 128 buckets, so any recorded value is
 * reported at most 0.8 % high. Fixed memory (~57 KB) whatever the range, so a run at 5k req/s
 * for minutes, or one where a proxy queues for seconds, costs the same. Not thread-safe: the
 * generator records from its one event loop.
 */
public final class LogHistogram {
  private static final int SUB_BITS = 7;
  private static final int SUB = 1 << SUB_BITS;
  private final long[] counts = new long[SUB * (64 - SUB_BITS)];
  private long total;
  private long max;

  /** Records one value (negative values count as 0). */
  public void record(long value) {
    long v = Math.max(0, value);
    counts[index(v)]++;
    total++;
    max = Math.max(max, v);
  }

  public long count() {
    return total;
  }

  public long max() {
    return max;
  }

  /**
   * The smallest recorded value's bucket bound such that at least {@code percent} % of the values
   * are at or below it (the highest value of that bucket, never above the maximum); 0 when empty.
   */
  public long percentile(double percent) {
    if (total == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(percent / 100.0 * total));
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(highestIn(i), max);
      }
    }
    return max;
  }

  static int index(long v) {
    if (v < 2 * SUB) {
      return (int) v;
    }
    int shift = 63 - Long.numberOfLeadingZeros(v) - SUB_BITS;
    return SUB * shift + (int) (v >>> shift);
  }

  static long highestIn(int index) {
    if (index < 2 * SUB) {
      return index;
    }
    int shift = index / SUB - 1;
    long mantissa = index - (long) SUB * shift;
    return ((mantissa + 1) << shift) - 1;
  }
}
