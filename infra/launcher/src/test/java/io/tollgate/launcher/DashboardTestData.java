package io.tollgate.launcher;

import io.tollgate.schemas.clickhouse.ClickHouseClient;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Known rows for {@link GrafanaDashboardsIT}: calls of several customers, tools (claude-code,
 * codex, ...) and models (some without a price, most with cache tokens), written the way the
 * pipeline leaves them before ClickHouse merges: usage rows replayed, every spend window as its
 * final running total plus an older, smaller version inserted after it, alert rows updated twice.
 * Merges are stopped, so a panel reading without FINAL counts too much. Expected numbers are
 * computed from {@link #events()} in Java, never from ClickHouse.
 */
final class DashboardTestData {
  /** The dashboard time range of the test; some calls lie before it (for WAU/MAU) and one after. */
  static final Instant FROM = Instant.parse("2026-03-01T00:00:00Z");
  static final Instant TO = Instant.parse("2026-03-03T23:59:59Z");

  record Event(String id, Instant ts, String customer, String keyHash, String tool, String toolVersion, String model,
               boolean priceKnown, int status, boolean aborted, long input, long output, long cacheRead, long cacheWrite5m,
               long cacheWrite1h, long reasoning, long costNanos, String session, long durationMs) {
    long tokens() {
      return input + output + cacheRead + cacheWrite5m + cacheWrite1h;
    }

    /** Request tags: a third of the calls untagged, the rest one feature, some of them two tags. */
    List<String> tags() {
      int n = Integer.parseInt(id.substring(3));
      return switch (n % 3) {
        case 0 -> List.of();
        case 1 -> List.of("feature:chat");
        default -> List.of("feature:search", "env:prod");
      };
    }

    long prompt() {
      return input + cacheRead + cacheWrite5m + cacheWrite1h;
    }

    boolean inRange() {
      return !ts.isBefore(FROM) && !ts.isAfter(TO);
    }

    boolean error() {
      return status >= 400 && !aborted;
    }
  }

  private record Kind(String tool, String version, String model, boolean priced, boolean cached) {
  }

  private static final List<String> CUSTOMERS = List.of("acme", "acme", "acme", "globex", "globex", "initech", "umbrella", "");
  private static final List<Kind> KINDS = List.of(
      new Kind("claude-code", "2.1.3", "claude-sonnet-4-5", true, true),
      new Kind("claude-code", "2.1.3", "claude-opus-4-1", true, true),
      new Kind("claude-code", "2.0.9", "claude-next-preview", false, true),
      new Kind("codex", "0.46.0", "gpt-5", true, true),
      new Kind("curl", "8.5.0", "gpt-5-mini", true, false),
      new Kind("other", "", "my-finetune", false, false));
  private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final String WINDOW_COLUMNS = "window_start, customer_id, model, tool, requests, errors, aborted, "
      + "input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, "
      + "cost_nanos, unknown_price_requests, version, updated_at";

  private final List<Event> events = new ArrayList<>();

  /** Bursts of calls (so most windows get several versions) in the range, plus a few around it. */
  DashboardTestData(long seed) {
    Random random = new Random(seed);
    for (int burst = 0; burst < 70; burst++) {
      Instant start = FROM.plusSeconds(random.nextLong(TO.getEpochSecond() - FROM.getEpochSecond() - 600));
      String customer = CUSTOMERS.get(random.nextInt(CUSTOMERS.size()));
      Kind kind = KINDS.get(random.nextInt(KINDS.size()));
      int calls = 2 + random.nextInt(5);
      for (int i = 0; i < calls; i++) {
        events.add(event(random, start.plusSeconds(random.nextInt(600)), customer, kind, "s-" + burst));
      }
    }
    // Outside the range: erin 5 days before its end (WAU, MAU), dora 20 days before (MAU only),
    // acme after it (nothing).
    events.add(event(random, TO.minus(Duration.ofDays(5)), "erin", KINDS.get(0), "s-erin"));
    events.add(event(random, TO.minus(Duration.ofDays(20)), "dora", KINDS.get(3), ""));
    events.add(event(random, TO.plus(Duration.ofHours(10)), "acme", KINDS.get(3), ""));
  }

  private Event event(Random r, Instant ts, String customer, Kind kind, String session) {
    long input = 100 + r.nextInt(5_000);
    long output = 10 + r.nextInt(2_000);
    long cacheRead = kind.cached() ? r.nextInt(40_000) : 0;
    long write5m = kind.cached() && kind.tool().equals("claude-code") ? r.nextInt(3_000) : 0;
    long write1h = kind.cached() && kind.tool().equals("claude-code") && r.nextBoolean() ? r.nextInt(1_000) : 0;
    long reasoning = kind.tool().equals("codex") ? r.nextInt((int) output) : 0;
    // nano-USD per token: $3/M input, $15/M output, cache read 10 %, 5m write 125 %, 1h write 200 %
    long cost = kind.priced() ? input * 3_000 + output * 15_000 + cacheRead * 300 + write5m * 3_750 + write1h * 6_000 : 0;
    double p = r.nextDouble();
    int status = p < 0.06 ? 500 : p < 0.09 ? 429 : 200;
    boolean aborted = status == 200 && r.nextDouble() < 0.03;
    String key = "key-" + (customer.isEmpty() ? "anon" : customer) + "-" + r.nextInt(2);
    return new Event(String.format("ev-%04d", events.size()), ts, customer, key, kind.tool(), kind.version(), kind.model(),
        kind.priced(), status, aborted, input, output, cacheRead, write5m, write1h, reasoning, cost,
        kind.tool().equals("claude-code") ? session : "", 200 + r.nextInt(30_000));
  }

  List<Event> events() {
    return events;
  }

  List<Event> inRange() {
    return events.stream().filter(Event::inRange).toList();
  }

  /** Sums {@code value} of the in-range calls per {@code key}. */
  <K> Map<K, Long> sumBy(Function<Event, K> key, Function<Event, Long> value) {
    return inRange().stream().collect(Collectors.groupingBy(key, LinkedHashMap::new, Collectors.summingLong(value::apply)));
  }

  void insertInto(ClickHouseClient client) {
    for (String table : List.of("usage_events", "spend_1m", "spend_1h", "spend_1d", "alerts", "provider_usage")) {
      client.execute("SYSTEM STOP MERGES " + client.settings().database() + "." + table);
    }
    insertEvents(client, events);
    insertEvents(client, events.subList(0, events.size() / 3)); // replayed: same (customer_id, ts, event_id)
    for (var window : Map.of("spend_1m", 60, "spend_1h", 3600, "spend_1d", 86_400).entrySet()) {
      insertWindows(client, window.getKey(), window.getValue());
    }
    insertAlerts(client);
    insertProviderUsage(client);
  }

  /** The reconciler's comparison of two days, each in two versions (the older must not show through FINAL). */
  private static void insertProviderUsage(ClickHouseClient client) {
    String columns = "provider, model, day, status, billed_source, billed_nanos, metered_nanos, drift_nanos, alert_id, "
        + "version, fetched_at";
    for (int version = 1; version <= 2; version++) {
      String status = version == 1 ? "'unsettled'" : "'settled'";
      client.execute("INSERT INTO provider_usage (" + columns + ") VALUES "
          + "('anthropic', 'claude-sonnet-4-5-20250929', toDate('2026-03-01'), " + status + ", 'usage_priced', "
          + "9000000000, 9270000000, 270000000, '" + (version == 2 ? "a1" : "") + "', " + version + ", now()), "
          + "('anthropic', '*', toDate('2026-03-01'), " + status + ", 'cost_report', 10000000000, 10270000000, "
          + "270000000, '', " + version + ", now()), "
          + "('openai', '*', toDate('2026-03-02'), " + status + ", 'line_items', 465000000, 465000000, 0, '', "
          + version + ", now())");
    }
  }

  private static void insertEvents(ClickHouseClient client, List<Event> events) {
    client.execute("INSERT INTO usage_events (event_id, ts, customer_id, key_hash, tool, tool_version, session_id, "
        + "model_requested, model, status_code, aborted, input_tokens, output_tokens, cache_read_tokens, "
        + "cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, cost_nanos, price_known, duration_ms, "
        + "request_tags) VALUES "
        + events.stream().map(e -> "(" + String.join(", ", q(e.id()), q(DATETIME.format(e.ts())), q(e.customer()),
            q(e.keyHash()), q(e.tool()), q(e.toolVersion()), q(e.session()), q(e.model()), q(e.model()),
            Integer.toString(e.status()), e.aborted() ? "1" : "0", Long.toString(e.input()), Long.toString(e.output()),
            Long.toString(e.cacheRead()), Long.toString(e.cacheWrite5m()), Long.toString(e.cacheWrite1h()),
            Long.toString(e.reasoning()), Long.toString(e.costNanos()), e.priceKnown() ? "1" : "0",
            Long.toString(e.durationMs()), "[" + e.tags().stream().map(DashboardTestData::q)
                .collect(Collectors.joining(", ")) + "]") + ")").collect(Collectors.joining(", ")));
  }

  /**
   * Every window as Streams leaves it: the running total after its last call (version = calls so
   * far), and, inserted afterwards, the total before that call with a lower version.
   */
  private void insertWindows(ClickHouseClient client, String table, int seconds) {
    Map<String, List<Event>> windows = events.stream().collect(Collectors.groupingBy(e -> String.join("|",
        Long.toString(e.ts().getEpochSecond() / seconds * seconds), e.customer(), e.model(), e.tool()),
        LinkedHashMap::new, Collectors.toList()));
    List<String> newest = new ArrayList<>();
    List<String> older = new ArrayList<>();
    for (List<Event> calls : windows.values()) {
      newest.add(windowRow(calls, seconds));
      if (calls.size() > 1) {
        older.add(windowRow(calls.subList(0, calls.size() - 1), seconds));
      }
    }
    client.execute("INSERT INTO " + table + " (" + WINDOW_COLUMNS + ") VALUES " + String.join(", ", newest));
    client.execute("INSERT INTO " + table + " (" + WINDOW_COLUMNS + ") VALUES " + String.join(", ", older));
  }

  private static String windowRow(List<Event> calls, int seconds) {
    Event first = calls.get(0);
    Instant start = Instant.ofEpochSecond(first.ts().getEpochSecond() / seconds * seconds);
    long[] sums = new long[11];
    for (Event e : calls) {
      long[] values = {1, e.error() ? 1 : 0, e.aborted() ? 1 : 0, e.input(), e.output(), e.cacheRead(), e.cacheWrite5m(),
          e.cacheWrite1h(), e.reasoning(), e.costNanos(), e.priceKnown() ? 0 : 1};
      for (int i = 0; i < sums.length; i++) {
        sums[i] += values[i];
      }
    }
    StringBuilder row = new StringBuilder("(").append(q(DATETIME.format(start))).append(", ").append(q(first.customer()))
        .append(", ").append(q(first.model())).append(", ").append(q(first.tool()));
    for (long sum : sums) {
      row.append(", ").append(sum);
    }
    Instant updated = calls.get(calls.size() - 1).ts().truncatedTo(ChronoUnit.SECONDS);
    return row.append(", ").append(calls.size()).append(", ").append(q(DATETIME.format(updated))).append(")").toString();
  }

  /**
   * Three alerts in the range (a-1 raised twice by a replay; Slack failed once, then delivered; email
   * delivered — a-2 critical, Slack failed for good, email delivered — a-4 a cache break, not
   * delivered yet) and a-3 before the range.
   */
  private static void insertAlerts(ClickHouseClient client) {
    String columns = "alert_id, rule_id, kind, severity, scope, scope_id, period, window_start, spend_nanos, "
        + "threshold_nanos, message, channel, status, attempts, error, created_at, updated_at";
    String raised1 = "'a-1', 'daily-50', 'threshold', 'warning', 'customer', 'acme', 'day', '2026-03-02 00:00:00', "
        + "51230000000, 50000000000, 'acme spent $51.23 today (threshold $50)', '', 'raised', 0, '', '2026-03-02 10:00:00', ";
    client.execute("INSERT INTO alerts (" + columns + ") VALUES (" + raised1 + "'2026-03-02 10:00:00'), "
        + "('a-2', 'opus-spike', 'anomaly', 'critical', 'model', 'claude-opus-4-1', 'hour', '2026-03-03 07:00:00', "
        + "90000000000, 0, 'claude-opus-4-1 spend 9x baseline', '', 'raised', 0, '', '2026-03-03 08:00:00', '2026-03-03 08:00:00'), "
        + "('a-3', 'daily-50', 'threshold', 'warning', 'customer', 'globex', 'day', '2026-02-20 00:00:00', "
        + "60000000000, 50000000000, 'globex spent $60 today', '', 'raised', 0, '', '2026-02-20 12:00:00', '2026-02-20 12:00:00')");
    client.execute("INSERT INTO alerts (alert_id, rule_id, kind, severity, scope, scope_id, period, window_start, "
        + "spend_nanos, baseline_mean_nanos, message, channel, status, created_at, updated_at) VALUES ('a-4', "
        + "'cache-break', 'cache_break', 'warning', 'customer', 'globex', 'hour', '2026-03-02 14:00:00', 7730000000, "
        + "3140000000, 'customer globex: prompt-cache reads fell to 5.0% of input tokens this hour (usual 90%) while "
        + "spend stayed up: +$110.16/day if it stays broken', '', 'raised', '2026-03-02 14:05:00', '2026-03-02 14:05:00')");
    client.execute("INSERT INTO alerts (" + columns + ") VALUES (" + raised1 + "'2026-03-02 10:00:30'), "
        + delivery("a-1", "slack", "failed", 2, "HTTP 500", "2026-03-02 10:00:00", "2026-03-02 10:00:05") + ", "
        + delivery("a-1", "slack", "delivered", 3, "", "2026-03-02 10:00:00", "2026-03-02 10:00:20") + ", "
        + delivery("a-1", "email", "delivered", 1, "", "2026-03-02 10:00:00", "2026-03-02 10:00:02") + ", "
        + delivery("a-2", "slack", "failed", 5, "HTTP 404 no_service", "2026-03-03 08:00:00", "2026-03-03 08:04:00") + ", "
        + delivery("a-2", "email", "delivered", 1, "", "2026-03-03 08:00:00", "2026-03-03 08:00:03") + ", "
        + delivery("a-3", "slack", "delivered", 1, "", "2026-02-20 12:00:00", "2026-02-20 12:00:01"));
  }

  private static String delivery(String id, String channel, String status, int attempts, String error, String created,
                                 String updated) {
    return "(" + String.join(", ", q(id), "'daily-50'", "''", "''", "''", "''", "''", "'2026-03-02 00:00:00'", "0", "0",
        "''", q(channel), q(status), Integer.toString(attempts), q(error), q(created), q(updated)) + ")";
  }

  private static String q(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
