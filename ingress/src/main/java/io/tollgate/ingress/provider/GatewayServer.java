package io.tollgate.ingress.provider;

import io.tollgate.ingress.admin.AdminAuth;
import io.tollgate.ingress.admin.SpendMetrics;
import io.tollgate.ingress.admin.SpendRoutes;
import io.tollgate.ingress.ui.UiRoutes;
import io.tollgate.ingress.budget.BudgetLedger;
import io.tollgate.ingress.budget.BudgetMetrics;
import io.tollgate.ingress.budget.CallScopes;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.admin.DirectoryStore;
import io.tollgate.ingress.admin.ManagementApi;
import io.tollgate.ingress.budget.SpendView;
import io.tollgate.ingress.identity.AccessChecks;
import io.tollgate.ingress.budget.RateLimitGate;
import io.tollgate.ingress.budget.RateLimitMetrics;
import io.tollgate.ingress.budget.RateLimiter;
import io.tollgate.ingress.identity.CustomerResolver;
import io.tollgate.ingress.identity.Directory;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.identity.RequestTags;
import io.tollgate.ingress.metrics.GatewayMetrics;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.publish.UsagePublisher;
import io.tollgate.ingress.usage.Api;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.MultiMap;
import java.time.Clock;
import java.util.Objects;

/**
 * The gateway's HTTP server: Anthropic routes ({@code /v1/messages}, {@code count_tokens}, also
 * under {@code /anthropic}), OpenAI routes ({@code /v1/chat/completions}, {@code /v1/responses},
 * {@code /v1/embeddings}, {@code /v1/models}, also without {@code /v1}), Gemini routes
 * ({@link GeminiRoutes}), health and metrics, LiteLLM's management API ({@link ManagementApi}) and
 * the spend API ({@link SpendRoutes}: {@code /spend/logs}, {@code /spend/logs/v2}, {@code /global/spend/report}).
 * Everything runs on Vert.x event loops; each call is an {@link Exchange} through the steps of
 * a {@link CallPipeline}. API paths take POST only (405 otherwise); CORS preflights are answered
 * here; protocol errors (431, 414, a malformed request line) get a JSON body too.
 */
public final class GatewayServer implements AutoCloseable {
  private final Vertx vertx;
  private final IngressConfig config;
  private final GatewayMetrics metrics;
  private final HttpClient client;
  private final Cors cors;
  private final CallPipeline pipeline;
  private final IdleConnections idle;
  private final SpendRoutes spendRoutes;
  private final UiRoutes ui;
  private final GatewayEndpoints endpoints;
  private final InvalidRequests invalid;
  private volatile HttpServer server;
  private volatile String deployment;

  private final ManagementApi management;

  public GatewayServer(Vertx vertx, IngressConfig config, PriceTable prices, UsagePublisher publisher,
                       GatewayMetrics metrics, Clock clock) {
    this(vertx, config, prices, publisher, metrics, clock, null, Directory.EMPTY, SpendView.NONE, null, null, null);
  }

  /** With a fixed directory of keys, teams and customers whose rate limits and access rules apply (tests). */
  public GatewayServer(Vertx vertx, IngressConfig config, PriceTable prices, UsagePublisher publisher,
                       GatewayMetrics metrics, Clock clock, Directory directory) {
    this(vertx, config, prices, publisher, metrics, clock, null, directory, SpendView.NONE, null, null, null);
  }

  /**
   * @param store         the management state (keys, teams, customers, budgets), or null when the gateway has none
   * @param directory     keys, teams and customers the request path reads ({@code store}, a fixed one, or EMPTY)
   * @param spend         spend per key, team and customer, for the management API's info routes
   * @param scopes        the budgets of a call, or null: no budgets
   * @param ledger        holds and settles budgets, or null: no budgets
   * @param budgetMetrics budget metrics, or null: no budgets
   */
  public GatewayServer(Vertx vertx, IngressConfig config, PriceTable prices, UsagePublisher publisher,
                       GatewayMetrics metrics, Clock clock, DirectoryStore store, Directory directory, SpendView spend,
                       CallScopes scopes, BudgetLedger ledger, BudgetMetrics budgetMetrics) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.config = Objects.requireNonNull(config, "config");
    Objects.requireNonNull(publisher, "publisher");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(clock, "clock");
    KeyAuth keyAuth = new KeyAuth(config, directory);
    this.management = new ManagementApi(store, keyAuth, spend, vertx, clock, metrics::management);
    Router router = new Router(config.deployments());
    this.cors = new Cors(config.corsAllowedOrigins());
    this.client = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(10_000).setDecompressionSupported(false))
        .with(new PoolOptions().setHttp1MaxSize(500))
        .build();
    AccessChecks access = directory == Directory.EMPTY ? null : new AccessChecks(directory, clock);
    Admission admission = new Admission(keyAuth, new CustomerResolver(config.userHeaderMappings()), router,
        config.maxBodyBytes(), access,
        new RequestTags(directory, metrics::droppedTags), config.rejectClientTags());
    Relay relay = new Relay(vertx, client, config.upstreamTimeoutMs(), config.streamIdleTimeoutMs(),
        config.forwardProviderAuthHeaders());
    Metering metering = new Metering(Objects.requireNonNull(prices, "prices"), metrics, publisher);
    RateLimitGate rateLimits = new RateLimitGate(new CallScopes(directory, config.budgets().defaultEndUserBudgetId()), new RateLimiter(clock,
        config.rateLimits().instances(), config.rateLimits().maxTrackedScopes(), new RateLimitMetrics(metrics.registry())));
    BudgetStep budget = ledger == null ? BudgetStep.NONE
        : new BudgetStep(scopes, ledger, metering, budgetMetrics, ledger.settings().defaultMaxOutputTokens());
    this.pipeline = new CallPipeline(admission, relay, metering, metrics, vertx, clock, config.gatewayId(),
        config.maxBodyBytes(), config.requestReadTimeoutMs(), budget,
        rateLimits);
    this.idle = new IdleConnections(vertx, config.idleTimeoutMs(), config.requestReadTimeoutMs());
    this.spendRoutes = new SpendRoutes(vertx, new AdminAuth(config.masterKey(), keyAuth, access), config.clickhouse(), directory,
        new SpendMetrics(metrics.registry()), SpendRoutes.Limits.DEFAULTS);
    this.ui = new UiRoutes(vertx, new AdminAuth(config.masterKey(), keyAuth, access), config.clickhouse(), metrics.registry(), clock);
    this.endpoints = new GatewayEndpoints(publisher, store, keyAuth, access, router, metrics, clock);
    this.invalid = new InvalidRequests(metrics);
  }

  /**
   * Listens on the configured host and port (0 = a free one); the future carries the port. One
   * server per core, each on its own event loop, sharing the port (Vert.x hands each new
   * connection to the next): a server created outside a verticle puts every connection on one
   * event loop, so the gateway could never use more than one core. They share everything else
   * (pipeline, limits, budgets, metrics, publisher), which is built for several event loops.
   */
  public Future<Integer> start() {
    // HTTP/1.1 only, like LiteLLM: an h2c upgrade would swap the connection under a running
    // exchange (and its close signal is how a client abort is noticed). With h2c on, Vert.x also
    // calls the connection handler only once a first request is decoded, so a slowloris connection
    // (headers that never end) would escape IdleConnections' first-request bound.
    // No WebSocket compression either: the gateway serves no WebSocket, and with it on Vert.x puts
    // Netty's WebSocketServerExtensionHandler into every connection's pipeline, which inspects
    // every response write for an upgrade (3 % of the event loop's samples under load, JFR).
    HttpServerOptions options = GatewayTls.apply(new HttpServerOptions().setHost(config.host()).setPort(config.port())
        .setCompressionSupported(false).setHttp2ClearTextEnabled(false)
        .setPerFrameWebSocketCompressionSupported(false).setPerMessageWebSocketCompressionSupported(false), config.tls());
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    if (config.port() != 0) {
      return deploy(options, instances);
    }
    // Vert.x shares a port among servers that name the same one; on port 0 each would get a port
    // of its own. So a free port is picked first (and picked again if someone takes it meanwhile).
    return deployOnFreePort(options, instances, 3);
  }

  private Future<Integer> deployOnFreePort(HttpServerOptions options, int instances, int tries) {
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(config.host()))) {
      port = probe.getLocalPort();
    } catch (java.io.IOException e) {
      return Future.failedFuture(e);
    }
    return deploy(new HttpServerOptions(options).setPort(port), instances).recover(e -> tries > 1
        && e instanceof java.net.BindException ? deployOnFreePort(options, instances, tries - 1) : Future.failedFuture(e));
  }

  private Future<Integer> deploy(HttpServerOptions options, int instances) {
    java.util.List<Listener> started = new java.util.concurrent.CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
      Listener l = new Listener(options);
      started.add(l);
      return l;
    }, new DeploymentOptions().setInstances(instances)).map(id -> {
      deployment = id;
      server = started.get(0).server;
      return server.actualPort();
    });
  }

  /** One HTTP server on the event loop of its verticle. */
  private final class Listener extends VerticleBase {
    private final HttpServerOptions options;
    private volatile HttpServer server;

    Listener(HttpServerOptions options) {
      this.options = options;
    }

    @Override
    public Future<?> start() {
      HttpServer s = vertx.createHttpServer(options);
      s.connectionHandler(idle::opened);
      s.invalidRequestHandler(invalid);
      server = s;
      return s.requestHandler(GatewayServer.this::handle).listen();
    }
  }

  private void handle(HttpServerRequest req) {
    idle.requestStarted(req.connection());
    req.response().endHandler(v -> idle.requestEnded(req.connection()));
    if (Cors.preflight(req)) {
      cors.answerPreflight(req);
      return;
    }
    String path = req.path();
    if (UiRoutes.handles(path)) {
      ui.handle(req); // no CORS headers: the UI is same-origin only
      return;
    }
    MultiMap extra = cors.headers(req.getHeader("origin"));
    if (ManagementApi.handles(path)) {
      req.response().headers().addAll(extra);
      management.handle(req);
      return;
    }
    Api api = route(path);
    if (api != null && req.method().name().equals("POST")) {
      new Exchange(pipeline, req, api, extra).run(); // it adds the headers, with its call id
      return;
    }
    req.response().headers().addAll(extra);
    if (SpendRoutes.handles(path)) {
      spendRoutes.handle(req);
      return;
    }
    switch (path) {
      case "/health/liveliness", "/health/liveness" -> req.response().end("\"I'm alive!\"");
      case "/health/readiness" -> endpoints.readiness(req);
      case "/metrics" -> req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
          .end(metrics.scrape());
      case "/v1/models", "/models" -> endpoints.models(req);
      default -> {
        if (api == null) {
          metrics.rejected("no_route");
          req.response().setStatusCode(404).putHeader("content-type", "application/json")
              .end(ApiErrors.forPath(path, 404, "no route " + req.method() + " " + CallFacts.cap(path, 200) + " on this gateway"));
        } else {
          metrics.rejected("method_not_allowed");
          req.response().putHeader("allow", "POST");
          req.response().setStatusCode(405).putHeader("content-type", "application/json")
              .end(ApiErrors.body(api, 405, "method " + req.method() + " is not allowed on " + CallFacts.cap(path, 200)
                  + "; use POST"));
        }
      }
    }
  }

  static Api route(String path) {
    String p = path.startsWith("/anthropic/") ? path.substring("/anthropic".length()) : path;
    return switch (p) {
      case "/v1/messages" -> Api.MESSAGES;
      case "/v1/messages/count_tokens" -> Api.COUNT_TOKENS;
      case "/v1/chat/completions", "/chat/completions" -> Api.CHAT_COMPLETIONS;
      case "/v1/responses", "/responses" -> Api.RESPONSES;
      case "/v1/embeddings", "/embeddings" -> Api.EMBEDDINGS;
      default -> GeminiRoutes.api(path);
    };
  }

  /**
   * Runs a few calls through a throwaway gateway so that the first real call does not load classes
   * on the event loop (see {@link Warmup}); blocking, bounded, best effort.
   */
  public static void warmUp(PriceTable prices) {
    Warmup.run(prices);
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public void close() {
    if (deployment != null) {
      vertx.undeploy(deployment).toCompletionStage().toCompletableFuture().join(); // closes the servers
      deployment = null;
    }
    client.close().toCompletionStage().toCompletableFuture().join();
    spendRoutes.close();
    ui.close();
  }
}
