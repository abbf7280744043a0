package io.tollgate.ingress.budget;

import java.time.Instant;

/**
 * Spend of a scope in its current budget period as this gateway sees it: the aggregated total from
 * {@code tollgate.spend-totals.v1}, plus this instance's settled spend the total does not have yet,
 * plus carried spend. Read by budget enforcement and by {@code /key/info}, {@code /customer/info},
 * {@code /team/info}. Thread-safe, in memory.
 */
public interface SpendView {
  /** Nothing spent anywhere (no totals followed). */
  SpendView NONE = new SpendView() {
    @Override
    public long spendNanos(ScopeLimits scope, Instant now) {
      return 0;
    }

    @Override
    public Instant budgetResetAt(String budgetDuration, Instant now) {
      return null;
    }
  };

  /** Spend of {@code scope} in the period of its budget_duration containing {@code now} (lifetime when none). */
  long spendNanos(ScopeLimits scope, Instant now);

  /** When the period containing {@code now} ends (LiteLLM's {@code budget_reset_at}); null for lifetime budgets. */
  Instant budgetResetAt(String budgetDuration, Instant now);
}
