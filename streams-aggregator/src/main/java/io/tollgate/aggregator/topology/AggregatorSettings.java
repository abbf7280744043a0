package io.tollgate.aggregator.topology;

import java.time.Duration;
import java.util.Objects;

/**
 * What shapes the topology.
 *
 * @param dedupeRetention how long an event id is remembered to drop replays (default 24 h)
 * @param grace           how late an event may arrive and still count in its window. Default 24 h,
 *                        not minutes: while the aggregator catches up on a backlog (after a restart
 *                        or an outage) its input partitions drift apart in event time, and a short
 *                        grace would silently drop real spend from the small windows. Since totals
 *                        are emitted as they change (no suppression), a long grace costs only state.
 * @param preAggregate    how often the per-partition pending sums are sent downstream (wall clock,
 *                        {@link PreAggregate}); zero selects the per-event topology (one repartition
 *                        record per event and target), kept as the benchmark's baseline
 * @param writeBack       the pre-aggregation's pending sums reach their store once per commit
 *                        ({@link CommitHook}, the default), and it dedupes, each mark written with
 *                        its event's sum; false writes each change through the store's record cache
 *                        at once and dedupes in {@link DecodeAndDedupe} at once, as before (kept as
 *                        the benchmark's baseline; not exact when a task is corrupted while running)
 * @param windowWriteBack the pre-aggregated topology's 1m / 1h / 1d totals are kept by
 *                        {@link SpendWindowTotals} (in memory between commits, written and emitted
 *                        once per commit; 1.2x on the benchmark's backlog, but not the default:
 *                        {@code CorruptedTaskIT} failed 2 of 20 runs with it, unexplained, see
 *                        docs/aggregator.md); false, the default: by the DSL's windowed aggregations
 *                        through the record cache. Both use the same stores, so either reads the
 *                        other's state
 * @param windowOpenLimit the open windows {@link SpendWindowTotals} keeps per task between commits
 *                        ({@link SpendWindowTotals#MAX_LIVE}; tests use a tiny one to prove the eviction)
 */
public record AggregatorSettings(Duration dedupeRetention, Duration grace, Duration preAggregate, boolean writeBack,
                                 boolean windowWriteBack, int windowOpenLimit) {
  /** As the commit interval of {@code StreamsDefaults}: a flush per commit. */
  public static final Duration DEFAULT_PRE_AGGREGATE = Duration.ofMillis(200);

  public AggregatorSettings {
    Objects.requireNonNull(dedupeRetention, "dedupeRetention");
    Objects.requireNonNull(grace, "grace");
    Objects.requireNonNull(preAggregate, "preAggregate");
    if (dedupeRetention.isNegative() || dedupeRetention.isZero() || grace.isNegative() || preAggregate.isNegative()) {
      throw new IllegalArgumentException("dedupe retention must be positive, grace and pre-aggregation not negative");
    }
    if (windowOpenLimit < 2) {
      throw new IllegalArgumentException("the open-window limit must be at least 2");
    }
  }

  public AggregatorSettings(Duration dedupeRetention, Duration grace, Duration preAggregate, boolean writeBack) {
    this(dedupeRetention, grace, preAggregate, writeBack, false, SpendWindowTotals.MAX_LIVE);
  }

  public AggregatorSettings(Duration dedupeRetention, Duration grace) {
    this(dedupeRetention, grace, DEFAULT_PRE_AGGREGATE, true);
  }

  public static AggregatorSettings defaults() {
    return new AggregatorSettings(Duration.ofHours(24), Duration.ofHours(24));
  }

  /** The same with another pre-aggregation interval (zero: per event). */
  public AggregatorSettings withPreAggregate(Duration interval) {
    return new AggregatorSettings(dedupeRetention, grace, interval, writeBack, windowWriteBack, windowOpenLimit);
  }

  /**
   * Whether the pre-aggregation drops repeated events itself, each mark written with its event's sum
   * (pre-aggregated with write-back); else {@link DecodeAndDedupe} does, at once.
   */
  boolean preAggregateDedupes() {
    return !preAggregate.isZero() && writeBack;
  }

  /** The same with the pending sums written back once per commit (true) or through at once (false). */
  public AggregatorSettings withWriteBack(boolean on) {
    return new AggregatorSettings(dedupeRetention, grace, preAggregate, on, windowWriteBack, windowOpenLimit);
  }

  /** The same with the window totals kept by {@link SpendWindowTotals} (true) or the DSL's windowed aggregations. */
  public AggregatorSettings withWindowWriteBack(boolean on) {
    return new AggregatorSettings(dedupeRetention, grace, preAggregate, writeBack, on, windowOpenLimit);
  }

  /** The same with another bound of open windows per task ({@link SpendWindowTotals}). */
  public AggregatorSettings withWindowOpenLimit(int limit) {
    return new AggregatorSettings(dedupeRetention, grace, preAggregate, writeBack, windowWriteBack, limit);
  }
}
