package io.tollgate.aggregator.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseException;
import io.tollgate.schemas.metrics.MetricsRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LiteLLM-style spend endpoints over ClickHouse:
 * <ul>
 *   <li>{@code GET /spend/logs?customer_id|end_user=&api_key=&model=&tool=&start_date=&end_date=&page=&page_size=}
 *       — the raw log, newest first, one row per call;</li>
 *   <li>{@code GET /spend/report?group_by=customer|model|tool|day&…same filters} — totals from the
 *       day windows.</li>
 * </ul>
 * Spend is returned both as exact decimal USD ({@code spend}) and integer nano-USD
 * ({@code spend_nanos}). Bad parameters get a 400 listing every problem. The JDK's HTTP server
 * on a small thread pool: the ClickHouse client blocks, and this is a reporting API.
 */
public final class SpendApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SpendApi.class);
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
      .enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

  private final ClickHouseClient clickhouse;
  private final HttpServer server;
  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  public SpendApi(ClickHouseClient clickhouse, String host, int port) throws IOException {
    this(clickhouse, host, port, null);
  }

  /** Also serves {@code GET /metrics} from {@code metrics} when it is not null. */
  public SpendApi(ClickHouseClient clickhouse, String host, int port, MetricsRegistry metrics) throws IOException {
    this.clickhouse = clickhouse;
    this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
    server.createContext("/spend/logs", ex -> handle(ex, this::logs));
    server.createContext("/spend/report", ex -> handle(ex, this::report));
    if (metrics != null) {
      metrics.serveOn(server);
    }
    server.setExecutor(pool);
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private interface Endpoint {
    Object answer(Map<String, String> query, List<String> problems);
  }

  private void handle(HttpExchange ex, Endpoint endpoint) throws IOException {
    try {
      if (!ex.getRequestMethod().equals("GET")) {
        send(ex, 405, Map.of("error", Map.of("message", "use GET")));
        return;
      }
      List<String> problems = new ArrayList<>();
      Object body = endpoint.answer(query(ex.getRequestURI().getRawQuery()), problems);
      if (!problems.isEmpty()) {
        send(ex, 400, Map.of("error", Map.of("message", String.join("; ", problems), "type", "invalid_request_error")));
      } else {
        send(ex, 200, body);
      }
    } catch (ClickHouseException e) {
      LOG.warn("spend query failed: {}", e.getMessage());
      send(ex, e.isRetryable() ? 503 : 500, Map.of("error", Map.of("message", "spend store unavailable", "type", "api_error")));
    } catch (RuntimeException e) {
      LOG.error("spend API failed on {}", ex.getRequestURI().getPath(), e);
      send(ex, 500, Map.of("error", Map.of("message", "internal error", "type", "api_error")));
    } finally {
      ex.close(); // after the catch blocks have answered
    }
  }

  private Object logs(Map<String, String> q, List<String> problems) {
    int page = SpendQueries.intParam(q, "page", 1, 1, 1_000_000, problems);
    int size = SpendQueries.intParam(q, "page_size", 50, 1, 1_000, problems);
    String where = SpendQueries.where(q, "ts", true, problems);
    if (!problems.isEmpty()) {
      return null;
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> r : clickhouse.query("SELECT event_id, api, key_hash, key_alias, cost_nanos, input_tokens, "
        + "output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, toString(ts) AS ts_text, ts_ms, "
        + "duration_ms, model, model_requested, customer_id, tool, session_id, status_code, price_known "
        + "FROM usage_events FINAL" + where + " ORDER BY ts DESC, ts_ms DESC, event_id LIMIT " + size
        + " OFFSET " + (long) (page - 1) * size)) {
      long cost = ((Number) r.get("cost_nanos")).longValue();
      long prompt = sum(r, "input_tokens", "cache_read_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens");
      long completion = sum(r, "output_tokens");
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("request_id", r.get("event_id"));
      row.put("call_type", r.get("api"));
      row.put("api_key", r.get("key_hash"));
      row.put("key_alias", r.get("key_alias"));
      row.put("spend", SpendQueries.usd(cost));
      row.put("spend_nanos", cost);
      row.put("total_tokens", prompt + completion);
      row.put("prompt_tokens", prompt);
      row.put("completion_tokens", completion);
      row.put("startTime", r.get("ts_text") + "." + String.format("%03d", ((Number) r.get("ts_ms")).intValue()) + "Z");
      row.put("duration_ms", r.get("duration_ms"));
      row.put("model", r.get("model"));
      row.put("model_group", r.get("model_requested"));
      row.put("end_user", r.get("customer_id"));
      row.put("tool", r.get("tool"));
      row.put("session_id", r.get("session_id"));
      row.put("status_code", r.get("status_code"));
      row.put("price_known", ((Number) r.get("price_known")).intValue() == 1);
      out.add(row);
    }
    return out;
  }

  private Object report(Map<String, String> q, List<String> problems) {
    String group = q.getOrDefault("group_by", "customer");
    if (!SpendQueries.GROUPS.contains(group)) {
      problems.add("group_by must be one of " + SpendQueries.GROUPS + ", got '" + group + "'");
    }
    String where = SpendQueries.where(q, "window_start", false, problems);
    if (!problems.isEmpty()) {
      return null;
    }
    String column = switch (group) {
      case "customer" -> "customer_id";
      case "day" -> "toString(toDate(window_start))";
      default -> group;
    };
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> r : clickhouse.query("SELECT " + column + " AS k, sum(cost_nanos) AS cost, sum(requests) AS requests, "
        + "sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS prompt, "
        + "sum(output_tokens) AS completion FROM spend_1d FINAL" + where + " GROUP BY k ORDER BY cost DESC, k")) {
      long cost = ((Number) r.get("cost")).longValue();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put(group, r.get("k"));
      row.put("spend", SpendQueries.usd(cost));
      row.put("spend_nanos", cost);
      row.put("requests", r.get("requests"));
      row.put("prompt_tokens", r.get("prompt"));
      row.put("completion_tokens", r.get("completion"));
      out.add(row);
    }
    return out;
  }

  private static long sum(Map<String, Object> row, String... columns) {
    long total = 0;
    for (String c : columns) {
      total += ((Number) row.get(c)).longValue();
    }
    return total;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (!v.isEmpty()) {
        out.put(k, v);
      }
    }
    return out;
  }

  private static void send(HttpExchange ex, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("content-type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
