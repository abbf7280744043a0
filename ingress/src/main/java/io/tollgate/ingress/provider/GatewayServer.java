package io.tollgate.ingress.provider;

import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.identity.CustomerResolver;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.metrics.GatewayMetrics;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.publish.UsagePublisher;
import io.tollgate.ingress.usage.Api;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Objects;

/**
 * The gateway's HTTP server: Anthropic routes ({@code /v1/messages}, {@code count_tokens}, also
 * under {@code /anthropic}), OpenAI routes ({@code /v1/chat/completions}, {@code /v1/responses},
 * {@code /v1/embeddings}, {@code /v1/models}, also without {@code /v1}), health and metrics.
 * Everything runs on Vert.x event loops; each call is an {@link Exchange}.
 */
public final class GatewayServer implements AutoCloseable {
  private final Vertx vertx;
  private final IngressConfig config;
  private final PriceTable prices;
  private final UsagePublisher publisher;
  private final GatewayMetrics metrics;
  private final Clock clock;
  private final KeyAuth keyAuth;
  private final CustomerResolver customers;
  private final Router router;
  private final HttpClient client;
  private HttpServer server;

  public GatewayServer(Vertx vertx, IngressConfig config, PriceTable prices, UsagePublisher publisher,
                       GatewayMetrics metrics, Clock clock) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.config = Objects.requireNonNull(config, "config");
    this.prices = Objects.requireNonNull(prices, "prices");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.keyAuth = new KeyAuth(config);
    this.customers = new CustomerResolver(config.userHeaderMappings());
    this.router = new Router(config.deployments());
    this.client = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(10_000).setDecompressionSupported(false))
        .with(new PoolOptions().setHttp1MaxSize(500))
        .build();
  }

  /** Listens on the configured host and port (0 = a free one); the future carries the port. */
  public Future<Integer> start() {
    // HTTP/1.1 only, like LiteLLM: an h2c upgrade would swap the connection under a running
    // exchange (and its close signal is how a client abort is noticed).
    server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port())
        .setCompressionSupported(false).setHttp2ClearTextEnabled(false));
    return server.requestHandler(this::handle).listen().map(HttpServer::actualPort);
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    boolean get = req.method().name().equals("GET");
    switch (path) {
      case "/health/liveliness", "/health/liveness" -> req.response().end("\"I'm alive!\"");
      case "/health/readiness" -> {
        boolean ready = publisher.healthy();
        req.response().setStatusCode(ready ? 200 : 503).putHeader("content-type", "application/json")
            .end(new JsonObject().put("status", ready ? "healthy" : "unhealthy")
                .put("kafka", ready ? "connected" : "unreachable (events are spilled locally)").encode());
      }
      case "/metrics" -> req.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
          .end(metrics.scrape());
      case "/v1/models", "/models" -> models(req);
      default -> {
        Api api = get ? null : route(path);
        if (api == null) {
          boolean anthropic = path.contains("/messages");
          metrics.rejected("no_route");
          req.response().setStatusCode(404).putHeader("content-type", "application/json")
              .end(ApiErrors.body(anthropic, 404, "no route " + req.method() + " " + path + " on this gateway"));
        } else {
          new Exchange(this, req, api).run();
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
      default -> null;
    };
  }

  private void models(HttpServerRequest req) {
    JsonArray data = new JsonArray();
    long created = clock.instant().getEpochSecond();
    router.modelNames().forEach(n -> data.add(new JsonObject().put("id", n).put("object", "model")
        .put("created", created).put("owned_by", "tollgate")));
    req.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("object", "list").put("data", data).encode());
  }

  public int port() {
    return server.actualPort();
  }

  IngressConfig config() {
    return config;
  }

  PriceTable prices() {
    return prices;
  }

  UsagePublisher publisher() {
    return publisher;
  }

  GatewayMetrics metrics() {
    return metrics;
  }

  Clock clock() {
    return clock;
  }

  KeyAuth keyAuth() {
    return keyAuth;
  }

  CustomerResolver customers() {
    return customers;
  }

  Router router() {
    return router;
  }

  HttpClient client() {
    return client;
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().toCompletionStage().toCompletableFuture().join();
    }
    client.close().toCompletionStage().toCompletableFuture().join();
  }
}
