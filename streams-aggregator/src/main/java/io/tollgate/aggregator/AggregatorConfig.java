package io.tollgate.aggregator;

import io.tollgate.schemas.config.ConfigFile;
import io.tollgate.schemas.config.Problems;
import io.tollgate.schemas.config.TollgateSection;
import java.time.Duration;
import io.tollgate.aggregator.topology.AggregatorSettings;
import java.util.List;

/**
 * The aggregator's own settings, from {@code tollgate.aggregator} of the config file (every
 * problem reported at once, see {@link #from}); defaults in one place, {@link #defaults()}.
 *
 * @param sinkBatchRows        rows the ClickHouse sink collects before one insert per table (ClickHouse
 *                             advises 10k–100k rows per insert)
 * @param sinkFlushInterval    longest a row waits in the sink: the freshness floor of {@code spend_1m}
 * @param usageRetentionMonths calendar months of {@code usage_events} kept, the current one included
 *                             (0 = keep everything; see {@code UsageRetention})
 * @param preAggregate         how often the per-partition sums go downstream (issue 14's topology);
 *                             zero = the per-event topology (the benchmark's baseline)
 * @param commitInterval       Kafka Streams' {@code commit.interval.ms}: the longest time between
 *                             exactly-once commits. The pre-aggregated topology also asks for a commit
 *                             after each flush while it is caught up ({@code PreAggregate}), so this is
 *                             the interval a backlog gets: fewer transactions, and every cached store
 *                             writes a busy key once per commit instead of once per 200 ms
 * @param warnings             unknown keys and the like: logged at start, fail {@code --validate}
 */
public record AggregatorConfig(int sinkBatchRows, Duration sinkFlushInterval, int usageRetentionMonths,
                               Duration preAggregate, Duration commitInterval, List<String> warnings) {
  public static final int DEFAULT_BATCH_ROWS = 20_000;
  /** The pre-aggregated topology's: what a backlog gets (caught up, it commits after every flush). */
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(5_000);
  /** The per-event topology's (as every Tollgate Streams app: {@code StreamsDefaults}). */
  public static final Duration PER_EVENT_COMMIT_INTERVAL =
      Duration.ofMillis(io.tollgate.schemas.topics.StreamsDefaults.COMMIT_INTERVAL_MS);
  static final long MIN_COMMIT_INTERVAL_MS = 10;
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(500);
  static final int MAX_BATCH_ROWS = 1_000_000;
  static final long MAX_FLUSH_INTERVAL_MS = 60_000;
  static final int MAX_RETENTION_MONTHS = 1_200;

  public AggregatorConfig {
    if (sinkBatchRows < 1 || sinkBatchRows > MAX_BATCH_ROWS) {
      throw new IllegalArgumentException("sink batch rows must be 1.." + MAX_BATCH_ROWS);
    }
    if (sinkFlushInterval.isNegative() || sinkFlushInterval.isZero() || sinkFlushInterval.toMillis() > MAX_FLUSH_INTERVAL_MS) {
      throw new IllegalArgumentException("sink flush interval must be 1.." + MAX_FLUSH_INTERVAL_MS + " ms");
    }
    if (usageRetentionMonths < 0 || usageRetentionMonths > MAX_RETENTION_MONTHS) {
      throw new IllegalArgumentException("usage retention must be 0.." + MAX_RETENTION_MONTHS + " months");
    }
    if (preAggregate.isNegative() || preAggregate.toMillis() > MAX_FLUSH_INTERVAL_MS) {
      throw new IllegalArgumentException("pre-aggregation interval must be 0.." + MAX_FLUSH_INTERVAL_MS + " ms");
    }
    if (commitInterval.toMillis() < MIN_COMMIT_INTERVAL_MS || commitInterval.toMillis() > MAX_FLUSH_INTERVAL_MS) {
      throw new IllegalArgumentException("commit interval must be " + MIN_COMMIT_INTERVAL_MS + ".."
          + MAX_FLUSH_INTERVAL_MS + " ms");
    }
    warnings = List.copyOf(warnings);
  }

  /** The previous form (tests): the default pre-aggregation. */
  public AggregatorConfig(int sinkBatchRows, Duration sinkFlushInterval, int usageRetentionMonths, List<String> warnings) {
    this(sinkBatchRows, sinkFlushInterval, usageRetentionMonths, AggregatorSettings.DEFAULT_PRE_AGGREGATE, warnings);
  }

  /** With the topology's default commit interval ({@link #defaultCommitInterval}). */
  public AggregatorConfig(int sinkBatchRows, Duration sinkFlushInterval, int usageRetentionMonths,
                          Duration preAggregate, List<String> warnings) {
    this(sinkBatchRows, sinkFlushInterval, usageRetentionMonths, preAggregate, defaultCommitInterval(preAggregate),
        warnings);
  }

  /** 1 s for the pre-aggregated topology, 200 ms (as before issue 14) for the per-event one. */
  public static Duration defaultCommitInterval(Duration preAggregate) {
    return preAggregate.isZero() ? PER_EVENT_COMMIT_INTERVAL : DEFAULT_COMMIT_INTERVAL;
  }

  /** The topology's settings these select. */
  public AggregatorSettings topology() {
    return AggregatorSettings.defaults().withPreAggregate(preAggregate);
  }

  public static AggregatorConfig defaults() {
    return new AggregatorConfig(DEFAULT_BATCH_ROWS, DEFAULT_FLUSH_INTERVAL, 0, List.of());
  }

  /**
   * From a loaded config file (null = no file: the defaults).
   *
   * @throws io.tollgate.schemas.config.ConfigException listing every error of the file and of this section
   */
  public static AggregatorConfig from(ConfigFile file) {
    if (file == null) {
      return defaults();
    }
    Problems problems = file.problems();
    AggregatorConfig config = from(file.root().tollgate().aggregator(), problems);
    problems.throwIfErrors();
    return config;
  }

  /** From the section as bound; errors go to {@code problems} (then the defaults are returned). */
  static AggregatorConfig from(TollgateSection.Aggregator section, Problems problems) {
    String path = "tollgate.aggregator.";
    int rows = range(problems, path + "sink_batch_rows", section.sinkBatchRows(), DEFAULT_BATCH_ROWS, 1, MAX_BATCH_ROWS);
    int flushMs = range(problems, path + "sink_flush_interval_ms", section.sinkFlushIntervalMs(),
        (int) DEFAULT_FLUSH_INTERVAL.toMillis(), 1, (int) MAX_FLUSH_INTERVAL_MS);
    int months = range(problems, path + "usage_retention_months", section.usageRetentionMonths(), 0, 0,
        MAX_RETENTION_MONTHS);
    int preMs = range(problems, path + "pre_aggregate_ms", section.preAggregateMs(),
        (int) AggregatorSettings.DEFAULT_PRE_AGGREGATE.toMillis(), 0, (int) MAX_FLUSH_INTERVAL_MS);
    int commitMs = range(problems, path + "commit_interval_ms", section.commitIntervalMs(),
        (int) defaultCommitInterval(Duration.ofMillis(preMs)).toMillis(), (int) MIN_COMMIT_INTERVAL_MS,
        (int) MAX_FLUSH_INTERVAL_MS);
    return new AggregatorConfig(rows, Duration.ofMillis(flushMs), months, Duration.ofMillis(preMs),
        Duration.ofMillis(commitMs), problems.warnings());
  }

  private static int range(Problems problems, String path, Integer value, int fallback, int min, int max) {
    if (value == null) {
      return fallback;
    }
    if (value < min || value > max) {
      problems.error(path, "must be " + min + ".." + max);
      return fallback;
    }
    return value;
  }

  @Override
  public String toString() {
    return "AggregatorConfig[sink " + sinkBatchRows + " rows / " + sinkFlushInterval.toMillis() + " ms, usage_events "
        + (usageRetentionMonths == 0 ? "kept forever" : "kept " + usageRetentionMonths + " months") + ", "
        + (preAggregate.isZero() ? "per-event topology" : "pre-aggregated every " + preAggregate.toMillis() + " ms")
        + ", commits at least every " + commitInterval.toMillis() + " ms]";
  }
}
