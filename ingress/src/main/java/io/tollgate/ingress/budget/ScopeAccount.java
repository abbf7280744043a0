package io.tollgate.ingress.budget;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One key, team or customer on this gateway: its current period per duration. A short lock per
 * scope (held for a few additions, never across I/O) makes check-and-reserve atomic on any thread;
 * calls lock key, then team, then customer, so two calls never wait for each other in a cycle.
 */
final class ScopeAccount {
  final Scope scope;
  final String id;
  final ReentrantLock lock = new ReentrantLock();
  /** Normalised duration ("" = lifetime) → its current period. Guarded by {@link #lock}. */
  private final Map<String, PeriodSpend> periods = new HashMap<>(4);
  /** When it last had a call, for eviction (nanoTime); guarded by {@link #lock}. */
  long lastUsedNanos;
  /** Dropped from the ledger; a call that locked it meanwhile looks it up again. Guarded by {@link #lock}. */
  boolean evicted;

  ScopeAccount(Scope scope, String id) {
    this.scope = scope;
    this.id = id;
  }

  /**
   * The period {@code ref} (same scope and id), created when new. A period older than the one held
   * (a clock stepping back) gets a detached entry: counted for this call, never stored.
   */
  PeriodSpend period(PeriodRef ref, java.util.function.ToLongFunction<PeriodRef> aggregatedMine) {
    PeriodSpend p = periods.get(ref.duration());
    if (p != null && p.ref.periodStartMillis() == ref.periodStartMillis()) {
      return p;
    }
    PeriodSpend fresh = new PeriodSpend(this, ref);
    fresh.aggregatedBaseline = aggregatedMine.applyAsLong(ref);
    if (p == null || p.ref.periodStartMillis() < ref.periodStartMillis()) {
      periods.put(ref.duration(), fresh);
    }
    return fresh;
  }

  /** The period if held, else null (reads for /key/info do not create entries). */
  PeriodSpend peek(PeriodRef ref) {
    PeriodSpend p = periods.get(ref.duration());
    return p != null && p.ref.periodStartMillis() == ref.periodStartMillis() ? p : null;
  }

  /** Whether it holds no reservation (and may be dropped once idle). Caller holds the lock. */
  boolean idle() {
    for (PeriodSpend p : periods.values()) {
      if (p.openReservations > 0) {
        return false;
      }
    }
    return true;
  }
}
