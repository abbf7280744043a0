package io.tollgate.schemas.clickhouse;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import ru.yandex.clickhouse.ClickHouseConnection;
import ru.yandex.clickhouse.ClickHouseDataSource;
import ru.yandex.clickhouse.ClickHousePreparedStatement;
import ru.yandex.clickhouse.ClickHouseStatement;
import ru.yandex.clickhouse.domain.ClickHouseFormat;
import ru.yandex.clickhouse.settings.ClickHouseProperties;
import ru.yandex.clickhouse.settings.ClickHouseQueryParam;

/**
 * The one place that talks to ClickHouse: DDL, queries, streaming bulk inserts. Everything else
 * (migrations, the sink, reports, the alert log) goes through here, so the JDBC driver can be
 * swapped in one class.
 *
 * <p>Why this driver: the legacy {@code ru.yandex.clickhouse} JDBC driver of clickhouse-jdbc
 * 0.3.2 is the only one verified against the ClickHouse 18.16 server tests can run here, and it
 * speaks plain HTTP that current servers accept. Compression is off both ways: 18.16 answers with
 * an empty body when a compressed response is requested. Bulk inserts stream RowBinary through
 * one HTTP request (hundreds of thousands of rows/s) instead of JDBC batches (about 50k rows/s).
 *
 * <p>Thread-safe; every call uses its own connection.
 */
public final class ClickHouseClient {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final ClickHouseSettings settings;
  private final ClickHouseDataSource dataSource;

  public ClickHouseClient(ClickHouseSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.dataSource = dataSource(settings, settings.database());
  }

  private static ClickHouseDataSource dataSource(ClickHouseSettings settings, String database) {
    String jdbcUrl = "jdbc:clickhouse://" + settings.host() + ":" + settings.port() + "/" + database;
    return new ClickHouseDataSource(jdbcUrl, driverProperties(settings, database));
  }

  /**
   * The driver's settings. Credentials go preemptively in an {@code Authorization: Basic} header:
   * otherwise the driver sends every request first without them and again after the server's 401
   * challenge — for a streaming insert, its whole body twice (the driver's entity is "repeatable":
   * it runs the row source again). TLS from an {@code https} URL.
   */
  static ClickHouseProperties driverProperties(ClickHouseSettings settings, String database) {
    ClickHouseProperties props = new ClickHouseProperties();
    props.setCompress(false);
    props.setDecompress(false);
    props.setUser(settings.user());
    props.setPassword(settings.password());
    if (!settings.password().isEmpty()) {
      props.setHttpAuthorization("Basic " + Base64.getEncoder().encodeToString(
          (settings.user() + ":" + settings.password()).getBytes(StandardCharsets.UTF_8)));
    }
    props.setDatabase(database);
    props.setUseServerTimeZone(false);
    props.setUseTimeZone("UTC");
    props.setConnectionTimeout(10_000);
    props.setSocketTimeout((int) Math.min(Integer.MAX_VALUE, settings.socketTimeout().toMillis()));
    props.setSsl(settings.tls());
    if (settings.tls()) {
      props.setSslMode(settings.sslMode());
      props.setSslRootCertificate(settings.sslRootCertificate() == null ? "" : settings.sslRootCertificate());
    }
    return props;
  }

  public ClickHouseSettings settings() {
    return settings;
  }

  /** Creates the settings' database (connecting through {@code default}, which always exists). */
  public void createDatabaseIfNotExists() {
    executeOnDefault("CREATE DATABASE IF NOT EXISTS " + settings.database());
  }

  /** Drops the settings' database (tests). */
  public void dropDatabase() {
    executeOnDefault("DROP DATABASE IF EXISTS " + settings.database());
  }

  private void executeOnDefault(String sql) {
    ClickHouseDataSource bootstrap = dataSource(settings, "default");
    run(describe(sql), () -> {
      try (ClickHouseConnection c = bootstrap.getConnection(); Statement s = c.createStatement()) {
        s.execute(sql);
      }
      return null;
    });
  }

  /** Runs a statement that returns no rows (DDL, INSERT … SELECT, OPTIMIZE). */
  public void execute(String sql) {
    run(describe(sql), () -> {
      try (ClickHouseConnection c = dataSource.getConnection(); Statement s = c.createStatement()) {
        s.execute(sql);
      }
      return null;
    });
  }

  /**
   * Runs a query; each row maps column name to the driver's Java value (arrays as lists), in
   * column order. For SQL without client input; see {@link #query(String, List, Duration, long)}.
   */
  public List<Map<String, Object>> query(String sql) {
    return run(describe(sql), () -> {
      try (ClickHouseConnection c = dataSource.getConnection(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery(sql)) {
        return rows(rs);
      }
    });
  }

  /**
   * Runs a read-only query whose {@code ?} placeholders the driver binds to {@code params}, in
   * order: the way to put client input into SQL (the values never become SQL text written by the
   * caller). ClickHouse 18.16 has no server-side query parameters, so the driver substitutes each
   * value as an escaped literal of its type. Accepted types: {@link String}, {@link Long},
   * {@link Integer}. Only a {@code SELECT} is accepted (this is the method for queries shaped by
   * clients); the server stops it after {@code maxExecutionTime}, and {@code maxResultRows} caps
   * what it may return (the query fails beyond, so callers put a LIMIT below it).
   */
  public List<Map<String, Object>> query(String sql, List<?> params, Duration maxExecutionTime, long maxResultRows) {
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(maxExecutionTime, "maxExecutionTime");
    if (!sql.stripLeading().regionMatches(true, 0, "SELECT ", 0, 7)) {
      throw new IllegalArgumentException("a parameterised query must be a SELECT");
    }
    for (Object p : params) {
      if (!(p instanceof String || p instanceof Long || p instanceof Integer)) {
        throw new IllegalArgumentException("query parameters must be String, Long or Integer, got "
            + (p == null ? "null" : p.getClass().getSimpleName()));
      }
    }
    Map<ClickHouseQueryParam, String> limits = new EnumMap<>(ClickHouseQueryParam.class);
    limits.put(ClickHouseQueryParam.MAX_EXECUTION_TIME, Long.toString(Math.max(1, maxExecutionTime.toSeconds())));
    limits.put(ClickHouseQueryParam.MAX_RESULT_ROWS, Long.toString(maxResultRows));
    return run(describe(sql), () -> {
      try (ClickHouseConnection c = dataSource.getConnection();
           PreparedStatement s = c.prepareStatement(sql)) {
        for (int i = 0; i < params.size(); i++) {
          Object p = params.get(i);
          if (p instanceof String text) {
            s.setString(i + 1, text);
          } else {
            s.setLong(i + 1, ((Number) p).longValue());
          }
        }
        try (ResultSet rs = ((ClickHousePreparedStatement) s).executeQuery(limits)) {
          return rows(rs);
        }
      }
    });
  }

  private static List<Map<String, Object>> rows(ResultSet rs) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    List<Map<String, Object>> rows = new ArrayList<>();
    while (rs.next()) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        Object value = rs.getObject(i);
        row.put(meta.getColumnLabel(i), value instanceof java.sql.Array a ? list(a.getArray()) : value);
      }
      rows.add(row);
    }
    return rows;
  }

  /** A driver array (objects or primitives) as a plain list: no java.sql type leaves this class. */
  private static List<Object> list(Object array) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < java.lang.reflect.Array.getLength(array); i++) {
      out.add(java.lang.reflect.Array.get(array, i));
    }
    return out;
  }

  /** The first column of the first row as a long (counts, sums); fails when there is no row. */
  public long queryLong(String sql) {
    return run(describe(sql), () -> {
      try (ClickHouseConnection c = dataSource.getConnection(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery(sql)) {
        if (!rs.next()) {
          throw new SQLException("query returned no row");
        }
        return rs.getLong(1);
      }
    });
  }

  /**
   * Streams rows into {@code table} in one INSERT, RowBinary format. The source writes the values
   * of {@code columns} in order for each row; nothing is buffered whole in memory.
   *
   * @return the number of rows the source reported writing
   */
  public long insertRowBinary(String table, List<String> columns, RowBinaryOut.RowSource rows) {
    requireIdentifier(table, "table");
    columns.forEach(c -> requireIdentifier(c, "column"));
    String sql = "INSERT INTO " + settings.database() + "." + table + " (" + String.join(", ", columns) + ")";
    long[] written = new long[1];
    run("insert into " + table, () -> {
      try (ClickHouseConnection c = dataSource.getConnection(); ClickHouseStatement s = c.createStatement()) {
        s.write().send(sql, stream -> written[0] = rows.writeTo(new DriverRowBinaryOut(stream)),
            ClickHouseFormat.RowBinary);
      }
      return null;
    });
    return written[0];
  }

  private static void requireIdentifier(String name, String what) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " name must be an identifier, got '" + name + "'");
    }
  }

  private static String describe(String sql) {
    String oneLine = sql.strip().replaceAll("\\s+", " ");
    return "ClickHouse query '" + (oneLine.length() > 120 ? oneLine.substring(0, 120) + "…" : oneLine) + "'";
  }

  @FunctionalInterface
  private interface Call<T> {
    T call() throws Exception;
  }

  private <T> T run(String action, Call<T> call) {
    try {
      return call.call();
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw ClickHouseException.from(action + " on " + settings.url(), e, settings.password());
    }
  }

  @Override
  public String toString() {
    return "ClickHouseClient[" + settings + "]";
  }
}
