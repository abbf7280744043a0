package io.tollgate.ingress.budget;

/**
 * This gateway's side of one budget period of one scope: spend it settled since it started and
 * the holds of calls in flight. Guarded by its account's lock.
 */
final class PeriodSpend {
  final ScopeAccount account;
  final PeriodRef ref;
  long settledNanos;
  long reservedNanos;
  int openReservations;
  boolean softAlerted;
  /**
   * What the aggregator had already counted of this gateway's spend in this period when the entry
   * was made: an entry made again after its account was evicted starts with {@code settledNanos}
   * 0, so the aggregated part of the earlier entry's spend must not hide the new entry's.
   */
  long aggregatedBaseline;

  PeriodSpend(ScopeAccount account, PeriodRef ref) {
    this.account = account;
    this.ref = ref;
  }
}
