package io.tollgate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.tollgate.aggregator.AggregatorApp;
import io.tollgate.alerting.AlertingApp;
import io.tollgate.alerting.config.AlertingConfigLoader;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.local.clickhouse.LocalClickHouse;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.metrics.MetricsRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Alert latency end to end, as a user sees it: one call through the gateway takes a customer over
 * $50 for the day; the clock runs from the moment the gateway answered that call to the moment the
 * Slack message arrives at a local webhook. Path: gateway → Kafka → aggregator (Streams EOS) →
 * spend windows → alerting (Streams EOS, repartition by customer) → alerts → notifier → Slack.
 * Everything in this JVM on loopback, with optional background traffic.
 * {@code java … io.tollgate.bench.AlertLatencyBench [crossings] [background-calls-per-second]}.
 */
public final class AlertLatencyBench {
  private static final Pattern CUSTOMER = Pattern.compile("customer `([^`]+)`");

  private AlertLatencyBench() {
  }

  public static void main(String[] args) throws Exception {
    int crossings = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int background = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    Path dir = Files.createTempDirectory("tollgate-alert-bench");
    Map<String, Long> arrived = new ConcurrentHashMap<>();
    HttpServer slack = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    slack.createContext("/hook", ex -> {
      long now = System.nanoTime();
      Matcher m = CUSTOMER.matcher(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      if (m.find()) {
        arrived.putIfAbsent(m.group(1), now);
      }
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    slack.start();
    ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
    HttpClient http = HttpClient.newHttpClient();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka")));
         LocalClickHouse server = LocalClickHouse.start(LocalClickHouse.Options.in(dir.resolve("clickhouse")));
         MockProvider mock = MockProvider.start(0)) {
      MetricsRegistry metrics = new MetricsRegistry();
      ClickHouseClient ch = new ClickHouseClient(server.settings("bench"));
      var alerting = AlertingConfigLoader.load(new ObjectMapper().readTree("""
          {"slack": {"webhook_url": "http://127.0.0.1:%d/hook"},
           "thresholds": [{"id": "daily-50", "scope": "customer", "period": "day", "amount_usd": 50, "channels": ["slack"]}]}
          """.formatted(slack.getAddress().getPort())), Map.of());
      var gatewayConfig = ConfigLoader.fromTree(new ObjectMapper().readTree("""
          {"model_list": [{"model_name": "claude-*", "litellm_params": {"model": "anthropic/claude-*", "api_base": "%s"}}],
           "general_settings": {"forward_client_headers_to_llm_api": true}}
          """.formatted(mock.baseUrl())), Map.of("TOLLGATE_KAFKA", kafka.bootstrapServers(), "TOLLGATE_PORT", "0",
          "TOLLGATE_HOST", "127.0.0.1", "TOLLGATE_SPILL_DIR", dir.resolve("spill").toString()));
      try (AggregatorApp aggregator = AggregatorApp.start(kafka.bootstrapServers(), "bench-agg", dir.resolve("agg"), ch, metrics);
           AlertingApp alerts = AlertingApp.start(kafka.bootstrapServers(), "bench-alerts", dir.resolve("alerts"), alerting,
               metrics, ch);
           Gateway gateway = Gateway.start(gatewayConfig, new io.vertx.core.VertxOptions(), metrics)) {
        String base = "http://127.0.0.1:" + gateway.port() + "/v1/messages";
        if (background > 0) {
          load.scheduleAtFixedRate(() -> http.sendAsync(call(base, "steady-" + (System.nanoTime() % 50), "input=2000,output=300"),
              HttpResponse.BodyHandlers.discarding()), 0, 1_000_000L / background, TimeUnit.MICROSECONDS);
        }
        // Warm-up: the first crossing also waits for every Streams task to be running.
        cross(http, base, "warm-up", arrived, Duration.ofSeconds(120));
        long[] latencies = new long[crossings];
        for (int i = 0; i < crossings; i++) {
          latencies[i] = cross(http, base, "crossing-" + i, arrived, Duration.ofSeconds(60));
          Thread.sleep(500);
        }
        Arrays.sort(latencies);
        System.out.printf("%nalert latency (gateway answered the crossing call → Slack message received), %d crossings, "
            + "%d background calls/s: p50 %.0f ms, p90 %.0f ms, max %.0f ms%n", crossings, background,
            latencies[(crossings - 1) / 2] / 1e6, latencies[(int) Math.ceil(0.9 * crossings) - 1] / 1e6,
            latencies[crossings - 1] / 1e6);
      }
    } finally {
      load.shutdownNow();
      slack.stop(0);
    }
  }

  /** One call of about $60 (4M Opus input tokens) for {@code customer}; returns ns until Slack heard of it. */
  private static long cross(HttpClient http, String base, String customer, Map<String, Long> arrived, Duration timeout)
      throws Exception {
    HttpResponse<Void> r = http.send(call(base, customer, "input=4000000,output=100"), HttpResponse.BodyHandlers.discarding());
    long answered = System.nanoTime();
    if (r.statusCode() != 200) {
      throw new IllegalStateException("gateway answered " + r.statusCode());
    }
    long deadline = answered + timeout.toNanos();
    while (!arrived.containsKey(customer)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no Slack message for " + customer + " within " + timeout);
      }
      Thread.sleep(1);
    }
    return arrived.get(customer) - answered;
  }

  private static HttpRequest call(String url, String customer, String usage) {
    return HttpRequest.newBuilder(URI.create(url)).header("x-api-key", "sk-bench").header("x-litellm-customer-id", customer)
        .header("x-mock-usage", usage)
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-opus-4-1\",\"max_tokens\":100,\"messages\":[]}"))
        .build();
  }
}
