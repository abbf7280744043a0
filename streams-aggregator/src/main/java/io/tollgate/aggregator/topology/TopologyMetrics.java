package io.tollgate.aggregator.topology;

/**
 * What the topology counts outside its outputs. Counts are best-effort: under exactly-once a task
 * that is rewound after a crash processes its records again and counts them again.
 */
public interface TopologyMetrics {
  /** Counts nothing (tests that do not look). */
  TopologyMetrics NONE = (reason, count) -> { };

  /**
   * {@code count} budget-period entries of an event were skipped, for {@code reason} (one of
   * {@link BudgetPeriodEntries}' reasons, or {@link BudgetPeriodTotals#LATE}).
   */
  void budgetPeriodSkipped(String reason, long count);

  /** {@code count} request tags of an event were not summed, for {@code reason} (one of {@link RequestTags}'). */
  default void tagSkipped(String reason, long count) {
  }

  /** {@code count} day-total deltas came after their day's end + grace and were dropped ({@link DayTotalsPurge}). */
  default void dayTotalLate(long count) {
  }

  /** A sum came after its {@code size} window's end + grace and was dropped from it ({@link SpendWindowTotals}). */
  default void windowLate(String size) {
  }

  /** A pre-aggregation flush ran while caught up (then it asked for a commit) or behind ({@link PreAggregate}). */
  default void preAggregateFlush(boolean caughtUp) {
  }
}
