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
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gemini API calls in the shapes the Google GenAI SDK and Gemini CLI send (JSON, SSE with
 * {@code alt=sse}, the JSON-array stream) through the gateway to the mock's Gemini upstream and
 * into the real embedded Kafka: exact cost in each event, the gateway key never upstream (neither
 * header nor {@code ?key=}), the configured key always, errors in Google's shape.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(180)
class GeminiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final PriceTable PRICES = PriceTable.bundled();
  private static final String KEY = "sk-gemini-team-" + UUID.randomUUID();
  private static final String PROVIDER_KEY = "AIza-provider-" + UUID.randomUUID();
  private static final String CLI_UA = "GeminiCLI/0.61.0/gemini-2.5-pro (linux; x64; terminal)";
  private static final String PROMPT = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Summarize README.md\"}]}],"
      + "\"systemInstruction\":{\"role\":\"user\",\"parts\":[{\"text\":\"You are an interactive CLI agent.\"}]},"
      + "\"generationConfig\":{\"temperature\":0,\"topP\":1,\"maxOutputTokens\":60,"
      + "\"thinkingConfig\":{\"includeThoughts\":true}},\"tools\":[{\"functionDeclarations\":[{\"name\":\"read_file\","
      + "\"parameters\":{\"type\":\"OBJECT\",\"properties\":{\"path\":{\"type\":\"STRING\"}}}}]}]}";
  private static MockProvider mock;
  private static Gateway gateway;
  private static UsageEvents events;

  @BeforeAll
  static void start(KafkaCluster kafka) throws Exception {
    mock = MockProvider.start(0);
    Path spill = Files.createTempDirectory("gemini-it-spill");
    String yaml = """
        model_list:
          - model_name: gemini-2.5-pro
            litellm_params: {model: gemini/gemini-2.5-pro, api_base: %1$s, api_key: os.environ/GEMINI_PROVIDER_KEY}
          - model_name: "gemini-*"
            litellm_params: {model: "gemini/gemini-*", api_base: "%1$s/v1beta", api_key: os.environ/GEMINI_PROVIDER_KEY}
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %1$s, api_key: sk-ant-provider}
        general_settings:
          master_key: sk-master-gemini
          forward_client_headers_to_llm_api: true   # the mock is steered by x-mock-* headers
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: gw-gemini-it
          spill_dir: %2$s
          kafka: {bootstrap_servers: "%3$s"}
          keys: [{key: %4$s, alias: gemini-team}]
        """.formatted(mock.baseUrl(), spill, kafka.bootstrapServers(), KEY);
    JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    gateway = Gateway.start(ConfigLoader.fromTree(tree, Map.of("GEMINI_PROVIDER_KEY", PROVIDER_KEY)));
    events = new UsageEvents(kafka);
  }

  @AfterAll
  static void stop() {
    events.close();
    gateway.close();
    mock.close();
  }

  private static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("content-type", "application/json");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String customer() {
    return "cust-" + UUID.randomUUID();
  }

  /** The request upstream got carries the configured key, and the gateway key nowhere. */
  private static MockProvider.ReceivedRequest upstreamWithProviderKey() {
    MockProvider.ReceivedRequest upstream = mock.lastRequest();
    assertThat(upstream.header("x-goog-api-key")).isEqualTo(PROVIDER_KEY);
    assertThat(upstream.uri()).doesNotContain(KEY).doesNotContain("key=");
    assertThat(upstream.headers().toString()).doesNotContain(KEY);
    assertThat(upstream.header("authorization")).isNull();
    return upstream;
  }

  @Test
  void generateContentIsRelayedAndMeteredExactly() throws Exception {
    String customer = customer();
    HttpResponse<String> r = post("/v1beta/models/gemini-2.5-pro:generateContent", PROMPT, "x-goog-api-key", KEY,
        "user-agent", CLI_UA, "x-litellm-customer-id", customer, "x-goog-api-client", "google-genai-sdk/1.30.0 gl-node/v22",
        "x-mock-usage", "cache_read=1000,reasoning=20");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(mock.lastResponseBody());
    assertThat(JSON.readTree(r.body()).at("/usageMetadata/cachedContentTokenCount").asLong()).isEqualTo(1000);

    MockProvider.ReceivedRequest upstream = upstreamWithProviderKey();
    assertThat(upstream.uri()).isEqualTo("/v1beta/models/gemini-2.5-pro:generateContent");
    assertThat(upstream.body()).as("body passes through unchanged").isEqualTo(PROMPT);
    MockUsage mu = MockUsage.forRequest(PROMPT.length(), 60L, "cache_read=1000,reasoning=20");

    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getProvider()).isEqualTo("gemini");
    assertThat(e.getApi()).isEqualTo("generate_content");
    assertThat(e.getModelRequested()).isEqualTo("gemini-2.5-pro");
    assertThat(e.getModel()).isEqualTo("gemini-2.5-pro");
    assertThat(e.getKeyHash()).isEqualTo(KeyAuth.sha256(KEY));
    assertThat(e.getKeyAlias()).isEqualTo("gemini-team");
    assertThat(e.getTool()).isEqualTo("gemini-cli");
    assertThat(e.getToolVersion()).isEqualTo("0.61.0");
    assertThat(e.getStreamed()).isFalse();
    assertThat(e.getInputTokens()).isEqualTo(mu.input());
    assertThat(e.getCacheReadTokens()).isEqualTo(1000);
    assertThat(e.getOutputTokens()).isEqualTo(50);
    assertThat(e.getReasoningTokens()).isEqualTo(20);
    assertThat(e.getUsageSource()).isEqualTo("response");
    Usage usage = new Usage(mu.input(), 50, 1000, 0, 0, 20, null, null, true);
    long expected = PRICES.cost("gemini/gemini-2.5-pro", usage).nanos();
    // $1.25/M uncached input, $0.125/M cached, $10/M output (thoughts included)
    assertThat(expected).isEqualTo(mu.input() * 1_250 + 1000 * 125 + 50 * 10_000);
    assertThat(e.getCostNanos()).isEqualTo(expected);
    assertThat(e.getPriceKnown()).isTrue();
    assertThat(e.toString()).doesNotContain(KEY).doesNotContain(PROVIDER_KEY);
  }

  @Test
  void sseStreamWithTheKeyInTheQueryTakesTheLastChunksUsage() throws Exception {
    String customer = customer();
    HttpResponse<String> r = post("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=" + KEY, PROMPT,
        "user-agent", CLI_UA, "x-litellm-customer-id", customer, "x-mock-usage", "reasoning=30");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    assertThat(r.body()).isEqualTo(mock.lastResponseBody()).startsWith("data: {").endsWith("\r\n\r\n");

    MockProvider.ReceivedRequest upstream = upstreamWithProviderKey();
    // the wildcard's api_base ends in /v1beta: kept once; the caller's key is gone from the query
    assertThat(upstream.uri()).isEqualTo("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    MockUsage mu = MockUsage.forRequest(PROMPT.length(), 60L, "reasoning=30");

    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getApi()).isEqualTo("stream_generate_content");
    assertThat(e.getModelGroup()).isEqualTo("gemini-*");
    assertThat(e.getStreamed()).isTrue();
    assertThat(e.getUsageSource()).isEqualTo("stream");
    assertThat(e.getInputTokens()).isEqualTo(mu.input());
    assertThat(e.getOutputTokens()).as("the last chunk's total, not a sum of chunks").isEqualTo(50);
    assertThat(e.getReasoningTokens()).isEqualTo(30);
    assertThat(e.getTtftMs()).isNotNull();
    Usage usage = new Usage(mu.input(), 50, 0, 0, 0, 30, null, null, true);
    assertThat(e.getCostNanos()).isEqualTo(PRICES.cost("gemini/gemini-2.5-flash", usage).nanos())
        .isEqualTo(mu.input() * 300 + 50 * 2_500);
  }

  @Test
  void jsonArrayStreamWithABearerKeyIsMeteredFromItsLastElement() throws Exception {
    String customer = customer();
    HttpResponse<String> r = post("/models/gemini-2.0-flash:streamGenerateContent", PROMPT,
        "authorization", "Bearer " + KEY, "x-litellm-customer-id", customer, "x-mock-usage", "cache_read=64");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(mock.lastResponseBody()).startsWith("[{").endsWith("}\n]");
    assertThat(JSON.readTree(r.body()).isArray()).isTrue();
    MockProvider.ReceivedRequest upstream = upstreamWithProviderKey();
    assertThat(upstream.uri()).isEqualTo("/v1beta/models/gemini-2.0-flash:streamGenerateContent");
    MockUsage mu = MockUsage.forRequest(PROMPT.length(), 60L, "cache_read=64");

    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getStreamed()).isTrue();
    assertThat(e.getUsageSource()).isEqualTo("stream");
    assertThat(e.getInputTokens()).isEqualTo(mu.input());
    assertThat(e.getCacheReadTokens()).isEqualTo(64);
    assertThat(e.getOutputTokens()).isEqualTo(50);
    Usage usage = new Usage(mu.input(), 50, 64, 0, 0, 0, null, null, true);
    assertThat(e.getCostNanos()).isEqualTo(PRICES.cost("gemini/gemini-2.0-flash", usage).nanos())
        .isEqualTo(mu.input() * 100 + 64 * 25 + 50 * 400);
  }

  @Test
  void countTokensIsFreeAndEmbedContentIsRelayed() throws Exception {
    String customer = customer();
    HttpResponse<String> count = post("/gemini/v1beta/models/gemini-2.5-pro:countTokens?key=" + KEY, PROMPT,
        "x-litellm-customer-id", customer);
    assertThat(count.statusCode()).as(count.body()).isEqualTo(200);
    assertThat(JSON.readTree(count.body()).path("totalTokens").asLong()).isPositive();
    upstreamWithProviderKey();
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getApi()).isEqualTo("gemini_count_tokens");
    assertThat(e.getCostNanos()).isZero();
    assertThat(e.getUsageSource()).isEqualTo("response");

    HttpResponse<String> embed = post("/v1beta/models/gemini-embedding-001:embedContent",
        "{\"content\":{\"parts\":[{\"text\":\"hello\"}]}}", "x-goog-api-key", KEY);
    assertThat(embed.statusCode()).as(embed.body()).isEqualTo(200);
    assertThat(JSON.readTree(embed.body()).at("/embedding/values").size()).isEqualTo(3);
    assertThat(upstreamWithProviderKey().uri()).isEqualTo("/v1beta/models/gemini-embedding-001:embedContent");
  }

  @Test
  void errorsAreInGooglesShapeAndNeverEchoAKey() throws Exception {
    HttpResponse<String> unknown = post("/v1beta/models/llama-9000:generateContent", PROMPT, "x-goog-api-key", KEY);
    assertThat(unknown.statusCode()).isEqualTo(404);
    JsonNode error = JSON.readTree(unknown.body()).path("error");
    assertThat(error.path("code").asInt()).isEqualTo(404);
    assertThat(error.path("status").asText()).isEqualTo("NOT_FOUND");
    assertThat(error.path("message").asText()).contains("llama-9000");

    String tooLong = "gemini-" + "x".repeat(Admission.MAX_ROUTABLE_MODEL + 100);
    HttpResponse<String> longName = post("/v1beta/models/" + tooLong + ":generateContent", PROMPT, "x-goog-api-key", KEY);
    assertThat(longName.statusCode()).isEqualTo(404);
    assertThat(longName.body().length()).as("the name is shown capped").isLessThan(600);

    HttpResponse<String> noKey = post("/v1beta/models/gemini-2.5-pro:generateContent", PROMPT);
    assertThat(noKey.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(noKey.body()).at("/error/status").asText()).isEqualTo("UNAUTHENTICATED");

    HttpResponse<String> wrongKey = post("/v1beta/models/gemini-2.5-pro:generateContent?key=sk-wrong-123", PROMPT);
    assertThat(wrongKey.statusCode()).isEqualTo(401);
    assertThat(wrongKey.body()).doesNotContain("sk-wrong-123");

    HttpResponse<String> badJson = post("/v1beta/models/gemini-2.5-pro:generateContent", "{not json",
        "x-goog-api-key", KEY);
    assertThat(badJson.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badJson.body()).at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");

    HttpResponse<String> noMethod = post("/v1beta/models/gemini-2.5-pro:predict", PROMPT, "x-goog-api-key", KEY);
    assertThat(noMethod.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(noMethod.body()).at("/error/status").asText()).isEqualTo("NOT_FOUND");

    HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
        + "/v1beta/models/gemini-2.5-pro:generateContent")).header("x-goog-api-key", KEY).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(JSON.readTree(get.body()).at("/error/code").asInt()).isEqualTo(405);
  }

  @Test
  void upstreamErrorsPassThroughAndAreRecorded() throws Exception {
    String customer = customer();
    HttpResponse<String> r = post("/v1beta/models/gemini-2.5-pro:generateContent", PROMPT, "x-goog-api-key", KEY,
        "x-litellm-customer-id", customer, "x-mock-fail", "status:429");
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(r.body()).at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getStatusCode()).isEqualTo(429);
    assertThat(e.getErrorType()).isEqualTo("upstream_429");
    assertThat(e.getCostNanos()).isZero();
  }
}
