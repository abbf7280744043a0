package io.tollgate.aggregator.sink;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The ClickHouse sink's metrics: rows written, failed inserts and insert time, per table. */
public final class SinkMetrics {
  private final Counter rows;
  private final Counter failures;
  private final Histogram insertSeconds;

  public SinkMetrics(PrometheusRegistry registry) {
    rows = Counter.builder().name("tollgate_sink_rows_total")
        .help("Rows the sink wrote to ClickHouse, by table").labelNames("table").register(registry);
    failures = Counter.builder().name("tollgate_sink_failures_total")
        .help("Failed ClickHouse inserts of the sink (retried), by table").labelNames("table").register(registry);
    insertSeconds = Histogram.builder().name("tollgate_sink_insert_duration_seconds")
        .help("Duration of one streaming insert, by table").labelNames("table").register(registry);
  }

  void inserted(String table, int rowCount, double seconds) {
    rows.labelValues(table).inc(rowCount);
    insertSeconds.labelValues(table).observe(seconds);
  }

  void failed(String table) {
    failures.labelValues(table).inc();
  }
}
