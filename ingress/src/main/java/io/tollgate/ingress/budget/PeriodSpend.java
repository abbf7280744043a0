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

  PeriodSpend(ScopeAccount account, PeriodRef ref) {
    this.account = account;
    this.ref = ref;
  }
}
