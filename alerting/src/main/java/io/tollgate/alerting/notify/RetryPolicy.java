package io.tollgate.alerting.notify;

import java.time.Duration;
import java.time.Instant;

/**
 * When a failed delivery is tried again: 0.5 s doubling to {@link #MAX_BACKOFF}, or later if the
 * channel asked for it (Slack's Retry-After). A delivery still failing {@code giveUpAfter} after its
 * first attempt is dead-lettered like a permanent failure: an alert days late is no longer worth
 * holding the partition's commits for.
 */
record RetryPolicy(Duration giveUpAfter) {
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  static RetryPolicy defaults() {
    return new RetryPolicy(Duration.ofHours(24));
  }

  /** The wait before attempt {@code attempts + 1}, after {@code attempts} failed ones. */
  Duration backoff(int attempts, Duration retryAfter) {
    Duration backoff = Duration.ofMillis(Math.min(MAX_BACKOFF.toMillis(), 500L << Math.min(Math.max(attempts - 1, 0), 20)));
    return retryAfter != null && retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff;
  }

  boolean giveUp(Instant firstAttempt, Instant now) {
    return !now.isBefore(firstAttempt.plus(giveUpAfter));
  }
}
