package io.tollgate.bench.system;

import java.util.List;

/**
 * How long each answered call took to show in {@code spend_1m}, from polls of the cumulative
 * count the step's customer has there. Calls are ranked by the time the client had their last
 * byte; call {@code i} counts as included at the first poll whose count is at least {@code i}
 * (the count of rows is what the totals carry; which call a row is, they do not say), and its
 * freshness is that poll's time minus the time the call was due to be sent (its place in the
 * open-loop schedule, so time spent queued at the client or in the gateway counts too), never
 * below zero. A poll's time is when its answer came back: an upper bound, the query's own time
 * included.
 */
final class Freshness {
  /** Never included within the polls: the call is counted as not fresh at all. */
  static final long NEVER = Long.MAX_VALUE;

  /** One poll: the count and cost the step's customer had in {@code spend_1m} when the answer came back. */
  record Poll(long atNanos, long count, long costNanos) {
  }

  private Freshness() {
  }

  /**
   * Freshness in nanoseconds of each call, aligned with {@code completedSorted} (completion times,
   * ascending) and {@code due} (the same calls' due times); {@link #NEVER} for calls no poll
   * covered. Polls must be in time order; a count that dips is read as its running maximum.
   */
  static long[] of(long[] completedSorted, long[] due, List<Poll> polls) {
    long[] out = new long[completedSorted.length];
    int p = 0;
    long seen = 0;
    for (int i = 0; i < completedSorted.length; i++) {
      long rank = i + 1L;
      while (p < polls.size() && seen < rank) {
        seen = Math.max(seen, polls.get(p).count());
        if (seen < rank) {
          p++;
        }
      }
      if (seen >= rank && p < polls.size()) {
        out[i] = Math.max(0, polls.get(p).atNanos() - due[i]);
      } else {
        out[i] = NEVER;
      }
    }
    return out;
  }

  /** The {@code percent} percentile of {@code values} (nearest rank; NEVER sorts last); -1 when empty. */
  static long percentile(long[] values, double percent) {
    if (values.length == 0) {
      return -1;
    }
    long[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int rank = (int) Math.max(1, Math.ceil(percent / 100.0 * sorted.length));
    return sorted[Math.min(sorted.length, rank) - 1];
  }
}
