package io.tollgate.aggregator.api;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * SQL of the spend API, built from validated request parameters. ClickHouse 18.16 has no query
 * parameters, so every value is either checked against a pattern or escaped as a string literal.
 */
final class SpendQueries {
  private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  static final Set<String> GROUPS = Set.of("customer", "model", "tool", "day");

  private SpendQueries() {
  }

  /** A ClickHouse string literal; quotes and backslashes escaped. */
  static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  static String date(String name, String value, List<String> problems) {
    if (value == null) {
      return null;
    }
    String day = value.length() >= 10 ? value.substring(0, 10) : value;
    if (!DATE.matcher(day).matches()) {
      problems.add(name + " must be a date like 2026-11-24, got '" + value + "'");
      return null;
    }
    return day;
  }

  /** The WHERE clause shared by both endpoints; {@code customerColumn} etc. name the table's columns. */
  static String where(Map<String, String> q, String tsColumn, boolean rawLog, List<String> problems) {
    List<String> conditions = new ArrayList<>();
    String customer = q.getOrDefault("customer_id", q.get("end_user"));
    if (customer != null) {
      conditions.add("customer_id = " + literal(customer));
    }
    if (q.get("model") != null) {
      conditions.add(rawLog ? "(model_requested = " + literal(q.get("model")) + " OR model = " + literal(q.get("model")) + ")"
          : "model = " + literal(q.get("model")));
    }
    if (q.get("tool") != null) {
      conditions.add("tool = " + literal(q.get("tool")));
    }
    if (q.get("api_key") != null) {
      if (!rawLog) {
        problems.add("api_key filters /spend/logs only (window totals are per customer, model and tool)");
      } else {
        conditions.add("(key_hash = " + literal(q.get("api_key")) + " OR key_alias = " + literal(q.get("api_key")) + ")");
      }
    }
    String start = date("start_date", q.get("start_date"), problems);
    String end = date("end_date", q.get("end_date"), problems);
    if (start != null) {
      conditions.add(tsColumn + " >= toDateTime(" + literal(start + " 00:00:00") + ", 'UTC')");
    }
    if (end != null) {
      conditions.add(tsColumn + " < toDateTime(" + literal(end + " 00:00:00") + ", 'UTC') + 86400");
    }
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  static int intParam(Map<String, String> q, String name, int fallback, int min, int max, List<String> problems) {
    String v = q.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(name + " must be a number from " + min + " to " + max + ", got '" + v + "'");
    return fallback;
  }

  /** nano-USD as an exact decimal USD value. */
  static BigDecimal usd(long nanos) {
    return BigDecimal.valueOf(nanos, 9);
  }
}
