package io.tollgate.aggregator.retention;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseMigrations;
import io.tollgate.schemas.metrics.MetricsRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Against the local ClickHouse (18.16 here): old monthly partitions of usage_events are dropped, nothing else. */
@ExtendWith(ClickHouseExtension.class)
class UsageRetentionIT {

  @Test
  void monthsBeforeTheKeptOnesAreDroppedWholeAndTheRestStays(ClickHouseTestDatabase db) {
    ClickHouseClient ch = db.client();
    new ClickHouseMigrations(ch).apply();
    String table = db.database() + ".usage_events";
    for (String ts : List.of("2026-09-30 23:59:59", "2026-10-01 00:00:00", "2026-10-15 12:00:00",
        "2026-11-01 00:00:00", "2026-12-15 08:00:00")) {
      ch.execute("INSERT INTO " + table + " (event_id, ts, customer_id) VALUES ('" + ts + "', '" + ts + "', 'c')");
    }
    ch.execute("INSERT INTO " + db.database() + ".spend_1m (window_start, customer_id, model, tool, version)"
        + " VALUES ('2026-09-01 00:00:00', 'c', 'm', 't', 1)");
    PrometheusRegistry registry = new PrometheusRegistry();
    UsageRetention retention = new UsageRetention(ch, 2,
        Clock.fixed(Instant.parse("2026-12-15T09:00:00Z"), ZoneOffset.UTC), registry);

    assertThat(retention.run()).containsExactly("202609", "202610");
    assertThat(ch.queryLong("SELECT count() FROM " + table)).isEqualTo(2);
    assertThat(ch.queryLong("SELECT count() FROM " + table + " WHERE ts >= '2026-11-01 00:00:00'")).isEqualTo(2);
    assertThat(ch.queryLong("SELECT count() FROM " + db.database() + ".spend_1m")).as("windows untouched").isEqualTo(1);
    assertThat(retention.run()).as("a second run finds nothing to do").isEmpty();
    assertThat(new MetricsRegistry(registry).scrape())
        .contains("tollgate_usage_retention_dropped_partitions_total 2.0")
        .contains("tollgate_usage_retention_failures_total 0.0");
  }
}
