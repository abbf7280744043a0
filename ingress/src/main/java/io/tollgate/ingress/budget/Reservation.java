package io.tollgate.ingress.budget;

import io.tollgate.schemas.BudgetPeriodRef;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The maximum cost of one call held against every budget period it counts against, from admission
 * until the call's event is built ({@link #settle}) or the call ends without one ({@link #release}).
 * Exactly one of the two takes effect, once; later calls do nothing — so a path that settles and
 * then releases in a {@code finally} cannot count a call twice or leak its hold.
 */
public final class Reservation {
  /** No budgets apply: nothing held, no periods. */
  public static final Reservation NONE = new Reservation(null, List.of(), List.of(), 0);

  private final BudgetLedger ledger;
  private final List<BudgetLedger.Hold> held;
  private final List<PeriodRef> periods;
  private final long amountNanos;
  private final AtomicBoolean done = new AtomicBoolean();

  Reservation(BudgetLedger ledger, List<BudgetLedger.Hold> held, List<PeriodRef> periods, long amountNanos) {
    this.ledger = ledger;
    this.held = held;
    this.periods = List.copyOf(periods);
    this.amountNanos = amountNanos;
  }

  /** What is held against each period, nano-USD. */
  public long amountNanos() {
    return amountNanos;
  }

  /** Every period the call counts against, for {@code UsageEvent.budget_periods}. */
  public List<BudgetPeriodRef> eventPeriods() {
    return periods.stream().map(PeriodRef::toEvent).toList();
  }

  public List<PeriodRef> periods() {
    return periods;
  }

  /** Replaces the hold by the call's real cost (its event is being built with that cost). */
  public void settle(long costNanos) {
    if (ledger != null && done.compareAndSet(false, true)) {
      ledger.finish(this, held, Math.max(0, costNanos));
    }
  }

  /** Drops the hold: the call ended without an event (nothing spent). */
  public void release() {
    if (ledger != null && done.compareAndSet(false, true)) {
      ledger.finish(this, held, -1);
    }
  }

  /** Whether it was settled or released. */
  public boolean finished() {
    return ledger == null || done.get();
  }

  long amount() {
    return amountNanos;
  }
}
