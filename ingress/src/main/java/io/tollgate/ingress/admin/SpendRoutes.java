package io.tollgate.ingress.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.ingress.identity.Directory;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseException;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import io.tollgate.schemas.clickhouse.Reports;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LiteLLM's spend API on the gateway port: {@code GET /spend/logs}, {@code GET /spend/logs/v2},
 * {@code GET /global/spend/report}, {@code GET /spend/tags}, {@code GET /global/spend/tags}, over the
 * ClickHouse spend log. The master key reads
 * everything; a virtual key reads only the rows of its own key (asking for another key is 403).
 *
 * <p>ClickHouse is never called on an event loop: queries run on a small worker pool of their own,
 * at most {@link Limits#maxInFlight} at a time (more get 503 with {@code retry-after}, so a burst
 * of reports cannot queue without bound), each stopped by ClickHouse after {@link Limits#timeout}
 * and answered 504 by then at the latest. Every outcome is counted ({@link SpendMetrics}).
 */
public final class SpendRoutes implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SpendRoutes.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
  /** Most rows a per-day or per-key aggregation may produce before the request is refused as too wide. */
  static final int MAX_GROUP_ROWS = 50_000;

  /**
   * How much of the gateway the spend API may take.
   *
   * @param threads     worker threads running ClickHouse queries
   * @param maxInFlight requests running or waiting for a thread; beyond, 503
   * @param timeout     ClickHouse stops a query after this; the client gets 504 by then
   */
  public record Limits(int threads, int maxInFlight, Duration timeout) {
    public static final Limits DEFAULTS = new Limits(4, 16, Duration.ofSeconds(20));

    public Limits {
      if (threads < 1 || maxInFlight < threads || timeout.toSeconds() < 1) {
        throw new IllegalArgumentException("spend API limits need threads >= 1, maxInFlight >= threads, timeout >= 1 s");
      }
    }
  }

  private final Vertx vertx;
  private final AdminAuth auth;
  private final ClickHouseClient store;
  private final Directory directory;
  private final SpendMetrics metrics;
  private final Limits limits;
  private final WorkerExecutor workers;
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * @param clickhouse where the spend log is, or null (every spend request is then answered 503)
   * @param directory  team aliases for the report
   */
  public SpendRoutes(Vertx vertx, AdminAuth auth, ClickHouseSettings clickhouse, Directory directory,
                     SpendMetrics metrics, Limits limits) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.auth = Objects.requireNonNull(auth, "auth");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.limits = Objects.requireNonNull(limits, "limits");
    // Its own client: the socket gives up shortly after ClickHouse's own limit, not after the sink's minutes.
    this.store = clickhouse == null ? null : new ClickHouseClient(new ClickHouseSettings(clickhouse.url(),
        clickhouse.database(), clickhouse.user(), clickhouse.password(), limits.timeout().plusSeconds(10),
        clickhouse.sslRootCertificate(), clickhouse.sslMode()));
    this.workers = vertx.createSharedWorkerExecutor("tollgate-spend-api", limits.threads(),
        limits.timeout().plusSeconds(15).toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether {@code path} is a spend route. */
  public static boolean handles(String path) {
    return SpendRequest.Route.of(path) != null;
  }

  /** Answers a request to a spend route (see {@link #handles}); on the event loop, never blocking. */
  public void handle(HttpServerRequest req) {
    SpendRequest.Route route = SpendRequest.Route.of(req.path());
    HttpServerResponse response = req.response();
    if (req.method() != HttpMethod.GET) {
      response.putHeader("allow", "GET");
      refuse(response, route, SpendMetrics.Outcome.METHOD_NOT_ALLOWED,
          new ProxyError(405, "bad_request_error", "method " + req.method() + " is not allowed on " + route.path() + "; use GET", null));
      return;
    }
    AdminAuth.Caller caller;
    try {
      caller = auth.authenticate(req::getHeader);
    } catch (AdminAuth.Refused e) {
      refuse(response, route, SpendMetrics.Outcome.UNAUTHORIZED, ProxyError.unauthorized(e.getMessage()));
      return;
    }
    SpendRequest request;
    try {
      request = SpendRequest.parse(route, params(req));
    } catch (ProxyError.Failure e) {
      refuse(response, route, SpendMetrics.Outcome.BAD_REQUEST, e.error());
      return;
    }
    SpendFilter filter = request.filter();
    if (route == SpendRequest.Route.RECONCILIATION && !caller.master()) {
      refuse(response, route, SpendMetrics.Outcome.FORBIDDEN, ProxyError.forbidden(
          "the reconciliation report covers every key: use the master key"));
      return;
    }
    if (!caller.master()) {
      if (filter.keyHash() != null && !caller.mayRead(filter.keyHash())) {
        refuse(response, route, SpendMetrics.Outcome.FORBIDDEN, ProxyError.forbidden(
            "a virtual key may read only its own spend (api_key names another key); use the master key"));
        return;
      }
      filter = filter.onlyKey(caller.keyHash());
    }
    if (store == null) {
      refuse(response, route, SpendMetrics.Outcome.NO_STORE, new ProxyError(503, "internal_error",
          "the spend API needs ClickHouse: set tollgate.clickhouse.url (or CLICKHOUSE_URL) in the gateway's config", null));
      return;
    }
    if (inFlight.incrementAndGet() > limits.maxInFlight()) {
      inFlight.decrementAndGet();
      response.putHeader("retry-after", "1");
      refuse(response, route, SpendMetrics.Outcome.BUSY, new ProxyError(503, "internal_error",
          "the spend API is busy (" + limits.maxInFlight() + " queries in flight); retry shortly", null));
      return;
    }
    run(route, request, filter, response);
  }

  private void run(SpendRequest.Route route, SpendRequest request, SpendFilter filter, HttpServerResponse response) {
    long started = System.nanoTime();
    AtomicBoolean answered = new AtomicBoolean();
    long timer = vertx.setTimer(limits.timeout().toMillis() + 1_000, id -> {
      if (answered.compareAndSet(false, true)) {
        refuse(response, route, SpendMetrics.Outcome.TIMEOUT, new ProxyError(504, "internal_error",
            "the spend query took longer than " + limits.timeout().toSeconds() + " s; narrow start_date/end_date or the filters",
            null));
      }
    });
    workers.<byte[]>executeBlocking(() -> JSON.writeValueAsBytes(answer(request, filter)), false).onComplete(ar -> {
      inFlight.decrementAndGet(); // only now: a query still running holds its place, timed out or not
      vertx.cancelTimer(timer);
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      if (ar.succeeded()) {
        metrics.count(route, SpendMetrics.Outcome.OK);
        metrics.took(route, (System.nanoTime() - started) / 1e9);
        if (!response.ended() && !response.closed()) {
          response.putHeader("content-type", "application/json").end(Buffer.buffer(ar.result()));
        }
        return;
      }
      Throwable e = ar.cause();
      if (e instanceof ProxyError.Failure f) {
        refuse(response, route, SpendMetrics.Outcome.BAD_REQUEST, f.error());
      } else if (e instanceof ClickHouseException ch) {
        LOG.warn("spend query on {} failed: {}", route.path(), ch.getMessage());
        refuse(response, route, SpendMetrics.Outcome.STORE_ERROR, new ProxyError(ch.isRetryable() ? 503 : 500,
            "internal_error", "the spend store (ClickHouse) did not answer the query; see the gateway log", null));
      } else {
        LOG.error("spend API failed on {}", route.path(), e);
        refuse(response, route, SpendMetrics.Outcome.FAILED, new ProxyError(500, "internal_error", "internal error", null));
      }
    });
  }

  /** The answer of one request, as maps and lists; runs on a worker thread. */
  private Object answer(SpendRequest request, SpendFilter filter) throws JsonProcessingException {
    Duration max = limits.timeout();
    switch (request.route()) {
      case LOGS -> {
        if (request.summarize()) {
          SpendSql.Query q = SpendSql.summary(filter, MAX_GROUP_ROWS + 1);
          List<Map<String, Object>> rows = bounded(store.query(q.sql(), q.params(), max, MAX_GROUP_ROWS + 1));
          return SpendRows.summary(rows, day(filter.start()), day(filter.end().minusSeconds(1)));
        }
        return logs(filter, request, "startTime", false);
      }
      case LOGS_V2 -> {
        SpendSql.Query count = SpendSql.count(filter);
        long total = ((Number) store.query(count.sql(), count.params(), max, 1).get(0).get("n")).longValue();
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("data", logs(filter, request, request.sortBy(), request.ascending()));
        page.put("total", total);
        page.put("page", request.page());
        page.put("page_size", request.pageSize());
        page.put("total_pages", (total + request.pageSize() - 1) / request.pageSize());
        return page;
      }
      case GLOBAL_REPORT -> {
        // As LiteLLM: naming a key or an internal user asks for the per-key shape whatever group_by says.
        SpendFilter asked = request.filter();
        if (request.groupBy().equals("api_key") || asked.keyHash() != null || asked.userId() != null) {
          SpendSql.Query q = SpendSql.byKey(filter, MAX_GROUP_ROWS + 1);
          return SpendRows.byKey(bounded(store.query(q.sql(), q.params(), max, MAX_GROUP_ROWS + 1)));
        }
        boolean team = request.groupBy().equals("team");
        SpendSql.Query q = SpendSql.byDay(filter, team, MAX_GROUP_ROWS + 1);
        return SpendRows.byDay(bounded(store.query(q.sql(), q.params(), max, MAX_GROUP_ROWS + 1)), team, directory);
      }
      case TAGS, GLOBAL_TAGS -> {
        SpendSql.Query q = SpendTags.query(filter, request.tags(), MAX_GROUP_ROWS + 1);
        List<Map<String, Object>> rows = bounded(store.query(q.sql(), q.params(), max, MAX_GROUP_ROWS + 1));
        return request.route() == SpendRequest.Route.TAGS ? SpendTags.perTag(rows) : SpendTags.global(rows);
      }
      case RECONCILIATION -> {
        List<Map<String, Object>> rows = bounded(store.query(Reports.statement("reconciliation_per_day"),
            List.of(day(filter.start()).toString(), day(filter.end().minusSeconds(1)).plusDays(1).toString()), max,
            MAX_GROUP_ROWS + 1));
        return Map.of("data", rows.stream().map(SpendRows::reconciliation).toList());
      }
      default -> throw new IllegalStateException(request.route().toString());
    }
  }

  private List<Map<String, Object>> logs(SpendFilter filter, SpendRequest request, String sortBy, boolean ascending) {
    SpendSql.Query q = SpendSql.logs(filter, sortBy, ascending, request.pageSize(),
        (long) (request.page() - 1) * request.pageSize());
    return store.query(q.sql(), q.params(), limits.timeout(), request.pageSize()).stream().map(SpendRows::log).toList();
  }

  private static List<Map<String, Object>> bounded(List<Map<String, Object>> rows) {
    if (rows.size() > MAX_GROUP_ROWS) {
      throw new ProxyError.Failure(ProxyError.badRequest("the answer would have more than " + MAX_GROUP_ROWS
          + " day, group, model and key combinations; narrow start_date/end_date or filter by key, team or customer",
          "start_date"));
    }
    return rows;
  }

  private static LocalDate day(java.time.Instant instant) {
    return LocalDate.ofInstant(instant, ZoneOffset.UTC);
  }

  /** The query parameters, each with all its values; a malformed query string is a 400. */
  private static Map<String, List<String>> params(HttpServerRequest req) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    try {
      req.params().names().forEach(name -> out.put(name, req.params().getAll(name)));
    } catch (IllegalArgumentException e) {
      throw new ProxyError.Failure(ProxyError.badRequest("malformed query string (bad %-encoding)", null));
    }
    return out;
  }

  private void refuse(HttpServerResponse response, SpendRequest.Route route, SpendMetrics.Outcome outcome,
                      ProxyError error) {
    metrics.count(route, outcome);
    error.send(response);
  }

  @Override
  public void close() {
    workers.close();
  }
}
