package io.tollgate.aggregator.sink;

import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import java.util.List;
import java.util.Objects;

/**
 * The sink's inserts, one call per table and batch: ClickHouse in the app ({@link #clickHouse}),
 * anything that can refuse rows in tests. An empty list must still reach the table (the sink
 * asks with it whether a table takes anything at all, see {@link TableInserts}).
 */
interface SinkWriter {
  void insertUsage(List<UsageEvent> rows);

  /** @param table {@code spend_1m}, {@code spend_1h} or {@code spend_1d} */
  void insertWindows(String table, List<SpendWindow> rows);

  /** Streaming RowBinary inserts through {@code clickhouse} (SinkRows' columns). */
  static SinkWriter clickHouse(ClickHouseClient clickhouse) {
    Objects.requireNonNull(clickhouse, "clickhouse");
    return new SinkWriter() {
      @Override
      public void insertUsage(List<UsageEvent> rows) {
        clickhouse.insertRowBinary("usage_events", SinkRows.USAGE_COLUMNS, out -> {
          for (UsageEvent e : rows) {
            SinkRows.write(out, e);
          }
          return rows.size();
        });
      }

      @Override
      public void insertWindows(String table, List<SpendWindow> rows) {
        clickhouse.insertRowBinary(table, SinkRows.WINDOW_COLUMNS, out -> {
          for (SpendWindow w : rows) {
            SinkRows.write(out, w);
          }
          return rows.size();
        });
      }
    };
  }
}
