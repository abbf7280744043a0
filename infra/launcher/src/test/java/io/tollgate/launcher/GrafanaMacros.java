package io.tollgate.launcher;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a dashboard's ClickHouse SQL into the SQL ClickHouse receives, in the order Grafana and the
 * grafana-clickhouse-datasource plugin apply the steps. Everything here was read in the plugin's
 * and Grafana's sources, not guessed:
 *
 * <ol>
 *   <li>Frontend, {@code src/data/CHDatasource.ts} {@code applyConditionalAll} (v4.11.4 and main):
 *       {@code $__conditionalAll(condition, $var)} becomes {@code 1=1} when the variable's current
 *       value is {@code $__all} or empty, else the condition; arguments split at top-level commas
 *       ({@code getMacroArgs}). It runs before variable interpolation.</li>
 *   <li>Grafana variable interpolation: {@code ${var:singlequote}} puts each value in single quotes
 *       (a quote inside becomes {@code \'}) joined by commas; "All" without a custom all value
 *       expands to every option. Plain {@code $var} is refused here: its multi-value default
 *       format (glob) is not SQL.</li>
 *   <li>Backend, the {@code Macros} map of {@code pkg/macros/macros.go} at v4.11.4 (same
 *       expansions on main, where grafana/macropro parses them; before v4.19 sqlds did, with the
 *       regex {@code \$__name(?:\((.*?)\))?} and arguments split at commas — so arguments here
 *       must be plain column names, which both parsers read alike):
 *       <ul>
 *         <li>{@code $__timeFilter(c)} → {@code c >= toDateTime(<from s>) AND c <= toDateTime(<to s>)}</li>
 *         <li>{@code $__fromTime} / {@code $__toTime} → {@code toDateTime(<s>)}</li>
 *         <li>{@code $__dateFilter(c)} → {@code c >= toDate('yyyy-MM-dd') AND c <= toDate('yyyy-MM-dd')}</li>
 *         <li>{@code $__dateTimeFilter(d, t)}, {@code $__dt(d, t)} → {@code (dateFilter(d)) AND (timeFilter(t))}</li>
 *         <li>{@code $__interval_s} → the panel interval in whole seconds, at least 1</li>
 *         <li>{@code $__timeInterval(c)} → {@code toStartOfInterval(toDateTime(c), INTERVAL <s> second)}</li>
 *         <li>{@code _ms} variants → {@code fromUnixTimestamp64Milli(<ms>)} / {@code toDateTime64(c, 3)}</li>
 *       </ul>
 *       The last two are expanded faithfully although ClickHouse 18.16 has neither
 *       {@code toStartOfInterval} nor {@code DateTime64}: a panel using them fails the IT on the
 *       server's own error, and {@link GrafanaDashboardsTest} forbids them up front.</li>
 * </ol>
 * Anything else starting with {@code $} fails the expansion ({@code $__timeFrom}, {@code $__timeGroup}
 * only exist in newer plugin versions), so nothing reaches ClickHouse unexpanded.
 */
final class GrafanaMacros {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::(\\w+))?}|\\$(?!__)(\\w+)");
  private static final Pattern MACRO = Pattern.compile("\\$__(\\w+)(\\(([^()]*)\\))?");
  private static final Pattern COLUMN = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  /** The plugin version docker-compose installs; its macro table is the one implemented here. */
  static final String PLUGIN = "4.11.4";
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

  private GrafanaMacros() {
  }

  /** The dashboard time range. */
  record TimeRange(Instant from, Instant to) {
  }

  /**
   * A multi-value template variable's state.
   *
   * @param all      "All" selected
   * @param selected the values when not all
   * @param options  every value the variable's query offered (what "All" expands to)
   */
  record Variable(boolean all, List<String> selected, List<String> options) {
    static Variable all(List<String> options) {
      return new Variable(true, List.of(), options);
    }

    static Variable of(List<String> options, String... selected) {
      return new Variable(false, List.of(selected), options);
    }

    List<String> values() {
      return all ? options : selected;
    }
  }

  static String expand(String sql, TimeRange range, Duration interval, Map<String, Variable> variables) {
    String s = conditionalAll(sql, variables);
    s = variables(s, variables);
    return macros(s, range, interval);
  }

  private static String conditionalAll(String sql, Map<String, Variable> variables) {
    String s = sql;
    int at;
    while ((at = s.lastIndexOf("$__conditionalAll(")) >= 0) {
      int open = at + "$__conditionalAll".length();
      int depth = 0;
      int argStart = open + 1;
      int end = -1;
      List<String> args = new ArrayList<>();
      for (int i = open; i < s.length() && end < 0; i++) {
        char c = s.charAt(i);
        if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
        }
        if (c == ',' && depth == 1) {
          args.add(s.substring(argStart, i));
          argStart = i + 1;
        }
        if (depth == 0) {
          args.add(s.substring(argStart, i));
          end = i;
        }
      }
      if (end < 0 || args.size() != 2) {
        throw new IllegalArgumentException("$__conditionalAll needs (condition, $variable): " + sql);
      }
      Matcher name = Pattern.compile("\\$\\{?(\\w+)").matcher(args.get(1).trim());
      if (!name.lookingAt() || !variables.containsKey(name.group(1))) {
        throw new IllegalArgumentException("$__conditionalAll on an unknown variable: " + args.get(1));
      }
      Variable v = variables.get(name.group(1));
      String phrase = v.all() || v.selected().isEmpty() ? "1=1" : args.get(0);
      s = s.substring(0, at) + phrase + s.substring(end + 1);
    }
    return s;
  }

  private static String variables(String sql, Map<String, Variable> variables) {
    return VARIABLE.matcher(sql).replaceAll(m -> {
      String name = m.group(1) != null ? m.group(1) : m.group(3);
      String format = m.group(2);
      Variable v = variables.get(name);
      if (v == null) {
        throw new IllegalArgumentException("unknown variable $" + name + " in: " + sql);
      }
      if (!"singlequote".equals(format)) {
        throw new IllegalArgumentException("use ${" + name + ":singlequote} in SQL, not " + m.group() + ": " + sql);
      }
      String quoted = v.values().stream().map(x -> "'" + x.replace("'", "\\'") + "'").collect(Collectors.joining(","));
      return Matcher.quoteReplacement(quoted);
    });
  }

  private static String macros(String sql, TimeRange range, Duration interval) {
    String from = "toDateTime(" + range.from().getEpochSecond() + ")";
    String to = "toDateTime(" + range.to().getEpochSecond() + ")";
    String fromMs = "fromUnixTimestamp64Milli(" + range.from().toEpochMilli() + ")";
    String toMs = "fromUnixTimestamp64Milli(" + range.to().toEpochMilli() + ")";
    long seconds = Math.max(interval.toSeconds(), 1);
    String result = MACRO.matcher(sql).replaceAll(m -> {
      List<String> args = m.group(2) == null ? List.of()
          : Arrays.stream(m.group(3).split(",", -1)).map(String::strip).toList();
      String expansion = switch (m.group(1)) {
        case "fromTime" -> from;
        case "toTime" -> to;
        case "fromTime_ms" -> fromMs;
        case "toTime_ms" -> toMs;
        case "interval_s" -> Long.toString(seconds);
        case "timeFilter" -> between(column(args, 1, m, sql).get(0), from, to);
        case "timeFilter_ms" -> between(column(args, 1, m, sql).get(0), fromMs, toMs);
        case "dateFilter" -> between(column(args, 1, m, sql).get(0), "toDate('" + DATE.format(range.from()) + "')",
            "toDate('" + DATE.format(range.to()) + "')");
        case "dateTimeFilter", "dt" -> {
          List<String> c = column(args, 2, m, sql);
          yield "(" + between(c.get(0), "toDate('" + DATE.format(range.from()) + "')", "toDate('" + DATE.format(range.to())
              + "')") + ") AND (" + between(c.get(1), from, to) + ")";
        }
        case "timeInterval" -> "toStartOfInterval(toDateTime(" + column(args, 1, m, sql).get(0) + "), INTERVAL " + seconds
            + " second)";
        case "timeInterval_ms" -> "toStartOfInterval(toDateTime64(" + column(args, 1, m, sql).get(0) + ", 3), INTERVAL "
            + Math.max(interval.toMillis(), 1) + " millisecond)";
        default -> throw new IllegalArgumentException("$__" + m.group(1) + " is no macro of plugin " + PLUGIN + ": " + sql);
      };
      return Matcher.quoteReplacement(expansion);
    });
    if (result.contains("$")) {
      throw new IllegalArgumentException("unexpanded $ left in: " + result);
    }
    return result;
  }

  private static String between(String column, String low, String high) {
    return column + " >= " + low + " AND " + column + " <= " + high;
  }

  private static List<String> column(List<String> args, int count, MatchResult macro, String sql) {
    if (args.size() != count || !args.stream().allMatch(a -> COLUMN.matcher(a).matches())) {
      throw new IllegalArgumentException(macro.group() + " takes " + count + " plain column name(s): " + sql);
    }
    return args;
  }

}
