package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.ingress.budget.ManualClock;
import io.tollgate.ingress.budget.MemoryDirectory;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.metrics.GatewayMetrics;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.publish.KafkaUsagePublisher;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.VirtualKey;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * rpm_limit, tpm_limit and max_parallel_requests through a real gateway, the embedded Kafka and a
 * provider the test controls; the keys, teams and customers come from an in-memory directory and
 * time from a clock the test moves, so "the next minute" needs no waiting.
 */
@ExtendWith(KafkaExtension.class)
@org.junit.jupiter.api.Timeout(value = 3, unit = TimeUnit.MINUTES)
class RateLimitIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final ManualClock CLOCK = new ManualClock(1_800_000_000_000L);
  private static final MemoryDirectory DIRECTORY = new MemoryDirectory();
  private static final String MESSAGE = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":50,\"messages\":[]}";
  private static final String STREAM = "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"messages\":[]}";
  private static final String START = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":"
      + "\"msg_1\",\"model\":\"claude-sonnet-4-5\",\"usage\":{\"input_tokens\":20,\"output_tokens\":1}}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
      + "\"text_delta\",\"text\":\"Hello\"}}\n\n";
  private static final String END = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
      + "\"end_turn\"},\"usage\":{\"output_tokens\":9}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  private static FakeUpstream upstream;
  private static Vertx vertx;
  private static KafkaUsagePublisher publisher;
  private static PrometheusRegistry registry;
  private static GatewayServer gateway;
  private static UsageEvents events;
  private static int port;

  @BeforeAll
  static void start(KafkaCluster kafka) throws Exception {
    upstream = new FakeUpstream();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %1$s, api_key: sk-ant-upstream}
          - model_name: gpt-5
            litellm_params: {model: openai/gpt-5, api_base: %1$s, api_key: sk-oai-upstream}
          - model_name: unreachable
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: "http://127.0.0.1:%2$d", api_key: k}
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: gw-ratelimit
          stream_idle_timeout_s: 1
        """.formatted(upstream.baseUrl(), closedPort);
    IngressConfig config = ConfigLoader.fromTree(new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of());
    registry = new PrometheusRegistry();
    GatewayMetrics metrics = new GatewayMetrics(registry);
    publisher = new KafkaUsagePublisher(kafka.bootstrapServers(), Files.createTempDirectory("rate-limit-it"),
        "rate-limit-it", metrics);
    vertx = Vertx.vertx();
    gateway = new GatewayServer(vertx, config, PriceTable.bundled(), publisher, metrics, CLOCK, DIRECTORY);
    port = gateway.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    events = new UsageEvents(kafka);
  }

  @AfterAll
  static void stop() {
    events.close();
    gateway.close();
    publisher.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
    upstream.close();
  }

  /** A new key in the directory with these limits; the gateway is open, so any key authenticates by its hash. */
  private static String key(Long rpm, Long tpm, Integer parallel, String team) {
    String key = "sk-rl-" + UUID.randomUUID();
    DIRECTORY.put(VirtualKey.newBuilder().setKeyHash(KeyAuth.sha256(key))
        .setKeyAlias("alias-" + key.substring(6, 14)).setCreatedAt(Instant.EPOCH).setTeamId(team).setRpmLimit(rpm)
        .setTpmLimit(tpm).setMaxParallelRequests(parallel).build());
    return key;
  }

  private static HttpResponse<String> post(String path, String key, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).header("x-api-key", key);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void answerJson(int input, int output, String... headers) {
    upstream.answer(200, "application/json", ("{\"id\":\"msg_1\",\"type\":\"message\",\"model\":\"claude-sonnet-4-5\","
        + "\"content\":[],\"usage\":{\"input_tokens\":" + input + ",\"output_tokens\":" + output + "}}")
        .getBytes(StandardCharsets.UTF_8), headers);
  }

  @Test
  void theCallAfterRpmGets429WithRetryAfterInTheCallersShapeUntilTheMinuteSlidesOn() throws Exception {
    String key = key(3L, null, null, null);
    answerJson(5, 5);
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> ok = post("/v1/messages", key, MESSAGE);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
      assertThat(ok.headers().firstValue("x-ratelimit-remaining-requests")).hasValue(Integer.toString(2 - i));
      assertThat(ok.headers().firstValue("x-ratelimit-api_key-remaining-requests")).hasValue(Integer.toString(2 - i));
    }
    String customer = "rl-cust-" + UUID.randomUUID();
    HttpResponse<String> refused = post("/v1/messages", key, MESSAGE, "x-litellm-customer-id", customer);
    assertThat(refused.statusCode()).isEqualTo(429);
    long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 62L);
    assertThat(refused.headers().firstValue("rate_limit_type")).hasValue("requests");
    JsonNode anthropic = JSON.readTree(refused.body());
    assertThat(anthropic.path("type").asText()).isEqualTo("error");
    assertThat(anthropic.path("error").path("type").asText()).isEqualTo("rate_limit_error");
    assertThat(anthropic.path("error").path("message").asText())
        .contains("Crossed TPM / RPM / Max Parallel Request Limit").contains("rate limit type = key")
        .doesNotContain(key).doesNotContain(KeyAuth.sha256(key));
    UsageEvent event = events.one(e -> customer.equals(e.getCustomerId()));
    assertThat(event.getStatusCode()).isEqualTo(429);
    assertThat(event.getErrorType()).isEqualTo("rate_limited");

    HttpResponse<String> openAi = post("/v1/chat/completions", key, "{\"model\":\"gpt-5\",\"messages\":[]}");
    assertThat(openAi.statusCode()).isEqualTo(429);
    JsonNode error = JSON.readTree(openAi.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("429");
    assertThat(error.path("message").asText()).startsWith("LiteLLM Rate Limit Handler for rate limit type = key.");
    assertThat(upstream.last().path()).doesNotContain("chat"); // the refused calls never went upstream

    CLOCK.advanceMillis(retryAfter * 1000);
    assertThat(post("/v1/messages", key, MESSAGE).statusCode()).isEqualTo(200);
    assertThat(scrape()).contains("tollgate_rate_limited_requests_total{limit=\"rpm\",scope=\"key\"} 2.0");
  }

  @Test
  void tokensPerMinuteCountTheRealUsageAndTollgatesHeadersWinOverUpstreams() throws Exception {
    String key = key(null, 100L, null, null);
    answerJson(40, 30, "x-ratelimit-remaining-tokens", "999999", "x-ratelimit-remaining-requests", "4999");
    HttpResponse<String> first = post("/v1/messages", key, MESSAGE);
    assertThat(first.statusCode()).isEqualTo(200);
    long remaining = Long.parseLong(first.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
    assertThat(remaining).as("100 minus the estimate: body / 4 + max_tokens").isEqualTo(100 - (MESSAGE.length() + 3) / 4 - 50);
    assertThat(first.headers().allValues("x-ratelimit-remaining-tokens")).hasSize(1);
    assertThat(first.headers().firstValue("llm_provider-x-ratelimit-remaining-tokens")).hasValue("999999");
    assertThat(first.headers().firstValue("x-ratelimit-remaining-requests")).as("no rpm here: upstream's stays")
        .hasValue("4999");
    HttpResponse<String> second = post("/v1/messages", key, MESSAGE);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(second.headers().firstValue("x-ratelimit-remaining-tokens"))
        .as("the first call's real 70 tokens replaced its estimate").hasValue(Long.toString(Math.max(0, remaining - 70)));
    HttpResponse<String> refused = post("/v1/messages", key, MESSAGE);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("rate_limit_type")).hasValue("tokens");
    assertThat(JSON.readTree(refused.body()).path("error").path("message").asText()).contains("current tpm: 140");
  }

  @Test
  void maxParallelRequestsRefusesWhileStreamsAreHeldOpenAndAdmitsOnceTheyEnd() throws Exception {
    String key = key(null, null, 2, null);
    List<HttpServerResponse> held = holdStreams();
    try (Socket a = openStream(key, "/v1/messages", STREAM); Socket b = openStream(key, "/v1/messages", STREAM)) {
      HttpResponse<String> refused = post("/v1/messages", key, MESSAGE);
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.headers().firstValue("rate_limit_type")).hasValue("max_parallel_requests");
      assertThat(refused.headers().firstValue("retry-after")).hasValue("1");
      assertThat(inFlight()).isEqualTo(2);
      upstream.vertx().runOnContext(v -> held.forEach(r -> r.end(END)));
      assertThat(readToEnd(a)).contains("message_stop").endsWith("0\r\n\r\n");
      readToEnd(b);
    }
    awaitNoneInFlight();
    answerJson(1, 1);
    assertThat(post("/v1/messages", key, MESSAGE).statusCode()).isEqualTo(200);
  }

  @Test
  void theSlotIsReleasedHoweverTheCallEnds() throws Exception {
    String key = key(null, null, 1, null);
    // The client goes away mid-stream (Anthropic, then OpenAI whose usage comes only at the end).
    holdStreams();
    openStream(key, "/v1/messages", STREAM).close();
    awaitNoneInFlight();
    upstream.answer(req -> req.response().setChunked(true).putHeader("content-type", "text/event-stream")
        .write("data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n"));
    openStream(key, "/v1/chat/completions", "{\"model\":\"gpt-5\",\"stream\":true,\"messages\":[]}").close();
    awaitNoneInFlight();
    // Upstream cuts the stream after its first events.
    upstream.answer(req -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream").write(START);
      upstream.vertx().setTimer(50, t -> req.connection().close());
    });
    try (Socket s = openStream(key, "/v1/messages", STREAM)) {
      readToEnd(s);
    }
    awaitNoneInFlight();
    // Upstream stalls mid-stream past the stream idle timeout (1 s).
    holdStreams();
    try (Socket s = openStream(key, "/v1/messages", STREAM)) {
      readToEnd(s);
    }
    awaitNoneInFlight();
    // Upstream answers an error; upstream cannot be reached at all.
    upstream.answer(500, "application/json", "{\"type\":\"error\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(post("/v1/messages", key, MESSAGE).statusCode()).isEqualTo(500);
    awaitNoneInFlight();
    assertThat(post("/v1/messages", key, "{\"model\":\"unreachable\",\"messages\":[]}").statusCode()).isEqualTo(502);
    awaitNoneInFlight();
    answerJson(1, 1);
    assertThat(post("/v1/messages", key, MESSAGE).statusCode()).as("the one slot is free again").isEqualTo(200);
  }

  @Test
  void aTeamsAndACustomersLimitsHoldAcrossKeys() throws Exception {
    String team = "team-" + UUID.randomUUID();
    DIRECTORY.put(Team.newBuilder().setTeamId(team).setTeamAlias("platform").setCreatedAt(Instant.EPOCH)
        .setRpmLimit(1L).build());
    answerJson(1, 1);
    assertThat(post("/v1/messages", key(null, null, null, team), MESSAGE).statusCode()).isEqualTo(200);
    HttpResponse<String> refused = post("/v1/messages", key(null, null, null, team), MESSAGE);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.body()).contains("rate limit type = team").contains("'platform'");

    String customer = "cust-" + UUID.randomUUID();
    DIRECTORY.put(Customer.newBuilder().setCustomerId(customer).setCreatedAt(Instant.EPOCH)
        .setRpmLimit(1L).build());
    assertThat(post("/v1/messages", key(null, null, null, null), MESSAGE, "x-litellm-customer-id", customer)
        .statusCode()).isEqualTo(200);
    HttpResponse<String> other = post("/v1/messages", key(null, null, null, null), MESSAGE,
        "x-litellm-customer-id", customer);
    assertThat(other.statusCode()).isEqualTo(429);
    assertThat(other.body()).contains("rate limit type = customer");
  }

  @Test
  void twoInstancesEachEnforcingTheirShareAdmitAtMostTheBoundWhateverTheBalancerDoes() throws Exception {
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %s, api_key: sk-ant-upstream}
        tollgate: {port: 0, host: 127.0.0.1, rate_limits: {instances: 2}}
        """.formatted(upstream.baseUrl());
    IngressConfig config = ConfigLoader.fromTree(new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of());
    GatewayServer a = new GatewayServer(vertx, config, PriceTable.bundled(), publisher,
        new GatewayMetrics(new PrometheusRegistry()), CLOCK, DIRECTORY);
    GatewayServer b = new GatewayServer(vertx, config, PriceTable.bundled(), publisher,
        new GatewayMetrics(new PrometheusRegistry()), CLOCK, DIRECTORY);
    try {
      int[] ports = {a.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS),
          b.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)};
      answerJson(1, 1);
      String roundRobin = key(5L, null, null, null);
      String pinned = key(5L, null, null, null);
      int admittedRoundRobin = 0;
      int admittedPinned = 0;
      for (int i = 0; i < 10; i++) {
        admittedRoundRobin += postTo(ports[i % 2], roundRobin) == 200 ? 1 : 0;
        admittedPinned += postTo(ports[0], pinned) == 200 ? 1 : 0;
      }
      assertThat(admittedRoundRobin).as("N * ceil(rpm / N) = rpm + N - 1").isEqualTo(6);
      assertThat(admittedPinned).as("a client on one instance gets that instance's share").isEqualTo(3);
    } finally {
      a.close();
      b.close();
    }
  }

  private static int postTo(int gatewayPort, String key) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/v1/messages"))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(MESSAGE)).header("x-api-key", key)
        .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** Upstream answers streams with their first events and then holds them open; the list fills as they arrive. */
  private static List<HttpServerResponse> holdStreams() {
    List<HttpServerResponse> held = new CopyOnWriteArrayList<>();
    upstream.answer(req -> {
      HttpServerResponse r = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      r.write(START);
      held.add(r);
    });
    return held;
  }

  /** A streaming call on a raw socket, returned once its first event arrived (the call is in flight). */
  private static Socket openStream(String key, String path, String body) throws Exception {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(15_000);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nhost: 127.0.0.1\r\nx-api-key: " + key
        + "\r\ncontent-type: application/json\r\ncontent-length: " + bytes.length + "\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().write(bytes);
    s.getOutputStream().flush();
    InputStream in = s.getInputStream();
    StringBuilder seen = new StringBuilder();
    while (!seen.toString().contains("data: {")) {
      int c = in.read();
      if (c < 0) {
        throw new AssertionError("the stream ended before its first event: " + seen);
      }
      seen.append((char) c);
    }
    return s;
  }

  private static String readToEnd(Socket s) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
        if (out.toString(StandardCharsets.UTF_8).endsWith("0\r\n\r\n")) {
          break; // the chunked answer's end; the connection stays open (keep-alive)
        }
      }
    } catch (java.net.SocketException cut) {
      // the gateway cut the connection, as it must when upstream did
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String scrape() {
    return io.tollgate.schemas.metrics.Prometheus.scrape(registry);
  }

  private static long inFlight() {
    return scrape().lines().filter(l -> l.startsWith("tollgate_rate_limit_in_flight "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
  }

  private static void awaitNoneInFlight() {
    await(() -> inFlight() == 0, "every parallel-request slot released");
  }

  /** Waits for a condition, failing the test after 15 s. */
  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what + " (in flight: " + inFlight() + ")");
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(10); // polling interval, not a stand-in for the condition
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
