package io.tollgate.ingress.budget;

/**
 * A sliding one-minute counter in {@link #SLOTS} buckets of {@link #BUCKET_MS}: the sum covers the
 * current bucket and the 30 before it, i.e. at least the last 60 s and at most 62 s. Admitting only
 * while the sum is under a limit therefore lets at most {@code limit} through in <em>any</em> 60 s
 * interval — no doubling at a window boundary, as fixed per-minute windows allow — at a cost of
 * 31 longs per counter. Not thread-safe: its {@link RateLimitEntry} guards it.
 */
final class RateLimitWindow {
  static final long WINDOW_MS = 60_000;
  static final long BUCKET_MS = 2_000;
  static final int SLOTS = (int) (WINDOW_MS / BUCKET_MS) + 1;

  private final long[] counts = new long[SLOTS];
  /** The newest bucket number counted (epoch millis / BUCKET_MS). */
  private long head = Long.MIN_VALUE;
  private long sum;

  static long bucket(long epochMillis) {
    return Math.floorDiv(epochMillis, BUCKET_MS);
  }

  /** Drops the buckets that fell out of the window by {@code bucket}. */
  void advance(long bucket) {
    if (head == Long.MIN_VALUE || bucket - head >= SLOTS) {
      java.util.Arrays.fill(counts, 0);
      sum = 0;
      head = bucket;
      return;
    }
    while (head < bucket) {
      head++;
      int slot = slot(head);
      sum -= counts[slot];
      counts[slot] = 0;
    }
  }

  /**
   * Adds {@code n} to {@code bucket}, if that bucket is still in the window; a bucket never drops
   * below zero, and a sum that would overflow saturates.
   */
  void add(long bucket, long n) {
    if (bucket > head || bucket <= head - SLOTS) {
      return; // only the caller's advance() moves the head; a bucket out of the window has expired
    }
    int slot = slot(bucket);
    long next = Math.max(0, saturatedAdd(counts[slot], n));
    sum = saturatedAdd(sum - counts[slot], next);
    counts[slot] = next;
  }

  long sum() {
    return sum;
  }

  /**
   * Milliseconds from {@code nowMillis} until the sum drops below {@code limit} by buckets leaving
   * the window (with nothing added meanwhile); the whole window when it never would (limit 0).
   */
  long millisUntilBelow(long limit, long nowMillis) {
    if (limit <= 0) {
      return WINDOW_MS;
    }
    long left = sum;
    for (long b = head - SLOTS + 1; b <= head; b++) {
      if (left < limit) {
        break;
      }
      long c = counts[slot(b)];
      left -= c;
      if (c > 0 && left < limit) {
        long expiresAt = (b + SLOTS) * BUCKET_MS; // bucket b leaves the sum once head reaches b + SLOTS
        return Math.max(1, expiresAt - nowMillis);
      }
    }
    return left < limit ? 0 : WINDOW_MS;
  }

  private static int slot(long bucket) {
    return (int) Math.floorMod(bucket, (long) SLOTS);
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }
}
