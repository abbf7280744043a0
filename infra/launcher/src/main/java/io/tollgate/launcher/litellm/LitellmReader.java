package io.tollgate.launcher.litellm;

import io.tollgate.launcher.litellm.LitellmRows.BudgetRow;
import io.tollgate.launcher.litellm.LitellmRows.EndUserRow;
import io.tollgate.launcher.litellm.LitellmRows.KeyRow;
import io.tollgate.launcher.litellm.LitellmRows.Snapshot;
import io.tollgate.launcher.litellm.LitellmRows.TeamRow;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the four LiteLLM tables the import needs, in one read-only transaction (a consistent
 * snapshot even while LiteLLM keeps serving). Columns are looked up first, so a database from an
 * older LiteLLM that lacks a column (e.g. {@code soft_budget}, {@code blocked}) reads it as null
 * instead of failing; the key table is required, the others may be missing. Times are read as
 * epoch milliseconds in SQL: Prisma stores UTC in {@code timestamp without time zone}, and the
 * JVM's time zone must not shift them.
 */
final class LitellmReader {
  static final String KEYS = "LiteLLM_VerificationToken";
  static final String TEAMS = "LiteLLM_TeamTable";
  static final String END_USERS = "LiteLLM_EndUserTable";
  static final String BUDGETS = "LiteLLM_BudgetTable";

  private enum Kind { TEXT, DOUBLE, LONG, INT, BOOL, TIME, TEXT_ARRAY, JSON }

  private final Connection connection;

  LitellmReader(Connection connection) {
    this.connection = Objects.requireNonNull(connection, "connection");
  }

  Snapshot read() throws SQLException {
    connection.setReadOnly(true);
    connection.setAutoCommit(false);
    try (PreparedStatement iso = connection.prepareStatement("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")) {
      iso.execute();
    }
    try {
      List<String> warnings = new ArrayList<>();
      List<BudgetRow> budgets = readTable(BUDGETS, false, warnings, cols(
          "budget_id", Kind.TEXT, "max_budget", Kind.DOUBLE, "soft_budget", Kind.DOUBLE,
          "max_parallel_requests", Kind.INT, "tpm_limit", Kind.LONG, "rpm_limit", Kind.LONG,
          "budget_duration", Kind.TEXT, "budget_reset_at", Kind.TIME, "created_at", Kind.TIME, "updated_at", Kind.TIME),
          r -> new BudgetRow(r.text("budget_id"), r.dbl("max_budget"), r.dbl("soft_budget"),
              r.integer("max_parallel_requests"), r.lng("tpm_limit"), r.lng("rpm_limit"), r.text("budget_duration"),
              r.time("budget_reset_at"), r.time("created_at"), r.time("updated_at")));
      List<TeamRow> teams = readTable(TEAMS, false, warnings, cols(
          "team_id", Kind.TEXT, "team_alias", Kind.TEXT, "metadata", Kind.JSON, "max_budget", Kind.DOUBLE,
          "soft_budget", Kind.DOUBLE, "spend", Kind.DOUBLE, "models", Kind.TEXT_ARRAY,
          "max_parallel_requests", Kind.INT, "tpm_limit", Kind.LONG, "rpm_limit", Kind.LONG,
          "budget_duration", Kind.TEXT, "budget_reset_at", Kind.TIME, "blocked", Kind.BOOL,
          "created_at", Kind.TIME, "updated_at", Kind.TIME),
          r -> new TeamRow(r.text("team_id"), r.text("team_alias"), r.text("metadata"), r.dbl("max_budget"),
              r.dbl("soft_budget"), r.dbl("spend"), r.array("models"), r.integer("max_parallel_requests"),
              r.lng("tpm_limit"), r.lng("rpm_limit"), r.text("budget_duration"), r.time("budget_reset_at"),
              r.bool("blocked"), r.time("created_at"), r.time("updated_at")));
      List<EndUserRow> endUsers = readTable(END_USERS, false, warnings, cols(
          "user_id", Kind.TEXT, "alias", Kind.TEXT, "spend", Kind.DOUBLE, "default_model", Kind.TEXT,
          "budget_id", Kind.TEXT, "blocked", Kind.BOOL),
          r -> new EndUserRow(r.text("user_id"), r.text("alias"), r.dbl("spend"), r.text("default_model"),
              r.text("budget_id"), r.bool("blocked")));
      List<KeyRow> keys = readTable(KEYS, true, warnings, cols(
          "token", Kind.TEXT, "key_name", Kind.TEXT, "key_alias", Kind.TEXT, "spend", Kind.DOUBLE,
          "expires", Kind.TIME, "models", Kind.TEXT_ARRAY, "user_id", Kind.TEXT, "team_id", Kind.TEXT,
          "max_parallel_requests", Kind.INT, "metadata", Kind.JSON, "blocked", Kind.BOOL, "tpm_limit", Kind.LONG,
          "rpm_limit", Kind.LONG, "max_budget", Kind.DOUBLE, "budget_duration", Kind.TEXT,
          "budget_reset_at", Kind.TIME, "budget_id", Kind.TEXT, "created_at", Kind.TIME, "updated_at", Kind.TIME),
          r -> new KeyRow(r.text("token"), r.text("key_name"), r.text("key_alias"), r.dbl("spend"), r.time("expires"),
              r.array("models"), r.text("user_id"), r.text("team_id"), r.integer("max_parallel_requests"),
              r.text("metadata"), r.bool("blocked"), r.lng("tpm_limit"), r.lng("rpm_limit"), r.dbl("max_budget"),
              r.text("budget_duration"), r.time("budget_reset_at"), r.text("budget_id"), r.time("created_at"),
              r.time("updated_at")));
      return new Snapshot(keys, teams, endUsers, budgets, warnings);
    } finally {
      connection.rollback(); // read-only: nothing to keep
    }
  }

  private static Map<String, Kind> cols(Object... pairs) {
    Map<String, Kind> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (Kind) pairs[i + 1]);
    }
    return m;
  }

  private <T> List<T> readTable(String table, boolean required, List<String> warnings, Map<String, Kind> columns,
                                Function<Row, T> map) throws SQLException {
    Set<String> present = columnsOf(table);
    if (present.isEmpty()) {
      if (required) {
        throw new SQLException("table \"" + table + "\" not found in schema " + currentSchema()
            + ": is this a LiteLLM proxy database? (add ?schema=NAME to the URL if LiteLLM's tables live elsewhere)");
      }
      warnings.add("table \"" + table + "\" not found; nothing imported from it");
      return List.of();
    }
    String id = columns.keySet().iterator().next();
    if (!present.contains(id)) {
      throw new SQLException("table \"" + table + "\" has no column " + id);
    }
    List<String> select = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (var c : columns.entrySet()) {
      String q = "\"" + c.getKey() + "\"";
      if (!present.contains(c.getKey())) {
        missing.add(c.getKey());
        select.add("NULL AS " + q);
      } else if (c.getValue() == Kind.TIME) {
        select.add("floor(extract(epoch from " + q + ") * 1000)::bigint AS " + q);
      } else if (c.getValue() == Kind.JSON) {
        select.add(q + "::text AS " + q);
      } else {
        select.add(q);
      }
    }
    if (!missing.isEmpty()) {
      warnings.add("table \"" + table + "\" has no column " + String.join(", ", missing) + " (an older LiteLLM); read as null");
    }
    // Column names come from the fixed list above, never from input.
    String sql = "SELECT " + String.join(", ", select) + " FROM \"" + table + "\" ORDER BY \"" + id + "\"";
    List<T> out = new ArrayList<>();
    try (PreparedStatement st = connection.prepareStatement(sql)) {
      st.setFetchSize(1000);
      try (ResultSet rs = st.executeQuery()) {
        Row row = new Row(rs);
        while (rs.next()) {
          out.add(map.apply(row));
        }
      }
    }
    return out;
  }

  private Set<String> columnsOf(String table) throws SQLException {
    Set<String> names = new HashSet<>();
    try (PreparedStatement st = connection.prepareStatement(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?")) {
      st.setString(1, table);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  private String currentSchema() throws SQLException {
    try (PreparedStatement st = connection.prepareStatement("SELECT current_schema()");
         ResultSet rs = st.executeQuery()) {
      return rs.next() ? rs.getString(1) : "?";
    }
  }

  /** One result row, read by column name; SQL errors become unchecked (rethrown by {@link #read}'s caller). */
  private record Row(ResultSet rs) {
    private Object get(String column) {
      try {
        return rs.getObject(column);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot read column " + column + ": " + e.getMessage(), e);
      }
    }

    String text(String c) {
      Object v = get(c);
      return v == null ? null : v.toString();
    }

    Double dbl(String c) {
      Object v = get(c);
      return v instanceof Number n ? n.doubleValue() : v == null ? null : Double.valueOf(v.toString());
    }

    Long lng(String c) {
      Object v = get(c);
      return v instanceof Number n ? n.longValue() : v == null ? null : Long.valueOf(v.toString());
    }

    Integer integer(String c) {
      Object v = get(c);
      if (v instanceof Number n) {
        long l = n.longValue();
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, l));
      }
      return v == null ? null : Integer.valueOf(v.toString());
    }

    Boolean bool(String c) {
      Object v = get(c);
      return v instanceof Boolean b ? b : v == null ? null : Boolean.valueOf(v.toString());
    }

    Instant time(String c) {
      Long millis = lng(c);
      return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    List<String> array(String c) {
      Object v = get(c);
      if (v == null) {
        return List.of();
      }
      if (v instanceof Array a) {
        try {
          Object[] items = (Object[]) a.getArray();
          return Arrays.stream(items).filter(Objects::nonNull).map(Object::toString).toList();
        } catch (SQLException e) {
          throw new IllegalStateException("cannot read array column " + c + ": " + e.getMessage(), e);
        }
      }
      return List.of(v.toString());
    }
  }
}
