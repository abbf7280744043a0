package io.tollgate.bench;

import io.tollgate.ingress.ui.UiReports;
import io.tollgate.ingress.ui.UiRoutes;
import io.tollgate.local.clickhouse.LocalClickHouse;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseMigrations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The web UI's data on a big spend log: {@code usage_events} filled with N rows (default 1M, 30
 * days, 5,000 customers, 200 keys, 4 tools) by ClickHouse itself, the window tables spend_1d and
 * spend_1h filled from them as the aggregator would write them, then every page's reports run as
 * the master key, as the UI gets them (all asked at once, {@link UiRoutes#WORKERS} answered at a
 * time: the time a page waits for all its data) and one after another (the sum, and each report's
 * own time). Each page is run once to warm up, then 5 times; the median and the slowest are
 * reported and the "Web UI reports" section of BENCHMARKS.md is rewritten.
 * {@code ./tollgate bench ui [rows]}.
 */
public final class UiReportsBench {
  private static final String SECTION = "## Web UI reports (every page's data on a big usage_events)";
  private static final int RUNS = 5;

  private UiReportsBench() {
  }

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
    Path dir = Files.createTempDirectory("tollgate-ui-bench");
    try (LocalClickHouse server = LocalClickHouse.start(LocalClickHouse.Options.in(dir.resolve("clickhouse")))) {
      ClickHouseClient ch = new ClickHouseClient(server.settings("bench_ui"));
      ch.createDatabaseIfNotExists();
      new ClickHouseMigrations(ch).apply();
      long started = System.nanoTime();
      ch.execute(fill(rows));
      System.out.printf("filled usage_events with %,d rows in %.1f s%n", ch.queryLong("SELECT count() FROM usage_events"),
          (System.nanoTime() - started) / 1e9);
      started = System.nanoTime();
      for (String table : List.of("spend_1d", "spend_1h")) {
        ch.execute(windows(table));
      }
      System.out.printf("filled spend_1d (%,d rows) and spend_1h (%,d rows) from them in %.1f s%n",
          ch.queryLong("SELECT count() FROM spend_1d"), ch.queryLong("SELECT count() FROM spend_1h"),
          (System.nanoTime() - started) / 1e9);
      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      Map<String, String> range = Map.of("start", today.minusDays(29).toString(), "end", today.toString());
      String oneCall = (String) ch.query("SELECT event_id FROM usage_events LIMIT 1").get(0).get("event_id");
      Map<String, List<Map<String, String>>> pages = new LinkedHashMap<>();
      pages.put("Usage", List.of(q("totals"), q("over_time"), q("breakdown", "by", "customer"), q("breakdown", "by", "model"),
          q("breakdown", "by", "tool"), q("breakdown", "by", "team"), q("breakdown", "by", "tag"), q("breakdown", "by", "key")));
      pages.put("Customers", List.of(q("customers"), q("over_time")));
      pages.put("Customer", List.of(q("totals", "customer", "cust-42"), q("over_time", "customer", "cust-42"),
          q("breakdown", "customer", "cust-42", "by", "model"), q("breakdown", "customer", "cust-42", "by", "tool"),
          q("logs", "customer", "cust-42", "page_size", "20")));
      pages.put("Coding tools", List.of(q("tools"), q("active_users")));
      pages.put("Logs", List.of(q("logs"), q("log", "id", oneCall)));
      pages.put("Logs, filtered", List.of(q("logs", "key_alias", "key-7", "tool", "codex", "status", "success")));
      pages.put("Alerts", List.of(q("alerts")));
      List<String> table = new ArrayList<>();
      List<String> perReport = new ArrayList<>();
      String loadBefore = load();
      ExecutorService pool = Executors.newFixedThreadPool(UiRoutes.WORKERS);
      try {
        for (var page : pages.entrySet()) {
          List<Map<String, String>> reports = page.getValue();
          double[] together = new double[RUNS];
          double[] sequential = new double[RUNS];
          double[][] each = new double[reports.size()][RUNS];
          run(ch, reports, range, new double[reports.size()]);
          for (int i = 0; i < RUNS; i++) {
            double[] times = new double[reports.size()];
            long t = System.nanoTime();
            run(ch, reports, range, times);
            sequential[i] = (System.nanoTime() - t) / 1e9;
            for (int r = 0; r < reports.size(); r++) {
              each[r][i] = times[r];
            }
            t = System.nanoTime();
            runTogether(pool, ch, reports, range);
            together[i] = (System.nanoTime() - t) / 1e9;
          }
          Arrays.sort(together);
          Arrays.sort(sequential);
          String row = String.format("| %s | %s | %,d | %s | %d | %.3f | %.3f | %.3f | %.3f |", today, machine(), rows,
              page.getKey(), reports.size(), together[RUNS / 2], together[RUNS - 1], sequential[RUNS / 2],
              sequential[RUNS - 1]);
          System.out.println(row);
          table.add(row);
          for (int r = 0; r < reports.size(); r++) {
            Arrays.sort(each[r]);
            String line = String.format("| %s | %s | %.3f | %.3f |", page.getKey(), describe(reports.get(r)),
                each[r][RUNS / 2], each[r][RUNS - 1]);
            System.out.println("  " + line);
            perReport.add(line);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      write(rows, table, perReport, loadBefore, load());
    }
  }

  private static Map<String, String> q(String report, String... params) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("report", report);
    for (int i = 0; i < params.length; i += 2) {
      m.put(params[i], params[i + 1]);
    }
    return m;
  }

  /** {@code report?param=value&…} as the UI asks for it (the date range left out). */
  private static String describe(Map<String, String> r) {
    StringBuilder b = new StringBuilder("`").append(r.get("report"));
    String sep = "?";
    for (var e : r.entrySet()) {
      if (!e.getKey().equals("report")) {
        b.append(sep).append(e.getKey()).append('=').append(e.getValue());
        sep = "&";
      }
    }
    return b.append('`').toString();
  }

  /**
   * Runs the page's reports as the UI gets them: the browser asks for all at once and the server
   * answers {@link UiRoutes#WORKERS} at a time; returns when the last one is answered.
   */
  private static void runTogether(ExecutorService pool, ClickHouseClient ch, List<Map<String, String>> reports,
                                  Map<String, String> range) throws Exception {
    List<Future<?>> answers = new ArrayList<>();
    for (Map<String, String> r : reports) {
      answers.add(pool.submit(() -> run(ch, List.of(r), range, new double[1])));
    }
    for (Future<?> answer : answers) {
      answer.get(60, TimeUnit.SECONDS);
    }
  }

  /** Runs the page's reports one after another; report i's seconds go to {@code seconds[i]}. */
  private static void run(ClickHouseClient ch, List<Map<String, String>> reports, Map<String, String> range,
                          double[] seconds) {
    for (int i = 0; i < reports.size(); i++) {
      Map<String, String> r = reports.get(i);
      long t = System.nanoTime();
      Map<String, List<String>> params = new LinkedHashMap<>();
      range.forEach((k, v) -> params.put(k, List.of(v)));
      r.forEach((k, v) -> {
        if (!k.equals("report")) {
          params.put(k, List.of(v));
        }
      });
      UiReports.asMaster(ch, r.get("report"), params, LocalDate.parse(range.get("end")));
      seconds[i] = (System.nanoTime() - t) / 1e9;
    }
  }

  /** N rows over the last 30 days, generated by the server (no client round trip per row). */
  static String fill(long rows) {
    return ("INSERT INTO usage_events (event_id, ts, ts_ms, duration_ms, ttft_ms, key_hash, key_alias, customer_id, "
        + "customer_source, tool, tool_version, session_id, provider, api, model_requested, model, status_code, "
        + "input_tokens, output_tokens, cache_read_tokens, cost_nanos, price_known, team_id, request_tags) "
        + "SELECT concat('e', toString(number)), toDateTime(now() - intDiv(number * 2592000, %1$d)), number %% 1000, "
        + "100 + number %% 5000, 50 + number %% 900, concat('k', toString(number %% 200)), "
        + "concat('key-', toString(number %% 200)), concat('cust-', toString(number %% 5000)), 'header_customer_id', "
        + "['claude-code', 'codex', 'gemini-cli', 'curl'][number %% 4 + 1], concat('1.', toString(number %% 7)), "
        + "concat('s', toString(number %% 20000)), 'anthropic', 'messages', 'claude-sonnet-4-5', "
        + "['claude-sonnet-4-5', 'gpt-5', 'claude-opus-4-1'][number %% 3 + 1], if(number %% 50 = 0, 500, 200), "
        + "1000 + number %% 3000, 100 + number %% 700, number %% 5000, 4500000 + number %% 1000, "
        + "if(number %% 97 = 0, 0, 1), concat('team-', toString(number %% 20)), if(number %% 3 = 0, ['prod'], emptyArrayString()) "
        + "FROM numbers(%1$d)").formatted(rows);
  }

  /**
   * The window table {@code table} (spend_1d or spend_1h) as the aggregator writes it for these
   * calls: one running total per window, customer, model asked for and tool (errors: status 400
   * and above, not aborted).
   */
  static String windows(String table) {
    String window = table.equals("spend_1d") ? "toStartOfDay(ts)" : "toStartOfHour(ts)";
    return "INSERT INTO " + table + " SELECT " + window + " AS w, customer_id, "
        + "if(model_requested != '', model_requested, model) AS m, tool, count(), "
        + "countIf(status_code >= 400 AND aborted = 0), countIf(aborted = 1), sum(input_tokens), sum(output_tokens), "
        + "sum(cache_read_tokens), sum(cache_write_5m_tokens), sum(cache_write_1h_tokens), sum(reasoning_tokens), "
        + "sum(cost_nanos), countIf(price_known = 0), count(), now() FROM usage_events FINAL GROUP BY w, customer_id, m, tool";
  }

  /** The 1-minute load average (other work on the machine slows every report alike), or "?". */
  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (Exception e) {
      return "?";
    }
  }

  private static String machine() {
    return Runtime.getRuntime().availableProcessors() + " cores";
  }

  /** Rewrites the section of BENCHMARKS.md (when run from the repository root) with this run's rows. */
  private static void write(long rows, List<String> table, List<String> perReport, String loadBefore,
                            String loadAfter) throws Exception {
    Path file = Path.of("BENCHMARKS.md");
    if (!Files.exists(file)) {
      return;
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    String section = SECTION + "\n\n"
        + "Command: `./tollgate bench ui [rows]` (`UiReportsBench`). `usage_events` holds " + String.format("%,d", rows)
        + " rows over 30 days (5,000 customers, 200 keys, 4 tools), made by ClickHouse from `numbers()`; each page's "
        + "reports (the same calls `/ui/api/report/*` makes, as the master key, over the 30 days) run on the local "
        + "ClickHouse server as the UI gets them: all asked at once, as the browser does, and answered " + UiRoutes.WORKERS
        + " at a time, as the UI's worker pool does (`UiRoutes.WORKERS`) — the time until the page has all its data; "
        + "then one after another (the sum: an upper bound). One warm-up, then 5 runs: median and slowest. Goal: every "
        + "page under 1 s. The machine is shared with other builds while it runs: the numbers are upper bounds "
        + "(load average, 1 min, on " + machine() + ": " + loadBefore + " when the timed runs began, " + loadAfter
        + " when they ended). Rewritten by each run.\n\n"
        + "| date | machine | rows | page | reports | median s | slowest s | one after another: median s | slowest s |\n"
        + "|---|---|---|---|---|---|---|---|---|\n"
        + String.join("\n", table) + "\n\n"
        + "Each report of a page on its own (the same runs; `/ui/api/report/<report>?<params>`):\n\n"
        + "| page | report | median s | slowest s |\n|---|---|---|---|\n"
        + String.join("\n", perReport) + "\n";
    int at = text.indexOf(SECTION);
    if (at < 0) {
      text = text.stripTrailing() + "\n\n" + section;
    } else {
      int next = text.indexOf("\n## ", at + SECTION.length());
      text = text.substring(0, at) + section + (next < 0 ? "" : text.substring(next));
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
    System.out.println("BENCHMARKS.md: section \"" + SECTION.substring(3) + "\" rewritten");
  }
}
