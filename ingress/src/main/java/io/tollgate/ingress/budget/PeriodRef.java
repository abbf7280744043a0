package io.tollgate.ingress.budget;

import io.tollgate.schemas.BudgetPeriodRef;
import java.time.Instant;

/**
 * One budget period of one scope: what a call counts against and what a budget-period total of
 * {@code tollgate.spend-totals.v1} sums.
 *
 * @param duration         normalised budget_duration ({@link BudgetDuration#normalized()}), "" = lifetime
 * @param periodStartMillis start of the period, 0 for lifetime
 */
public record PeriodRef(Scope scope, String id, String duration, long periodStartMillis) {
  /** The lifetime period of a scope. */
  public static PeriodRef lifetime(Scope scope, String id) {
    return new PeriodRef(scope, id, "", 0);
  }

  /** The period of {@code duration} (null = lifetime) containing {@code now}. */
  public static PeriodRef of(Scope scope, String id, BudgetDuration duration, Instant now) {
    return duration == null ? lifetime(scope, id)
        : new PeriodRef(scope, id, duration.normalized(), duration.periodStart(now).toEpochMilli());
  }

  /** The record key of its total: {@code scope|scope_id|duration|period_start_millis}. */
  public String topicKey() {
    return scope.wire() + "|" + id + "|" + duration + "|" + periodStartMillis;
  }

  /** As listed in {@code UsageEvent.budget_periods}. */
  public BudgetPeriodRef toEvent() {
    return BudgetPeriodRef.newBuilder().setScope(scope.wire()).setScopeId(id).setDuration(duration)
        .setPeriodStart(Instant.ofEpochMilli(periodStartMillis)).build();
  }
}
