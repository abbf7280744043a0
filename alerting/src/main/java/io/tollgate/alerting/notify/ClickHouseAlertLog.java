package io.tollgate.alerting.notify;

import io.tollgate.schemas.Alert;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseException;
import io.tollgate.schemas.clickhouse.RowBinaryOut;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes alerts and delivery outcomes to the ClickHouse {@code alerts} table (migration 001): one
 * row per alert ({@code channel = ''}, status {@code raised}) and one per channel and outcome
 * ({@code delivered} / {@code failed} / {@code dead_letter}, with attempts and the last error). The table is a
 * ReplacingMergeTree(updated_at) keyed by (alert id, channel, status), so a replayed alert or a
 * repeated failure leaves one row each. Rows are buffered and written once a second from a thread
 * of its own: ClickHouse being slow or down never delays a delivery; the buffer is kept (up to
 * {@link #MAX_BUFFER} rows) and written when ClickHouse is back.
 */
public final class ClickHouseAlertLog implements AlertLog {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseAlertLog.class);
  static final int MAX_BUFFER = 10_000;
  static final List<String> COLUMNS = List.of("alert_id", "rule_id", "kind", "severity", "scope", "scope_id", "period",
      "window_start", "spend_nanos", "threshold_nanos", "baseline_mean_nanos", "baseline_stddev_nanos", "z_score",
      "message", "channel", "status", "attempts", "error", "created_at", "updated_at");

  private record Row(Alert alert, String channel, String status, int attempts, String error, Instant at) {
  }

  private final ClickHouseClient clickhouse;
  private final Clock clock;
  private final AlertingMetrics metrics;
  private final List<Row> buffer = new ArrayList<>();
  private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "alert-log");
    t.setDaemon(true);
    return t;
  });

  public ClickHouseAlertLog(ClickHouseClient clickhouse, Clock clock, AlertingMetrics metrics) {
    this.clickhouse = Objects.requireNonNull(clickhouse, "clickhouse");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    writer.scheduleWithFixedDelay(this::flush, 1, 1, TimeUnit.SECONDS);
  }

  @Override
  public void raised(Alert alert) {
    add(new Row(alert, "", "raised", 0, "", clock.instant()));
  }

  @Override
  public void outcome(Alert alert, String channel, String status, int attempts, String error) {
    add(new Row(alert, channel, status, attempts, error == null ? "" : error, clock.instant()));
  }

  private synchronized void add(Row row) {
    if (buffer.size() >= MAX_BUFFER) {
      buffer.remove(0);
      metrics.alertLogDropped();
    }
    buffer.add(row);
  }

  /** Writes what is buffered; on failure puts it back (oldest first) for the next try. */
  void flush() {
    List<Row> rows;
    synchronized (this) {
      if (buffer.isEmpty()) {
        return;
      }
      rows = new ArrayList<>(buffer);
      buffer.clear();
    }
    try {
      clickhouse.insertRowBinary("alerts", COLUMNS, out -> {
        for (Row r : rows) {
          write(out, r);
        }
        return rows.size();
      });
    } catch (RuntimeException e) {
      metrics.alertLogFailed();
      if (e instanceof ClickHouseException) {
        LOG.warn("cannot write {} alert row(s) to ClickHouse yet ({}); will retry", rows.size(), e.getMessage());
      } else {
        LOG.error("alert log write failed; will retry", e);
      }
      synchronized (this) {
        buffer.addAll(0, rows);
        while (buffer.size() > MAX_BUFFER) {
          buffer.remove(0);
          metrics.alertLogDropped();
        }
      }
    }
  }

  private static void write(RowBinaryOut out, Row r) throws IOException {
    Alert a = r.alert();
    out.writeString(a.getAlertId());
    out.writeString(a.getRuleId());
    out.writeString(a.getKind());
    out.writeString(a.getSeverity());
    out.writeString(a.getScope());
    out.writeString(a.getScopeId());
    out.writeString(a.getPeriod());
    out.writeDateTime(a.getWindowStart());
    out.writeInt64(a.getSpendNanos());
    out.writeInt64(a.getThresholdNanos() == null ? 0 : a.getThresholdNanos());
    out.writeInt64(a.getBaselineMeanNanos() == null ? 0 : a.getBaselineMeanNanos());
    out.writeInt64(a.getBaselineStddevNanos() == null ? 0 : a.getBaselineStddevNanos());
    out.writeFloat64(a.getZScore() == null ? 0 : a.getZScore());
    out.writeString(a.getMessage());
    out.writeString(r.channel());
    out.writeString(r.status());
    out.writeUInt32(r.attempts());
    out.writeString(r.error());
    out.writeDateTime(a.getCreatedAt());
    out.writeDateTime(r.at());
  }

  /** Writes what is left (one last try) and stops the writer thread. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      writer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flush();
  }
}
