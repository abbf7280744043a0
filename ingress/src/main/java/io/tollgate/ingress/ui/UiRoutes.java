package io.tollgate.ingress.ui;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.ingress.admin.AdminAuth;
import io.tollgate.ingress.admin.ProxyError;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseException;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in web UI on the gateway port: static pages under {@code /ui} (from this jar, the
 * charting library from its webjar; nothing from the internet) and their data under
 * {@code /ui/api/}. The key (master or virtual) comes in a header on every API call, never in a
 * cookie, so the gateway's permissive CORS cannot be used against a signed-in browser; a virtual
 * key's reports are narrowed to its own key on the server. Every answer carries a strict CSP.
 *
 * <p>Reports run on a worker pool of their own, at most {@link #MAX_IN_FLIGHT} at a time (more get
 * 503), each stopped by ClickHouse after {@link #TIMEOUT}.
 */
public final class UiRoutes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UiRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  static final int MAX_IN_FLIGHT = 32;
  /**
   * Reports that run at once (the rest queue): a page asks for all its reports together, and two at
   * a time keep ClickHouse's FINAL merges (one thread each) busy without starving the gateway.
   * The UI benchmark runs a page's reports through as many threads.
   */
  public static final int WORKERS = 2;
  static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final String REPORT = "/ui/api/report/";

  private final AdminAuth auth;
  private final UiReports reports;
  private final UiAssets assets = new UiAssets();
  private final Clock clock;
  private final WorkerExecutor workers;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Counter requests;
  private final Histogram seconds;

  /** @param clickhouse where the spend log is, or null (reports are then answered 503; the pages still load) */
  public UiRoutes(Vertx vertx, AdminAuth auth, ClickHouseSettings clickhouse, PrometheusRegistry registry, Clock clock) {
    this.auth = Objects.requireNonNull(auth, "auth");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.reports = clickhouse == null ? null : new UiReports(new ClickHouseClient(new ClickHouseSettings(
        clickhouse.url(), clickhouse.database(), clickhouse.user(), clickhouse.password(), TIMEOUT.plusSeconds(10),
        clickhouse.sslRootCertificate(), clickhouse.sslMode())), TIMEOUT);
    this.workers = Objects.requireNonNull(vertx, "vertx").createSharedWorkerExecutor("tollgate-ui-api", WORKERS, TIMEOUT.plusSeconds(15).toMillis(),
        TimeUnit.MILLISECONDS);
    this.requests = Counter.builder().name("tollgate_ui_api_requests_total")
        .help("Web UI report requests by report and outcome: ok, bad_request, unauthorized, forbidden, not_found, busy, "
            + "store_error, no_store, failed")
        .labelNames("report", "outcome").register(registry);
    this.seconds = Histogram.builder().name("tollgate_ui_api_duration_seconds")
        .help("Web UI report requests that reached ClickHouse, by report: time until answered")
        .labelNames("report").register(registry);
  }

  /** Whether {@code path} belongs to the UI. */
  public static boolean handles(String path) {
    return path.equals("/ui") || path.startsWith("/ui/");
  }

  /** Answers a UI request (see {@link #handles}); on the event loop, never blocking. */
  public void handle(HttpServerRequest req) {
    HttpServerResponse response = req.response();
    response.putHeader("content-security-policy", CSP).putHeader("x-content-type-options", "nosniff")
        .putHeader("referrer-policy", "no-referrer").putHeader("x-frame-options", "DENY");
    String path = req.path();
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      response.putHeader("allow", "GET");
      send(response, "-", "bad_request", new ProxyError(405, "bad_request_error", "the UI answers GET only", null));
      return;
    }
    if (!path.startsWith("/ui/api/")) {
      assets.serve(path, response, workers);
      return;
    }
    response.putHeader("cache-control", "no-store");
    AdminAuth.Caller caller;
    try {
      caller = auth.authenticate(req::getHeader);
    } catch (AdminAuth.Refused e) {
      send(response, "-", "unauthorized", ProxyError.unauthorized(e.getMessage()));
      return;
    }
    if (path.equals("/ui/api/me")) {
      Map<String, Object> me = new LinkedHashMap<>();
      me.put("master", caller.master());
      me.put("key_alias", caller.master() ? null : caller.alias());
      me.put("key_hash", caller.master() ? null : caller.keyHash());
      me.put("reports", reports != null);
      json(response, me);
      return;
    }
    String name = path.startsWith(REPORT) ? path.substring(REPORT.length()) : "";
    String label = switch (name) {
      case "totals", "over_time", "breakdown", "customers", "tools", "active_users", "logs", "log", "alerts" -> name;
      default -> "unknown";
    };
    if (label.equals("unknown")) {
      send(response, label, "not_found", new ProxyError(404, "not_found_error", "no such UI endpoint", null));
      return;
    }
    if (reports == null) {
      send(response, label, "no_store", new ProxyError(503, "internal_error",
          "the UI's reports need ClickHouse: set tollgate.clickhouse.url (or CLICKHOUSE_URL) in the gateway's config", null));
      return;
    }
    Map<String, List<String>> params = new LinkedHashMap<>();
    UiQuery query;
    try {
      req.params().names().forEach(n -> params.put(n, req.params().getAll(n)));
      query = UiQuery.parse(params, LocalDate.now(clock.withZone(ZoneOffset.UTC)), caller.master() ? null : caller.keyHash());
    } catch (ProxyError.Failure e) {
      send(response, label, "bad_request", e.error());
      return;
    } catch (IllegalArgumentException e) {
      send(response, label, "bad_request", ProxyError.badRequest("malformed query string (bad %-encoding)", null));
      return;
    }
    if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
      inFlight.decrementAndGet();
      response.putHeader("retry-after", "1");
      send(response, label, "busy", new ProxyError(503, "internal_error", "the UI's reports are busy; retry shortly", null));
      return;
    }
    long started = System.nanoTime();
    boolean master = caller.master();
    workers.<byte[]>executeBlocking(() -> JSON.writeValueAsBytes(reports.answer(name, query, params, master)), false)
        .onComplete(ar -> {
          inFlight.decrementAndGet();
          if (ar.succeeded()) {
            requests.labelValues(label, "ok").inc();
            seconds.labelValues(label).observe((System.nanoTime() - started) / 1e9);
            if (!response.ended() && !response.closed()) {
              response.putHeader("content-type", "application/json").end(Buffer.buffer(ar.result()));
            }
          } else if (ar.cause() instanceof ProxyError.Failure f) {
            String outcome = switch (f.error().status()) {
              case 403 -> "forbidden";
              case 404 -> "not_found";
              default -> "bad_request";
            };
            send(response, label, outcome, f.error());
          } else if (ar.cause() instanceof ClickHouseException ch) {
            LOG.warn("UI report {} failed: {}", label, ch.getMessage());
            send(response, label, "store_error", new ProxyError(ch.isRetryable() ? 503 : 500, "internal_error",
                "the spend store (ClickHouse) did not answer the report; see the gateway log", null));
          } else {
            LOG.error("UI report {} failed", label, ar.cause());
            send(response, label, "failed", new ProxyError(500, "internal_error", "internal error", null));
          }
        });
  }

  private void json(HttpServerResponse response, Object body) {
    try {
      response.putHeader("content-type", "application/json").end(Buffer.buffer(JSON.writeValueAsBytes(body)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private void send(HttpServerResponse response, String label, String outcome, ProxyError error) {
    requests.labelValues(label, outcome).inc();
    error.send(response);
  }

  @Override
  public void close() {
    workers.close();
  }
}
