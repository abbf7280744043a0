package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.local.mock.MockUsage;
import io.tollgate.schemas.UsageEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The gateway between a real HTTP client, the mock provider and the real embedded Kafka. */
@ExtendWith(KafkaExtension.class)
class GatewayIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final PriceTable PRICES = PriceTable.bundled();
  private static final String TEAM_KEY = "sk-team-" + UUID.randomUUID();
  private static MockProvider mock;
  private static Gateway gateway;
  private static UsageEvents events;
  private static final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> BLOCKED =
      new ch.qos.logback.core.read.ListAppender<>();
  private static final StarvationCanary CANARY = new StarvationCanary();

  @BeforeAll
  static void start(KafkaCluster kafka) throws Exception {
    mock = MockProvider.start(0);
    Path spill = Files.createTempDirectory("gateway-it-spill");
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %1$s, api_key: os.environ/MOCK_ANTHROPIC_KEY}
          - model_name: gpt-5
            litellm_params: {model: openai/gpt-5, api_base: %1$s, api_key: sk-provider-openai}
          - model_name: claude-max
            litellm_params: {model: anthropic/claude-opus-4-1, api_base: %1$s}
        model_group_settings:
          forward_client_headers_to_llm_api: [claude-max]
        general_settings:
          master_key: sk-master-123
          user_header_mappings: [{header_name: x-openwebui-user-email, litellm_user_role: customer}]
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: gw-it
          spill_dir: %2$s
          kafka: {bootstrap_servers: "%3$s"}
          keys: [{key: %4$s, alias: team-a, customer_id: team-a-default}]
        """.formatted(mock.baseUrl(), spill, kafka.bootstrapServers(), TEAM_KEY);
    JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    BLOCKED.start();
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(BLOCKED);
    // Any event-loop task over 100 ms is reported by Vert.x's blocked-thread checker; none may be
    // (unless the StarvationCanary shows the whole JVM was waiting for a core at the time).
    gateway = Gateway.start(ConfigLoader.fromTree(tree, Map.of("MOCK_ANTHROPIC_KEY", "sk-ant-provider")),
        new VertxOptions().setBlockedThreadCheckInterval(20).setMaxEventLoopExecuteTime(100)
            .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
            // A stack trace with every warning: the assertion then says what blocked the loop.
            .setWarningExceptionTime(100).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS));
    events = new UsageEvents(kafka);
  }

  @AfterAll
  static void stop() {
    events.close();
    gateway.close();
    mock.close();
    CANARY.close();
    // A warning during which the whole JVM waited for a core is the machine's, not the loop's.
    List<String> blocked = BLOCKED.list.stream().filter(e -> e.getFormattedMessage().contains("has been blocked for"))
        .filter(e -> !CANARY.starvedDuring(e.getTimeStamp() - blockedMs(e.getFormattedMessage()), e.getTimeStamp()))
        .map(e -> e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : "\n" + stack(e.getThrowableProxy())))
        .toList();
    assertThat(blocked).as("Vert.x blocked-thread warnings").isEmpty();
  }

  private static long blockedMs(String message) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("blocked for (\\d+) ms").matcher(message);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static String stack(ch.qos.logback.classic.spi.IThrowableProxy t) {
    StringBuilder sb = new StringBuilder();
    for (ch.qos.logback.classic.spi.StackTraceElementProxy el : t.getStackTraceElementProxyArray()) {
      sb.append("    ").append(el.getSTEAsString()).append('\n');
    }
    return sb.toString();
  }

  private static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String customer() {
    return "cust-" + UUID.randomUUID();
  }

  @Test
  void anthropicMessageIsProxiedAndMeteredExactly() throws Exception {
    String customer = customer();
    String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":30,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
        + "\"metadata\":{\"user_id\":\"{\\\"session_id\\\":\\\"sess-42\\\"}\"}}";
    HttpResponse<String> r = post("/v1/messages?beta=true", body, "x-api-key", TEAM_KEY,
        "x-litellm-customer-id", customer, "user-agent", "claude-cli/2.1.3 (external, cli)",
        "x-mock-usage", "cache_read=1000,cache_write_1h=200", "anthropic-beta", "prompt-caching-2024-07-31");
    assertThat(r.statusCode()).isEqualTo(200);
    MockUsage mu = MockUsage.forRequest(body.length(), 30L, "cache_read=1000,cache_write_1h=200");
    assertThat(JSON.readTree(r.body()).at("/usage/cache_read_input_tokens").asLong()).isEqualTo(1000);

    MockProvider.ReceivedRequest upstream = mock.lastRequest();
    assertThat(upstream.uri()).isEqualTo("/v1/messages?beta=true");
    assertThat(upstream.header("x-api-key")).isEqualTo("sk-ant-provider");
    assertThat(upstream.header("anthropic-beta")).isEqualTo("prompt-caching-2024-07-31");
    assertThat(upstream.header("anthropic-version")).isEqualTo("2023-06-01");
    assertThat(upstream.body()).as("body passes through unchanged").isEqualTo(body);

    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getCustomerSource()).isEqualTo("header_customer_id");
    assertThat(e.getKeyHash()).isEqualTo(KeyAuth.sha256(TEAM_KEY));
    assertThat(e.getKeyAlias()).isEqualTo("team-a");
    assertThat(e.getTool()).isEqualTo("claude-code");
    assertThat(e.getToolVersion()).isEqualTo("2.1.3");
    assertThat(e.getSessionId()).isEqualTo("sess-42");
    assertThat(e.getProvider()).isEqualTo("anthropic");
    assertThat(e.getApi()).isEqualTo("messages");
    assertThat(e.getStatusCode()).isEqualTo(200);
    assertThat(e.getStreamed()).isFalse();
    assertThat(e.getInputTokens()).isEqualTo(mu.input());
    assertThat(e.getOutputTokens()).isEqualTo(30);
    assertThat(e.getCacheReadTokens()).isEqualTo(1000);
    assertThat(e.getCacheWrite1hTokens()).isEqualTo(200);
    Usage usage = new Usage(mu.input(), 30, 1000, 0, 200, 0, null, null, true);
    assertThat(e.getCostNanos()).isEqualTo(PRICES.cost("claude-sonnet-4-5", usage).nanos()).isPositive();
    assertThat(e.getPriceKnown()).isTrue();
    assertThat(e.getUpstreamRequestId()).startsWith("req_");
    assertThat(e.getEventId()).hasSize(36);
    assertThat(e.toString()).doesNotContain(TEAM_KEY).doesNotContain("sk-ant-provider");
  }

  @Test
  void anthropicStreamIsRelayedAndItsUsageMetered() throws Exception {
    String customer = customer();
    String body = "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"max_tokens\":40,\"messages\":[]}";
    HttpResponse<String> r = post("/anthropic/v1/messages", body, "x-api-key", TEAM_KEY, "x-litellm-end-user-id", customer);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    assertThat(r.body()).contains("event: message_start").endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getCustomerSource()).isEqualTo("header_end_user_id");
    assertThat(e.getStreamed()).isTrue();
    assertThat(e.getInputTokens()).isEqualTo(body.length() / 4);
    assertThat(e.getOutputTokens()).isEqualTo(40);
    assertThat(e.getTtftMs()).isNotNull();
  }

  @Test
  void chatStreamGetsUsageInjectedAndTheUsageChunkIsHiddenFromTheClient() throws Exception {
    String customer = customer();
    String body = "{\"model\":\"gpt-5\",\"stream\":true,\"user\":\"" + customer + "\",\"messages\":[]}";
    HttpResponse<String> r = post("/v1/chat/completions", body, "authorization", "Bearer " + TEAM_KEY,
        "user-agent", "OpenAI/Python 1.109.1", "x-stainless-lang", "python");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("\"prompt_tokens\"").endsWith("data: [DONE]\n\n");
    MockProvider.ReceivedRequest upstream = mock.lastRequest();
    assertThat(JSON.readTree(upstream.body()).at("/stream_options/include_usage").asBoolean()).isTrue();
    assertThat(upstream.header("authorization")).isEqualTo("Bearer sk-provider-openai");
    assertThat(upstream.header("x-stainless-lang")).as("x-stainless-* never forwarded").isNull();

    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getCustomerSource()).isEqualTo("body_user");
    assertThat(e.getTool()).isEqualTo("openai-sdk-python");
    assertThat(e.getApi()).isEqualTo("chat_completions");
    assertThat(e.getInputTokens()).isEqualTo(upstream.body().length() / 4);
    assertThat(e.getOutputTokens()).isEqualTo(50);
  }

  @Test
  void responsesStreamAndKeyDefaultCustomer() throws Exception {
    String body = "{\"model\":\"gpt-5\",\"stream\":true,\"input\":\"" + UUID.randomUUID() + "\"}";
    HttpResponse<String> r = post("/v1/responses", body, "authorization", "Bearer " + TEAM_KEY,
        "user-agent", "codex_cli_rs/0.46.0 (Mac OS 15.6.1; arm64)", "x-mock-usage", "cache_read=500,reasoning=7");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("event: response.completed");
    UsageEvent e = events.one(ev -> "team-a-default".equals(ev.getCustomerId()) && "codex".equals(ev.getTool()));
    assertThat(e.getCustomerSource()).isEqualTo("key_default");
    assertThat(e.getInputTokens()).isEqualTo(body.length() / 4);
    assertThat(e.getCacheReadTokens()).isEqualTo(500);
    assertThat(e.getReasoningTokens()).isEqualTo(7);
  }

  @Test
  void everyCustomerSourceInLiteLlmsOrderFirstFoundWins() throws Exception {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    // Each row adds one lower-precedence source than the row before: the highest present must win.
    String[][] sources = {
        {"header_customer_id", "x-litellm-customer-id"},
        {"header_end_user_id", "x-litellm-end-user-id"},
        {"user_header_mapping", "x-openwebui-user-email"},
        {"body_user", "user"},
        {"body_litellm_metadata_user", "litellm_metadata"},
        {"body_metadata_user", "metadata"}};
    for (int winner = 0; winner < sources.length; winner++) {
      List<String> headers = new ArrayList<>(List.of("authorization", "Bearer " + TEAM_KEY));
      StringBuilder body = new StringBuilder("{\"model\":\"gpt-5\",\"messages\":[]");
      for (int i = winner; i < sources.length; i++) {
        String id = tag + "-" + winner + "-" + sources[i][0];
        switch (sources[i][1]) {
          case "user" -> body.append(",\"user\":\"").append(id).append('"');
          case "litellm_metadata", "metadata" -> body.append(",\"").append(sources[i][1]).append("\":{\"user\":\"")
              .append(id).append("\"}");
          default -> headers.addAll(List.of(sources[i][1], id));
        }
      }
      HttpResponse<String> r = post("/v1/chat/completions", body.append('}').toString(), headers.toArray(String[]::new));
      assertThat(r.statusCode()).isEqualTo(200);
      String expected = tag + "-" + winner + "-" + sources[winner][0];
      UsageEvent e = events.one(ev -> expected.equals(ev.getCustomerId()));
      assertThat(e.getCustomerSource()).isEqualTo(sources[winner][0]);
    }
    // None of them: the key's default customer.
    post("/v1/chat/completions", "{\"model\":\"gpt-5\",\"messages\":[],\"tag\":\"" + tag + "\"}",
        "authorization", "Bearer " + TEAM_KEY, "user-agent", "tag/" + tag);
    assertThat(events.one(ev -> ev.getUserAgent() != null && ev.getUserAgent().contains(tag)).getCustomerSource())
        .isEqualTo("key_default");
  }

  @Test
  void claudeMaxPassthroughSendsTheClientsAuthorizationNeverTheVirtualKey() throws Exception {
    String customer = customer();
    HttpResponse<String> r = post("/v1/messages", "{\"model\":\"claude-max\",\"max_tokens\":5,\"messages\":[]}",
        "x-litellm-api-key", TEAM_KEY, "authorization", "Bearer oauth-token-of-the-user",
        "x-litellm-customer-id", customer);
    assertThat(r.statusCode()).isEqualTo(200);
    MockProvider.ReceivedRequest upstream = mock.lastRequest();
    assertThat(upstream.header("authorization")).isEqualTo("Bearer oauth-token-of-the-user");
    assertThat(upstream.headers().toString()).doesNotContain(TEAM_KEY);
    assertThat(JSON.readTree(upstream.body()).path("model").asText()).isEqualTo("claude-opus-4-1");
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getModelRequested()).isEqualTo("claude-max");
    assertThat(e.getStatusCode()).isEqualTo(200);
    assertThat(e.getAborted()).isFalse();
    assertThat(e.getPriceKnown()).as("priced by the upstream model").isTrue();
  }

  @Test
  void badInputGetsErrorsInTheCallersShape() throws Exception {
    HttpResponse<String> noKey = post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\"}");
    assertThat(noKey.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(noKey.body()).at("/error/type").asText()).isEqualTo("authentication_error");
    assertThat(JSON.readTree(noKey.body()).path("type").asText()).isEqualTo("error");

    HttpResponse<String> wrongKey = post("/v1/chat/completions", "{}", "authorization", "Bearer sk-nope");
    assertThat(wrongKey.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(wrongKey.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
    assertThat(wrongKey.body()).doesNotContain("sk-nope");

    HttpResponse<String> badJson = post("/v1/messages", "{not json", "x-api-key", TEAM_KEY);
    assertThat(badJson.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badJson.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");

    HttpResponse<String> unknown = post("/v1/chat/completions", "{\"model\":\"llama-9000\"}", "authorization", "Bearer " + TEAM_KEY);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknown.body()).at("/error/code").asText()).isEqualTo("model_not_found");

    HttpResponse<String> noRoute = post("/v2/whatever", "{}", "x-api-key", TEAM_KEY);
    assertThat(noRoute.statusCode()).isEqualTo(404);
  }

  @Test
  void upstreamErrorsPassThroughAndAreRecorded() throws Exception {
    String customer = customer();
    HttpResponse<String> r = post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"messages\":[]}", "x-api-key", TEAM_KEY,
        "x-litellm-customer-id", customer, "x-mock-fail", "status:529");
    assertThat(r.statusCode()).as(r.body() + " " + r.headers().map()).isEqualTo(529);
    assertThat(r.body()).contains("overloaded_error");
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getStatusCode()).isEqualTo(529);
    assertThat(e.getErrorType()).isEqualTo("upstream_529");
    assertThat(e.getCostNanos()).isZero();
  }

  @Test
  void everyApiReachesTheClientByteForByteAsUpstreamSentIt() throws Exception {
    String[][] calls = {
        {"/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":9,\"messages\":[]}"},
        {"/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"messages\":[]}"},
        {"/v1/messages/count_tokens", "{\"model\":\"claude-sonnet-4-5\",\"messages\":[]}"},
        {"/v1/chat/completions", "{\"model\":\"gpt-5\",\"messages\":[]}"},
        {"/v1/chat/completions", "{\"model\":\"gpt-5\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"},
        {"/v1/responses", "{\"model\":\"gpt-5\",\"input\":\"x\"}"},
        {"/v1/responses", "{\"model\":\"gpt-5\",\"input\":\"x\",\"stream\":true}"},
        {"/v1/embeddings", "{\"model\":\"gpt-5\",\"input\":\"x\"}"},
    };
    for (String[] call : calls) {
      HttpResponse<String> r = post(call[0], call[1], "x-api-key", TEAM_KEY, "authorization", "Bearer " + TEAM_KEY);
      assertThat(r.statusCode()).as(call[0] + " " + call[1]).isEqualTo(200);
      assertThat(r.body()).as(call[0] + " " + call[1]).isEqualTo(mock.lastResponseBody());
    }
  }

  @Test
  void healthModelsAndMetrics() throws Exception {
    HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + gateway.port() + "/v1/models")).header("authorization", "Bearer " + TEAM_KEY)
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(models.body()).contains("claude-sonnet-4-5", "gpt-5");
    HttpResponse<String> noKey = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + gateway.port() + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(noKey.statusCode()).as("the model list needs a key, as in LiteLLM").isEqualTo(401);
    assertThat(JSON.readTree(noKey.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
    HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + gateway.port() + "/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);
    HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + gateway.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body()).contains("tollgate_requests_total");
  }
}
