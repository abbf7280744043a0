package io.tollgate.ingress.ui;

import io.tollgate.ingress.admin.ProxyError;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.Reports;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The web UI's reports: each runs one SQL file of {@code clickhouse/reports/} (the files the spend
 * API and the dashboards' tests use too) with the request's WHERE clause and bound values, and
 * answers {@code {"rows": [...]}} with the file's column names. Runs on a worker thread.
 *
 * <p>Totals, spend over time and the breakdowns by customer, model and tool are read from the
 * window tables the aggregator writes ({@code spend_1d}, {@code spend_1h} for a one-day range)
 * when the filters allow ({@link UiQuery#windowsSuffice()}); those report files
 * ({@code rollup_*.sql}) answer the same columns and numbers as the usage_events ones.
 */
public final class UiReports {
  /** Most rows a breakdown or table may answer; the UI shows the largest first. */
  static final int MAX_ROWS = 1_000;
  static final int MAX_PAGE_SIZE = 200;
  /** {@code by} of the breakdown → the grouped expression; the only way a client picks SQL text. */
  private static final Map<String, String> DIMENSIONS = Map.of(
      "customer", "customer_id",
      // The model asked for (else the one that answered), as the window tables and Grafana group it.
      "model", "if(model_requested != '', model_requested, model)",
      "tool", "tool",
      "tool_version", "concat(tool, ' ', tool_version)",
      "team", "team_id",
      "key", "if(key_alias = '', substring(key_hash, 1, 12), key_alias)",
      "tag", "arrayJoin(if(empty(request_tags), [''], request_tags))");
  /** The dimensions the window tables are keyed by: {@code by} → their column. */
  private static final Map<String, String> WINDOW_DIMENSIONS = Map.of("customer", "customer_id", "model", "model",
      "tool", "tool");

  private final ClickHouseClient store;
  private final Duration timeout;

  UiReports(ClickHouseClient store, Duration timeout) {
    this.store = Objects.requireNonNull(store, "store");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * Report {@code name} as {@code /ui/api/report/<name>?params} answers the master key (the UI
   * benchmark times the pages' data through this); {@code today} defaults the date range.
   */
  public static Map<String, Object> asMaster(ClickHouseClient store, String name, Map<String, List<String>> params,
                                             LocalDate today) {
    return new UiReports(store, Duration.ofSeconds(30)).answer(name, UiQuery.parse(params, today, null), params, true);
  }

  /** The answer of report {@code name}; a 400/403/404 as {@link ProxyError.Failure}. */
  Map<String, Object> answer(String name, UiQuery q, Map<String, List<String>> raw, boolean master) {
    return switch (name) {
      case "totals" -> q.windowsSuffice()
          ? windows("rollup_totals", Map.of("table", "spend_1d"), q, List.of(), 1)
          : rows("usage_totals", Map.of(), q, List.of(), List.of(), 1);
      case "over_time" -> {
        boolean hourly = q.start().equals(q.end());
        yield q.windowsSuffice()
            ? windows("rollup_over_time", Map.of("table", hourly ? "spend_1h" : "spend_1d",
                "bucket", hourly ? "window_start" : "toDate(window_start)"), q, List.of((long) MAX_ROWS), MAX_ROWS)
            : rows("spend_over_time", Map.of("bucket", hourly ? "toStartOfHour(ts)" : "toDate(ts)"), q, List.of(),
                List.of((long) MAX_ROWS), MAX_ROWS);
      }
      case "breakdown" -> {
        String by = UiQuery.one(raw, "by");
        String dimension = by == null ? null : DIMENSIONS.get(by);
        if (dimension == null) {
          throw UiQuery.bad("by must be one of " + String.join(", ", new java.util.TreeSet<>(DIMENSIONS.keySet())), "by");
        }
        yield q.windowsSuffice() && WINDOW_DIMENSIONS.containsKey(by)
            ? windows("rollup_breakdown", Map.of("table", "spend_1d", "dimension", WINDOW_DIMENSIONS.get(by)), q,
                List.of((long) MAX_ROWS), MAX_ROWS)
            : rows("usage_breakdown", Map.of("dimension", dimension), q, List.of(), List.of((long) MAX_ROWS), MAX_ROWS);
      }
      case "customers" -> rows("customer_usage", Map.of(), q, List.of(), List.of((long) MAX_ROWS), MAX_ROWS);
      case "tools" -> rows("tool_usage", Map.of(), q, List.of(), List.of((long) MAX_ROWS), MAX_ROWS);
      case "active_users" -> activeUsers(q);
      case "logs" -> logs(q, raw);
      case "log" -> {
        if (q.eventId() == null) {
          throw UiQuery.bad("id (the call's request id) is required", "id");
        }
        List<Object> params = new ArrayList<>();
        String where = q.where(params, false);
        List<Map<String, Object>> found = run(Reports.statement("spend_log_entry", Map.of("where", where)), params, 1);
        if (found.isEmpty()) {
          throw new ProxyError.Failure(new ProxyError(404, "not_found_error", "no call with this id (for this key)", "id"));
        }
        yield Map.of("rows", found);
      }
      case "alerts" -> {
        if (!master) {
          throw new ProxyError.Failure(ProxyError.forbidden("alerts are for the master key; a virtual key sees its own usage"));
        }
        List<Object> params = List.of(q.from().getEpochSecond(), q.until().getEpochSecond(), (long) MAX_ROWS);
        yield Map.of("rows", run(Reports.statement("alert_deliveries", Map.of()), params, MAX_ROWS));
      }
      default -> throw new ProxyError.Failure(new ProxyError(404, "not_found_error", "no report " + cap(name), null));
    };
  }

  /** DAU, WAU and MAU looking back from the end of the range (its last day included). */
  private Map<String, Object> activeUsers(UiQuery q) {
    LocalDate last = q.end();
    UiQuery month = q.between(last.minusDays(29), last);
    long end = month.until().getEpochSecond();
    List<Object> leading = List.of(end - 86_400, end - 7 * 86_400, end - 86_400, end - 7 * 86_400);
    Map<String, Object> out = new LinkedHashMap<>(rows("tool_active_users", Map.of(), month, leading,
        List.of((long) MAX_ROWS), MAX_ROWS));
    out.put("window_end", month.until().toString());
    return out;
  }

  private Map<String, Object> logs(UiQuery q, Map<String, List<String>> raw) {
    int page = intParam(raw, "page", 1, 1, 100_000);
    int size = intParam(raw, "page_size", 50, 1, MAX_PAGE_SIZE);
    List<Object> params = new ArrayList<>();
    String where = q.where(params, true);
    List<Map<String, Object>> count = run(Reports.statement("spend_log_count", Map.of("where", where)), params, 1);
    List<Object> pageParams = new ArrayList<>(params);
    pageParams.add((long) size);
    pageParams.add((long) (page - 1) * size);
    List<Map<String, Object>> rows = run(Reports.statement("spend_log_page",
        Map.of("where", where, "order", "ts DESC, ts_ms DESC, event_id ASC")), pageParams, size);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rows", rows);
    out.put("total", count.isEmpty() ? 0 : count.get(0).get("n"));
    out.put("page", page);
    out.put("page_size", size);
    return out;
  }

  private Map<String, Object> rows(String report, Map<String, String> fragments, UiQuery q, List<Object> leading,
                                   List<Object> trailing, int max) {
    List<Object> params = new ArrayList<>(leading);
    Map<String, String> all = new LinkedHashMap<>(fragments);
    all.put("where", q.where(params, true));
    params.addAll(trailing);
    return Map.of("rows", run(Reports.statement(report, all), params, max));
  }

  /** A report over a window table ({@link UiQuery#windowsSuffice()}): whole UTC days or hours, so exact. */
  private Map<String, Object> windows(String report, Map<String, String> fragments, UiQuery q, List<Object> trailing,
                                      int max) {
    List<Object> params = new ArrayList<>();
    Map<String, String> all = new LinkedHashMap<>(fragments);
    all.put("where", q.windowWhere(params));
    params.addAll(trailing);
    return Map.of("rows", run(Reports.statement(report, all), params, max));
  }

  private List<Map<String, Object>> run(String sql, List<Object> params, int max) {
    List<Map<String, Object>> rows = store.query(sql, params, timeout, max);
    List<Map<String, Object>> out = new ArrayList<>(rows.size());
    for (Map<String, Object> r : rows) {
      Map<String, Object> row = new LinkedHashMap<>();
      r.forEach((k, v) -> row.put(k, plain(v)));
      out.add(row);
    }
    return out;
  }

  /** Driver values as JSON-friendly ones: exact integers as numbers, arrays as lists, the rest as text. */
  private static Object plain(Object v) {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Integer
        || v instanceof Short || v instanceof Byte || v instanceof Double || v instanceof Float || v instanceof List) {
      return v;
    }
    if (v instanceof BigDecimal d) {
      return d.scale() <= 0 || d.stripTrailingZeros().scale() <= 0 ? d.toBigInteger() : d;
    }
    if (v instanceof BigInteger i) {
      return i;
    }
    return v.toString();
  }

  private static int intParam(Map<String, List<String>> raw, String name, int fallback, int min, int max) {
    String v = UiQuery.one(raw, name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw UiQuery.bad(name + " must be a whole number from " + min + " to " + max, name);
  }

  private static String cap(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
