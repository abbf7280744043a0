package io.tollgate.ingress.admin;

import io.tollgate.schemas.clickhouse.Reports;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SQL of the spend routes over {@code usage_events}: the statements are report files
 * ({@code clickhouse/reports/spend_log_page.sql} …, shared with the web UI), this class builds the
 * WHERE clause and the ORDER BY that fill their placeholders. Client values only ever travel as bound
 * parameters ({@code ?}, bound by the driver through
 * {@link io.tollgate.schemas.clickhouse.ClickHouseClient#query(String, List, java.time.Duration, long)});
 * the SQL text is made of constants of this class alone — sort columns come from an allowlist,
 * numbers are bound too. {@code FINAL}: a replayed event is one row. Spend is summed as
 * {@code Decimal128}, so no sum can wrap around.
 */
final class SpendSql {
  /** A statement and its bound values, in order. */
  record Query(String sql, List<Object> params) {
  }

  static final String PROMPT_TOKENS = "(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens)";
  static final String TOTAL_TOKENS = "(" + PROMPT_TOKENS + " + output_tokens)";
  /** {@code sort_by} → ORDER BY expression; the only way a client shapes SQL text, so a closed map. */
  private static final Map<String, String> SORT_COLUMNS = Map.of(
      "startTime", "ts %1$s, ts_ms %1$s",
      "endTime", "(toUInt64(ts) * 1000 + ts_ms + duration_ms) %1$s",
      "spend", "cost_nanos %1$s",
      "total_tokens", TOTAL_TOKENS + " %1$s",
      "request_duration_ms", "duration_ms %1$s",
      "model", "model %1$s",
      "ttft_ms", "ttft_ms %1$s");
  /** After the requested order: a total order, so pages never overlap or skip a row. */
  private static final String TIE_BREAK = "ts DESC, ts_ms DESC, event_id ASC";

  private SpendSql() {
  }

  /** The raw log, newest first (or in the requested order), one page. */
  static Query logs(SpendFilter f, String sortBy, boolean ascending, int limit, long offset) {
    String order = SORT_COLUMNS.get(sortBy);
    if (order == null) {
      throw new IllegalArgumentException("sort_by is not in the allowlist");
    }
    List<Object> params = new ArrayList<>();
    String where = where(f, params);
    params.add((long) limit);
    params.add(offset);
    return new Query(Reports.statement("spend_log_page", Map.of("where", where,
        "order", order.formatted(ascending ? "ASC" : "DESC") + ", " + TIE_BREAK)), params);
  }

  /** How many rows match. */
  static Query count(SpendFilter f) {
    List<Object> params = new ArrayList<>();
    String where = where(f, params);
    return new Query(Reports.statement("spend_log_count", Map.of("where", where)), params);
  }

  /** {@code /spend/logs} summarized: spend per UTC day, key, user and model. */
  static Query summary(SpendFilter f, int limit) {
    List<Object> params = new ArrayList<>();
    String where = where(f, params);
    params.add((long) limit);
    return new Query(Reports.statement("spend_log_summary", Map.of("where", where)), params);
  }

  /**
   * {@code /global/spend/report} by team or customer: spend and tokens per UTC day, group, model
   * and key.
   */
  static Query byDay(SpendFilter f, boolean team, int limit) {
    List<Object> params = new ArrayList<>();
    String where = where(f, params);
    params.add((long) limit);
    String group = team ? "team_id" : "customer_id";
    return new Query(Reports.statement("global_spend_by_day", Map.of("where", where, "group", group)), params);
  }

  /** {@code /global/spend/report} by api_key: spend and tokens per key and model. */
  static Query byKey(SpendFilter f, int limit) {
    List<Object> params = new ArrayList<>();
    String where = where(f, params);
    params.add((long) limit);
    return new Query(Reports.statement("global_spend_by_key", Map.of("where", where)), params);
  }

  /** The WHERE clause of {@code f}, its values appended to {@code params}; "" when nothing is filtered. */
  static String where(SpendFilter f, List<Object> params) {
    List<String> c = new ArrayList<>();
    equal(c, params, "key_hash", f.keyHash());
    equal(c, params, "user_id", f.userId());
    if (f.requestId() != null) {
      c.add("(event_id = ? OR upstream_request_id = ?)");
      params.add(f.requestId());
      params.add(f.requestId());
    }
    equal(c, params, "team_id", f.teamId());
    equal(c, params, "customer_id", f.customerId());
    if (f.model() != null) {
      c.add("(model = ? OR model_requested = ? OR model_group = ?)");
      params.add(f.model());
      params.add(f.model());
      params.add(f.model());
    }
    equal(c, params, "key_alias", f.keyAlias());
    equal(c, params, "session_id", f.sessionId());
    equal(c, params, "tool", f.tool());
    if (f.success() != null) {
      c.add(f.success() ? "status_code < 400" : "status_code >= 400");
    }
    if (f.statusCode() != null) {
      c.add("status_code = ?");
      params.add((long) f.statusCode());
    }
    if (f.minNanos() != null) {
      c.add("cost_nanos >= ?");
      params.add(f.minNanos());
    }
    if (f.maxNanos() != null) {
      c.add("cost_nanos <= ?");
      params.add(f.maxNanos());
    }
    if (f.start() != null) {
      c.add("ts >= toDateTime(?)");
      params.add(f.start().getEpochSecond());
    }
    if (f.end() != null) {
      c.add("ts < toDateTime(?)");
      params.add(f.end().getEpochSecond());
    }
    return c.isEmpty() ? "" : " WHERE " + String.join(" AND ", c);
  }

  private static void equal(List<String> conditions, List<Object> params, String column, String value) {
    if (value != null) {
      conditions.add(column + " = ?");
      params.add(value);
    }
  }
}
