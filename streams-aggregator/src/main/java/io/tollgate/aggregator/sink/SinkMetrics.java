package io.tollgate.aggregator.sink;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ClickHouse sink's metrics: rows written, failed inserts and insert time, per table; and how
 * fresh {@code spend_1m} is: the age of the newest event it reflects.
 */
public final class SinkMetrics {
  private final Counter rows;
  private final Counter failures;
  private final Histogram insertSeconds;
  private final Counter deadLetters;
  private final AtomicLong newestEventMillis = new AtomicLong(Long.MIN_VALUE);

  public SinkMetrics(PrometheusRegistry registry) {
    this(registry, Clock.systemUTC());
  }

  /**
   * Freshness is the event time, not the time of the write: a window's {@code updated_at} is the
   * newest event ts it counts, so a sink busy re-writing an old backlog does not look fresh, and a
   * stalled aggregator (nothing new to write) shows as a growing age. No sample before the first
   * write: after a start nothing is known yet.
   */
  public SinkMetrics(PrometheusRegistry registry, Clock clock) {
    GaugeWithCallback.builder().name("tollgate_spend_freshness_seconds")
        .help("Age of the newest event reflected in spend_1m (now minus the newest updated_at the sink wrote)")
        .callback(cb -> {
          long newest = newestEventMillis.get();
          if (newest != Long.MIN_VALUE) {
            cb.call(Math.max(0, clock.millis() - newest) / 1000.0);
          }
        })
        .register(registry);
    rows = Counter.builder().name("tollgate_sink_rows_total")
        .help("Rows the sink wrote to ClickHouse, by table").labelNames("table").register(registry);
    failures = Counter.builder().name("tollgate_sink_failures_total")
        .help("Failed ClickHouse inserts of the sink (retried), by table").labelNames("table").register(registry);
    deadLetters = Counter.builder().name("tollgate_sink_dead_letters_total")
        .help("Rows the sink can never write, sent to tollgate.sink.dlq.v1, by table and reason "
            + "(refused: ClickHouse refused them for good; no_table: a window size without a table, or undecodable)")
        .labelNames("table", "reason").register(registry);
    insertSeconds = Histogram.builder().name("tollgate_sink_insert_duration_seconds")
        .help("Duration of one streaming insert, by table").labelNames("table").register(registry);
  }

  void inserted(String table, int rowCount, double seconds) {
    rows.labelValues(table).inc(rowCount);
    insertSeconds.labelValues(table).observe(seconds);
  }

  /** Windows with events up to {@code eventMillis} are now in spend_1m. */
  void spend1mWritten(long eventMillis) {
    newestEventMillis.accumulateAndGet(eventMillis, Math::max);
  }

  void deadLettered(String table, String reason) {
    deadLetters.labelValues(table, reason).inc();
  }

  void failed(String table) {
    failures.labelValues(table).inc();
  }
}
