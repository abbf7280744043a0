package io.tollgate.ingress.budget;

import java.time.Instant;

/** Told once per period and gateway when a scope's spend reaches its {@code soft_budget}. */
public interface SoftBudgetListener {
  SoftBudgetListener NONE = (limits, period, spendNanos, now) -> {
  };

  /** Must not block: called on the request path, outside every lock. */
  void crossed(ScopeLimits limits, PeriodRef period, long spendNanos, Instant now);
}
