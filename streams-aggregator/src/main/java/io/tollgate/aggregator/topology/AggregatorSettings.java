package io.tollgate.aggregator.topology;

import java.time.Duration;
import java.util.Objects;

/**
 * What shapes the topology.
 *
 * @param dedupeRetention how long an event id is remembered to drop replays (default 24 h)
 * @param grace           how late an event may arrive and still count in its window (default 5 min)
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
    return new AggregatorSettings(Duration.ofHours(24), Duration.ofMinutes(5));
  }
}
