package io.tollgate.schemas.clickhouse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a ClickHouse database to the newest schema: creates the database, then applies every
 * migration not yet recorded in {@code schema_migrations}, in order, once each.
 *
 * <p>ClickHouse has no transactions or advisory locks, so two processes starting together (two
 * gateways, the launcher and a sink) are serialized by a lock table: creating a table is atomic,
 * the loser gets "already exists" and waits. A lock left by a crashed process is taken over after
 * {@link #STALE_LOCK}. Taking over is safe because every migration statement is idempotent
 * ({@code CREATE TABLE IF NOT EXISTS}, {@code ADD COLUMN} tolerating an existing column), so even two runners applying the same file cannot break
 * anything; the lock only keeps them from doing the work twice.
 */
public final class ClickHouseMigrations {
  private static final Logger LOG = LoggerFactory.getLogger(ClickHouseMigrations.class);

  /** Classpath folder of the migrations. */
  public static final String ROOT = "clickhouse/migrations";
  static final Duration STALE_LOCK = Duration.ofSeconds(20);
  private static final String LOCK_TABLE = "schema_migrations_lock";

  private final ClickHouseClient client;
  private final List<Migration> migrations;
  private final Duration lockTimeout;

  /** The migrations shipped in this jar. */
  public ClickHouseMigrations(ClickHouseClient client) {
    this(client, Migration.load(ClickHouseMigrations.class.getClassLoader(), ROOT), Duration.ofMinutes(2));
  }

  ClickHouseMigrations(ClickHouseClient client, List<Migration> migrations, Duration lockTimeout) {
    this.client = Objects.requireNonNull(client, "client");
    this.migrations = List.copyOf(migrations);
    this.lockTimeout = Objects.requireNonNull(lockTimeout, "lockTimeout");
  }

  /** Applies what is missing; returns the migrations this call applied (empty when up to date). */
  public List<Migration> apply() {
    client.createDatabaseIfNotExists();
    client.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, "
        + "checksum String, applied_at DateTime) ENGINE = ReplacingMergeTree ORDER BY version");
    List<Migration> pending = pending(recorded());
    if (pending.isEmpty()) {
      return List.of();
    }
    String owner = UUID.randomUUID().toString();
    acquireLock(owner);
    try {
      // Someone may have finished while we waited for the lock.
      List<Migration> applied = new ArrayList<>();
      for (Migration migration : pending(recorded())) {
        for (String statement : migration.statements()) {
          execute(statement);
        }
        client.execute("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ("
            + migration.version() + ", '" + migration.name() + "', '" + migration.checksum() + "', now())");
        LOG.info("applied ClickHouse migration {} to database {}", migration.name(), client.settings().database());
        applied.add(migration);
      }
      return applied;
    } finally {
      releaseLock();
    }
  }

  /**
   * Runs one statement. {@code ALTER TABLE … ADD COLUMN} has no {@code IF NOT EXISTS} on
   * ClickHouse 18.16, so a column that already exists (a runner that took over a stale lock, or
   * a crash between a file's statements) counts as done: that keeps every statement idempotent.
   */
  private void execute(String statement) {
    try {
      client.execute(statement);
    } catch (ClickHouseException e) {
      boolean addColumn = statement.toUpperCase(java.util.Locale.ROOT).matches("(?s)ALTER\\s+TABLE\\s+.*\\sADD\\s+COLUMN\\s.*");
      if (!addColumn || e.getMessage() == null || !e.getMessage().contains("already exists")) {
        throw e;
      }
      LOG.info("column of '{}' exists already; nothing to do", statement);
    }
  }

  private Map<Integer, String> recorded() {
    Map<Integer, String> checksums = new HashMap<>();
    for (Map<String, Object> row : client.query(
        "SELECT version, argMax(checksum, applied_at) AS checksum FROM schema_migrations GROUP BY version")) {
      checksums.put(((Number) row.get("version")).intValue(), (String) row.get("checksum"));
    }
    return checksums;
  }

  private List<Migration> pending(Map<Integer, String> recorded) {
    List<Migration> pending = new ArrayList<>();
    List<String> edited = new ArrayList<>();
    for (Migration m : migrations) {
      String checksum = recorded.get(m.version());
      if (checksum == null) {
        pending.add(m);
      } else if (!checksum.equals(m.checksum())) {
        edited.add(m.name());
      }
    }
    if (!edited.isEmpty()) {
      throw new IllegalStateException("ClickHouse migrations " + edited + " were changed after they were applied to "
          + client.settings().database() + "; never edit an applied migration, add a new one");
    }
    return pending;
  }

  private void acquireLock(String owner) {
    long deadline = System.nanoTime() + lockTimeout.toNanos();
    long emptySince = 0;
    while (true) {
      try {
        client.execute("CREATE TABLE " + LOCK_TABLE + " (owner String, acquired_at DateTime) ENGINE = Memory");
        client.execute("INSERT INTO " + LOCK_TABLE + " (owner, acquired_at) VALUES ('" + owner + "', now())");
        return;
      } catch (ClickHouseException e) {
        if (e.code() != ClickHouseException.TABLE_ALREADY_EXISTS) {
          throw e;
        }
      }
      // Held by someone else: wait, unless the holder is gone.
      long age = lockAgeSeconds();
      if (age < 0) {
        emptySince = emptySince == 0 ? System.nanoTime() : emptySince;
      } else {
        emptySince = 0;
      }
      boolean stale = age > STALE_LOCK.toSeconds()
          || (emptySince != 0 && System.nanoTime() - emptySince > Duration.ofSeconds(2).toNanos());
      if (stale) {
        LOG.warn("taking over a stale ClickHouse migration lock in {}", client.settings().database());
        releaseLock();
        continue;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("another process holds the ClickHouse migration lock ("
            + client.settings().database() + "." + LOCK_TABLE + ") for longer than " + lockTimeout);
      }
      sleep(200);
    }
  }

  /** Seconds since the lock was taken, or -1 when the lock table is empty or gone. */
  private long lockAgeSeconds() {
    try {
      List<Map<String, Object>> rows = client.query(
          "SELECT toInt64(now()) - toInt64(min(acquired_at)) AS age, count() AS n FROM " + LOCK_TABLE);
      if (rows.isEmpty() || ((Number) rows.get(0).get("n")).longValue() == 0) {
        return -1;
      }
      return ((Number) rows.get(0).get("age")).longValue();
    } catch (ClickHouseException e) {
      return -1;
    }
  }

  private void releaseLock() {
    client.execute("DROP TABLE IF EXISTS " + LOCK_TABLE);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the migration lock", e);
    }
  }
}
