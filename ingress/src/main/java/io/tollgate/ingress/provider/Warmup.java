package io.tollgate.ingress.provider;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.metrics.GatewayMetrics;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.publish.UsagePublisher;
import io.tollgate.schemas.UsageEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a few real calls through a throwaway gateway before the real one takes traffic.
 *
 * <p>What blocked the event loop for 100–540 ms on a busy machine (GatewayIT's blocked-thread
 * check) was never the gateway's own work: it was the JVM loading and linking classes on the
 * first requests — Netty's pipeline and decoders, the HTTP client's pool, Jackson, Avro, and the
 * lambdas of the request path, which the JVM spins into classes at their first use. Class loading
 * reads and inflates jars on whichever thread gets there first. Here that is a throwaway Vert.x
 * whose loops nobody waits on; classes are JVM-wide, so the real gateway's first call finds
 * everything loaded.
 */
final class Warmup {
  private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
  private static final String SSE = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\","
      + "\"model\":\"w\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\"}\n\n"
      + "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":2}}\n\n"
      + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  private static final String CHAT_SSE = "data: {\"id\":\"c\",\"model\":\"w\",\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n"
      + "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n";
  private static final String JSON = "{\"id\":\"m\",\"model\":\"w\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}";

  private Warmup() {
  }

  /** Best effort, bounded: a warm-up that fails or is slow costs only first-call latency. */
  static void run(PriceTable prices) {
    long start = System.nanoTime();
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer upstream = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(b -> {
        boolean stream = b.succeeded() && b.result().toString().contains("\"stream\":true");
        boolean chat = req.path().contains("chat");
        req.response().putHeader("content-type", stream ? "text/event-stream" : "application/json")
            .end(stream ? (chat ? CHAT_SSE : SSE) : JSON);
      }));
      int upstreamPort = await(upstream.listen(0, "127.0.0.1").map(HttpServer::actualPort));
      String base = "http://127.0.0.1:" + upstreamPort;
      List<Deployment> deployments = List.of(
          new Deployment("warmup-claude", "anthropic", "claude-sonnet-4-5", base, "k", false, Map.of()),
          new Deployment("warmup-gpt", "openai", "gpt-5", base, "k", false, Map.of()));
      IngressConfig config = new IngressConfig("127.0.0.1", 0, "warmup", null, Map.of(), deployments, false,
          List.of(), "unused:0", "unused", 1 << 20, 10_000, false, 10_000, 10_000, 10_000, List.of("*"), Map.of(), null);
      List<UsageEvent> sink = new ArrayList<>();
      GatewayServer gateway = new GatewayServer(vertx, config, prices, new Collecting(sink),
          new GatewayMetrics(new PrometheusRegistry()), Clock.systemUTC());
      int port = await(gateway.start());
      HttpClient client = vertx.createHttpClient();
      String[][] calls = {
          {"/v1/messages", "{\"model\":\"warmup-claude\",\"messages\":[]}"},
          {"/v1/messages", "{\"model\":\"warmup-claude\",\"stream\":true,\"messages\":[]}"},
          {"/v1/chat/completions", "{\"model\":\"warmup-gpt\",\"stream\":true,\"messages\":[]}"},
          {"/v1/chat/completions", "{\"model\":\"nope\",\"messages\":[]}"},
          {"/v1/responses", "{not json"}};
      for (String[] call : calls) {
        await(client.request(HttpMethod.POST, port, "127.0.0.1", call[0])
            .compose(r -> r.putHeader("x-api-key", "sk-warmup").putHeader("origin", "http://localhost").send(call[1]))
            .compose(r -> r.body()));
      }
      for (String path : List.of("/metrics", "/v1/models", "/health/readiness", "/health/liveliness",
          "/spend/logs?summarize=false&page_size=1")) { // no spend store here: parsed and refused, classes loaded
        await(client.request(HttpMethod.GET, port, "127.0.0.1", path)
            .compose(r -> r.putHeader("x-api-key", "sk-warmup").send()).compose(r -> r.body()));
      }
      gateway.close();
      LOG.debug("warm-up: {} calls metered in {} ms", sink.size(), (System.nanoTime() - start) / 1_000_000);
    } catch (Exception e) {
      LOG.debug("warm-up skipped ({})", e.toString());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Keeps the warm-up's events in memory; they are never published. */
  private record Collecting(List<UsageEvent> events) implements UsagePublisher {
    @Override
    public synchronized java.util.concurrent.CompletionStage<Void> publish(UsageEvent event) {
      io.tollgate.schemas.serde.TollgateSerdes.usageEvent().serialize("warmup", event); // loads Avro's writer
      events.add(event);
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    @Override
    public io.tollgate.ingress.publish.HandoffStatus status() {
      return io.tollgate.ingress.publish.HandoffStatus.HEALTHY;
    }

    @Override
    public void close() {
    }
  }
}
