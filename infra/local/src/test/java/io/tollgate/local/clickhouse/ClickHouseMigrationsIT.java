package io.tollgate.local.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseMigrations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ClickHouseExtension.class)
class ClickHouseMigrationsIT {
  private static final List<String> TABLES =
      List.of("alerts", "provider_usage", "schema_migrations", "spend_1d", "spend_1h", "spend_1m", "usage_events");
  private static final long MIGRATIONS = 3;

  @Test
  void migrationsCreateTheTablesAndApplyingAgainChangesNothing(ClickHouseTestDatabase db) {
    // The extension applied them once already.
    ClickHouseClient ch = db.client();
    assertThat(new ClickHouseMigrations(ch).apply()).isEmpty();
    assertThat(new ClickHouseMigrations(ch).apply()).isEmpty();

    assertThat(tables(ch)).containsExactlyElementsOf(TABLES);
    assertThat(engine(ch, "usage_events")).isEqualTo("ReplacingMergeTree");
    assertThat(engine(ch, "spend_1m")).isEqualTo("ReplacingMergeTree");
    assertThat(ch.queryLong("SELECT count() FROM system.columns WHERE database = '" + db.database()
        + "' AND table = 'usage_events' AND name IN ('event_id', 'cost_nanos', 'cache_write_1h_tokens', 'tag_keys')"))
        .isEqualTo(4);
    assertThat(ch.query("SELECT type FROM system.columns WHERE database = '" + db.database()
        + "' AND table = 'spend_1d' AND name = 'cost_nanos'").get(0)).containsEntry("type", "Int64");
    assertThat(ch.queryLong("SELECT count() FROM schema_migrations")).isEqualTo(MIGRATIONS);
    assertThat(ch.queryLong("SELECT count() FROM system.columns WHERE database = '" + db.database()
        + "' AND table = 'usage_events' AND name IN ('team_id', 'request_tags', 'usage_source', 'usage_clamped')"))
        .as("UsageEvent v2 columns (002)").isEqualTo(4);
  }

  @Test
  void aFreshDatabaseMigratedByTwoRunnersAtOnceEndsUpTheSame(ClickHouseTestDatabase db) throws Exception {
    ClickHouseClient a = new ClickHouseClient(db.settings().withDatabase(db.database() + "_race"));
    ClickHouseClient b = new ClickHouseClient(db.settings().withDatabase(db.database() + "_race"));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Callable<Integer>> runners = List.of(
          () -> new ClickHouseMigrations(a).apply().size(),
          () -> new ClickHouseMigrations(b).apply().size());
      List<Integer> applied = new ArrayList<>();
      for (Future<Integer> f : pool.invokeAll(runners)) {
        applied.add(f.get());
      }
      // One runner applied them all; the other found them done (or, after a lock takeover, re-ran idempotent DDL).
      assertThat(applied.stream().mapToInt(Integer::intValue).sum()).isBetween((int) MIGRATIONS, 2 * (int) MIGRATIONS);
      assertThat(tables(a)).containsExactlyElementsOf(TABLES);
      assertThat(a.queryLong("SELECT count() FROM schema_migrations FINAL")).isEqualTo(MIGRATIONS);
      assertThat(a.queryLong("SELECT count() FROM system.tables WHERE database = '"
          + a.settings().database() + "' AND name = 'schema_migrations_lock'")).isZero();
    } finally {
      pool.shutdownNow();
      a.dropDatabase();
    }
  }

  @Test
  void anAppliedMigrationThatWasEditedIsRejected(ClickHouseTestDatabase db) {
    ClickHouseClient ch = new ClickHouseClient(db.settings().withDatabase(db.database() + "_edit"));
    try {
      new ClickHouseMigrations(ch).apply();
      ch.execute("INSERT INTO schema_migrations (version, name, checksum, applied_at) "
          + "VALUES (1, '001_initial.sql', 'deadbeef', now() + 10)");
      assertThatThrownBy(() -> new ClickHouseMigrations(ch).apply())
          .hasMessageContaining("001_initial.sql")
          .hasMessageContaining("changed after they were applied");
    } finally {
      ch.dropDatabase();
    }
  }

  private static List<String> tables(ClickHouseClient ch) {
    return ch.query("SELECT name FROM system.tables WHERE database = '" + ch.settings().database() + "' ORDER BY name")
        .stream().map(r -> (String) r.get("name")).toList();
  }

  private static String engine(ClickHouseClient ch, String table) {
    List<Map<String, Object>> rows = ch.query("SELECT engine FROM system.tables WHERE database = '"
        + ch.settings().database() + "' AND name = '" + table + "'");
    return (String) rows.get(0).get("engine");
  }
}
