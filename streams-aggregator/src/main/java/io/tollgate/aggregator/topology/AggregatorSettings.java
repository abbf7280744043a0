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
 */
public record AggregatorSettings(Duration dedupeRetention, Duration grace) {
  public AggregatorSettings {
    Objects.requireNonNull(dedupeRetention, "dedupeRetention");
    Objects.requireNonNull(grace, "grace");
    if (dedupeRetention.isNegative() || dedupeRetention.isZero() || grace.isNegative()) {
      throw new IllegalArgumentException("dedupe retention must be positive and grace not negative");
    }
  }

  public static AggregatorSettings defaults() {
    return new AggregatorSettings(Duration.ofHours(24), Duration.ofHours(24));
  }
}
