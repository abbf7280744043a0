package io.tollgate.ingress.budget;

/**
 * The rate-limit state of one scope (a key, a team, a customer) on this instance: requests and
 * tokens in the sliding minute, calls in flight. Guarded by its own monitor; every method is
 * called with it held. Calls in flight are counted even without {@code max_parallel_requests},
 * because an entry with calls in flight must never be swept: their release would land in a
 * forgotten entry and the new one would under-count.
 */
final class RateLimitEntry {
  final String mapKey;
  private RateLimitWindow requests;
  private RateLimitWindow tokens;
  private int inFlight;
  /**
   * Token estimates of the calls in flight: counted until each call ends, however long it runs (in
   * the window they would expire after a minute, and a long stream would stop counting before its
   * tokens are known).
   */
  private long inFlightTokens;
  /** Swept out of the table: whoever holds it must look the scope up again. */
  private boolean dead;

  RateLimitEntry(String mapKey) {
    this.mapKey = mapKey;
  }

  boolean dead() {
    return dead;
  }

  /** Brings both windows to {@code bucket}; creates a window only for a limit that is set. */
  void advance(long bucket, boolean countRequests, boolean countTokens) {
    if (countRequests && requests == null) {
      requests = new RateLimitWindow();
    }
    if (countTokens && tokens == null) {
      tokens = new RateLimitWindow();
    }
    if (requests != null) {
      requests.advance(bucket);
    }
    if (tokens != null) {
      tokens.advance(bucket);
    }
  }

  long requests() {
    return requests == null ? 0 : requests.sum();
  }

  /** Tokens of the sliding minute: real usage of the calls that ended in it, plus the estimates of those in flight. */
  long tokens() {
    return tokens == null ? 0 : saturatedAdd(tokens.sum(), inFlightTokens);
  }

  int inFlight() {
    return inFlight;
  }

  long millisUntilRequestsBelow(long limit, long now) {
    return requests == null ? 0 : requests.millisUntilBelow(limit, now);
  }

  /**
   * When the tokens drop below {@code limit} by time alone; -1 when only calls ending can make room
   * (their estimates alone reach it).
   */
  long millisUntilTokensBelow(long limit, long now) {
    if (tokens == null) {
      return 0;
    }
    long room = limit - inFlightTokens;
    return room <= 0 ? -1 : tokens.millisUntilBelow(room, now);
  }

  void admit(long bucket, long estimatedTokens) {
    if (requests != null) {
      requests.add(bucket, 1);
    }
    inFlightTokens = saturatedAdd(inFlightTokens, estimatedTokens);
    inFlight++;
  }

  /** Ends a call: its slot is free, its estimate is dropped and its real tokens count now, when they were spent. */
  void release(long nowBucket, long estimatedTokens, long actualTokens) {
    inFlight = Math.max(0, inFlight - 1);
    inFlightTokens = Math.max(0, inFlightTokens - estimatedTokens);
    if (tokens != null) {
      tokens.advance(nowBucket);
      tokens.add(nowBucket, actualTokens);
    }
  }

  /** Marks the entry dead when nothing in it matters any more (nothing in flight, nothing in the window). */
  boolean expireIfIdle(long bucket) {
    if (inFlight > 0) {
      return false;
    }
    advance(bucket, false, false);
    if (requests() == 0 && tokens() == 0) {
      dead = true;
    }
    return dead;
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r; // both are never negative here
  }
}
