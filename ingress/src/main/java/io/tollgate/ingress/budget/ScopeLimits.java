package io.tollgate.ingress.budget;

/**
 * The budget and rate limits of one scope that applies to a call (the key, the key's team, the
 * customer). Null means "no limit" for every limit.
 *
 * @param scope            key, team or customer
 * @param id               key hash, team id or customer id (the id in events and totals)
 * @param label            what an error names, e.g. {@code key_alias} or the team alias; never a key
 * @param maxBudgetNanos   budget per {@code budgetDuration}, nano-USD
 * @param softBudgetNanos  soft budget (alert only), nano-USD
 * @param budgetDuration   LiteLLM budget_duration as configured (30s, 1h, 1d, 7d, 1mo, monthly …); null = lifetime
 * @param rpmLimit         requests per minute
 * @param tpmLimit         tokens per minute
 * @param maxParallel      calls in flight at once
 * @param carriedSpendNanos spend from before Tollgate counted in the period starting at {@code carriedPeriodStartMillis}
 * @param carriedPeriodStartMillis start of that period, or null
 */
public record ScopeLimits(Scope scope, String id, String label, Long maxBudgetNanos, Long softBudgetNanos,
                          String budgetDuration, Long rpmLimit, Long tpmLimit, Integer maxParallel,
                          long carriedSpendNanos, Long carriedPeriodStartMillis) {
  /** Whether any limit is set at all (scopes without one cost nothing on the request path). */
  public boolean limited() {
    return maxBudgetNanos != null || softBudgetNanos != null || rpmLimit != null || tpmLimit != null
        || maxParallel != null;
  }
}
