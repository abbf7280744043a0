package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.UsageEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What reaches the provider, seen by a capturing fake upstream behind two real gateways: one with
 * LiteLLM's defaults, one with {@code forward_client_headers_to_llm_api} and
 * {@code forward_llm_provider_auth_headers} on. Gateway keys must never get there, client headers
 * only as LiteLLM forwards them.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class GatewaySecurityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String MASTER = "sk-master-" + UUID.randomUUID();
  private static final String TEAM = "sk-team-" + UUID.randomUUID();
  private static final String OAUTH = "Bearer sk-ant-oat01-" + UUID.randomUUID();
  private static final AtomicReference<Received> LAST = new AtomicReference<>();
  private static HttpServer upstream;
  private static Gateway plain;
  private static Gateway forwarding;
  private static UsageEvents events;

  /** One request as the fake provider got it (header names lower-case). */
  record Received(String path, Map<String, List<String>> headers, String body) {
    String header(String name) {
      List<String> v = headers.get(name);
      return v == null ? null : String.join(",", v);
    }

    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  @BeforeAll
  static void start(KafkaCluster kafka) throws Exception {
    byte[] message = payload("anthropic-message.json");
    byte[] chat = payload("openai-chat.json");
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext("/", ex -> {
      Map<String, List<String>> headers = new TreeMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
      LAST.set(new Received(ex.getRequestURI().getPath(), headers,
          new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      String path = ex.getRequestURI().getPath();
      byte[] answer = path.endsWith("/messages") ? message : path.endsWith("/chat/completions") ? chat : null;
      ex.getResponseHeaders().set("content-type", "application/json");
      if (answer == null) {
        answer = "{\"error\":{\"message\":\"no such path\"}}".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(404, answer.length);
      } else {
        ex.sendResponseHeaders(200, answer.length);
      }
      ex.getResponseBody().write(answer);
      ex.close();
    });
    upstream.start();
    String base = "http://127.0.0.1:" + upstream.getAddress().getPort();
    plain = gateway(kafka, base, "gw-sec-plain", "");
    forwarding = gateway(kafka, base, "gw-sec-fwd", """
        litellm_settings: {forward_llm_provider_auth_headers: true}
        """ + "general_settings: {master_key: " + MASTER + ", forward_client_headers_to_llm_api: true}\n");
    events = new UsageEvents(kafka);
  }

  private static Gateway gateway(KafkaCluster kafka, String base, String id, String settings) throws Exception {
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %1$s, api_key: sk-ant-provider}
          - model_name: gpt-5
            litellm_params: {model: openai/gpt-5, api_base: %1$s, api_key: sk-openai-provider}
          - model_name: "claude-*"
            litellm_params: {model: "anthropic/claude-*", api_base: %1$s, api_key: sk-ant-provider}
          - model_name: "oai-*"
            litellm_params: {model: "openai/*", api_base: %1$s, api_key: sk-openai-provider}
          - model_name: gemini-flash
            litellm_params: {model: openai/gemini-2.5-flash, api_base: %1$s/v1beta/openai, api_key: g-provider}
        %5$s
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: %2$s
          spill_dir: %3$s
          kafka: {bootstrap_servers: "%4$s"}
          keys: [{key: %6$s, alias: team-a}]
        """.formatted(base, id, Files.createTempDirectory(id), kafka.bootstrapServers(),
        settings.isEmpty() ? "general_settings: {master_key: " + MASTER + "}" : settings, TEAM);
    JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    return Gateway.start(ConfigLoader.fromTree(tree, Map.of()));
  }

  private static byte[] payload(String name) throws IOException {
    try (InputStream in = GatewaySecurityIT.class.getResourceAsStream("/payloads/" + name)) {
      return in.readAllBytes();
    }
  }

  @AfterAll
  static void stop() {
    events.close();
    plain.close();
    forwarding.close();
    upstream.stop(0);
  }

  private static HttpResponse<String> post(Gateway gw, String path, String body, String... headers) throws Exception {
    LAST.set(null);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + path))
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static final String MESSAGE = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,\"messages\":[]}";
  private static final String CHAT = "{\"model\":\"gpt-5\",\"messages\":[]}";

  @Test
  void theMasterKeyNeverReachesTheProviderWithForwardingOn() throws Exception {
    for (String[] call : new String[][] {{"/v1/messages", MESSAGE}, {"/v1/chat/completions", CHAT}}) {
      HttpResponse<String> r = post(forwarding, call[0], call[1], "x-litellm-api-key", MASTER,
          "authorization", "Bearer " + MASTER, "x-copy", MASTER);
      assertThat(r.statusCode()).as(call[0]).isEqualTo(200);
      Received got = LAST.get();
      assertThat(got.headers().toString()).as(call[0]).doesNotContain(MASTER);
    }
    assertThat(LAST.get().header("authorization")).isEqualTo("Bearer sk-openai-provider");
    post(forwarding, "/v1/chat/completions", CHAT, "x-litellm-api-key", TEAM, "authorization", "Bearer sk-someone-elses");
    assertThat(LAST.get().header("authorization")).as("a client Authorization never replaces the OpenAI key")
        .isEqualTo("Bearer sk-openai-provider");
  }

  @Test
  void clientHeadersDoNotLeakUpstreamByDefault() throws Exception {
    String[] leaky = {"x-api-key", TEAM, "x-forwarded-for", "10.9.8.7", "x-real-ip", "10.9.8.7",
        "x-goog-api-key", "g-secret", "x-amz-security-token", "aws-secret", "x-anything", "a",
        "anthropic-dangerous-direct-browser-access", "true", "anthropic-beta", "prompt-caching-2024-07-31",
        "x-litellm-customer-id", "c-leak", "x-stainless-lang", "js"};
    assertThat(post(plain, "/v1/messages", MESSAGE, leaky).statusCode()).isEqualTo(200);
    Received got = LAST.get();
    assertThat(got.headers().keySet()).doesNotContain("x-forwarded-for", "x-real-ip", "x-goog-api-key",
        "x-amz-security-token", "x-anything", "anthropic-dangerous-direct-browser-access", "x-litellm-customer-id",
        "x-stainless-lang");
    assertThat(got.header("anthropic-beta")).isEqualTo("prompt-caching-2024-07-31");
    assertThat(got.header("x-api-key")).isEqualTo("sk-ant-provider");

    assertThat(post(forwarding, "/v1/messages", MESSAGE, leaky).statusCode()).isEqualTo(200);
    got = LAST.get();
    assertThat(got.header("x-anything")).as("forward_client_headers_to_llm_api widens to x-*").isEqualTo("a");
    assertThat(got.headers().keySet()).doesNotContain("x-goog-api-key", "x-amz-security-token", "x-litellm-customer-id",
        "x-stainless-lang");
    assertThat(got.headers().toString()).doesNotContain(TEAM);
  }

  @Test
  void theClaudeMaxRecipeAuthenticatesAndSendsTheOauthToken() throws Exception {
    // The guide's exact header: ANTHROPIC_CUSTOM_HEADERS="x-litellm-api-key: Bearer sk-…".
    HttpResponse<String> r = post(plain, "/v1/messages", MESSAGE, "x-litellm-api-key", "Bearer " + TEAM,
        "authorization", OAUTH);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Received got = LAST.get();
    assertThat(got.header("authorization")).isEqualTo(OAUTH);
    assertThat(got.header("x-api-key")).as("no provider key beside the OAuth token").isNull();
    assertThat(got.header("anthropic-beta")).contains("oauth-2025-04-20");
    assertThat(got.headers().toString()).doesNotContain(TEAM);

    // Claude Code logged in to Claude Max, the gateway key in x-api-key (ANTHROPIC_API_KEY).
    r = post(plain, "/v1/messages", MESSAGE, "x-api-key", TEAM, "authorization", OAUTH);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(LAST.get().header("authorization")).isEqualTo(OAUTH);
    assertThat(LAST.get().headers().toString()).doesNotContain(TEAM);

    assertThat(post(plain, "/v1/messages", MESSAGE, "x-api-key", "sk-unknown", "authorization", OAUTH).statusCode())
        .isEqualTo(401);
  }

  @Test
  void byokSendsTheClientsOwnProviderKey() throws Exception {
    post(forwarding, "/v1/messages", MESSAGE, "authorization", "Bearer " + TEAM, "x-api-key", "sk-ant-own-key");
    assertThat(LAST.get().header("x-api-key")).isEqualTo("sk-ant-own-key");
    assertThat(LAST.get().headers().toString()).doesNotContain(TEAM);
    post(forwarding, "/v1/chat/completions", CHAT, "x-litellm-api-key", TEAM, "x-api-key", "sk-own-openai");
    assertThat(LAST.get().header("authorization")).isEqualTo("Bearer sk-own-openai");
    post(plain, "/v1/messages", MESSAGE, "authorization", "Bearer " + TEAM, "x-api-key", "sk-ant-own-key");
    assertThat(LAST.get().header("x-api-key")).as("only when configured").isEqualTo("sk-ant-provider");
  }

  @Test
  void customerFromMetadataUserIdAndSafetyIdentifierAndGatewayFieldsStayHome() throws Exception {
    String a = "cust-" + UUID.randomUUID();
    String body = "{\"model\":\"claude-sonnet-4-5\",\"messages\":[],\"metadata\":{\"user_id\":\"" + a + "\"},"
        + "\"litellm_metadata\":{\"tags\":[\"x\"]}}";
    assertThat(post(plain, "/v1/messages", body, "x-api-key", TEAM).statusCode()).isEqualTo(200);
    JsonNode sent = LAST.get().json();
    assertThat(sent.has("litellm_metadata")).as("a gateway-only field").isFalse();
    assertThat(sent.at("/metadata/user_id").asText()).isEqualTo(a);
    assertThat(events.one(e -> a.equals(e.getCustomerId())).getCustomerSource()).isEqualTo("body_metadata_user_id");

    String b = "cust-" + UUID.randomUUID();
    assertThat(post(plain, "/v1/chat/completions", "{\"model\":\"gpt-5\",\"messages\":[],\"safety_identifier\":\"" + b + "\"}",
        "authorization", "Bearer " + TEAM).statusCode()).isEqualTo(200);
    assertThat(events.one(e -> b.equals(e.getCustomerId())).getCustomerSource()).isEqualTo("body_safety_identifier");

    String session = UUID.randomUUID().toString();
    String claudeCode = "{\"model\":\"claude-sonnet-4-5\",\"messages\":[],\"metadata\":{\"user_id\":"
        + JSON.writeValueAsString("{\"device_id\":\"d\",\"session_id\":\"" + session + "\"}") + "}}";
    assertThat(post(plain, "/v1/messages", claudeCode, "x-api-key", TEAM).statusCode()).isEqualTo(200);
    assertThat(LAST.get().body()).as("nothing to change: the client's bytes").isEqualTo(claudeCode);
    UsageEvent e = events.one(ev -> session.equals(ev.getSessionId()));
    assertThat(e.getCustomerSource()).isEqualTo("none");
  }

  @Test
  void wildcardsSubstituteWhatTheyMatched() throws Exception {
    post(plain, "/v1/messages", "{\"model\":\"claude-opus-4-1\",\"messages\":[]}", "x-api-key", TEAM);
    assertThat(LAST.get().json().path("model").asText()).isEqualTo("claude-opus-4-1");
    post(plain, "/v1/chat/completions", "{\"model\":\"oai-gpt-4o\",\"messages\":[]}", "x-api-key", TEAM);
    assertThat(LAST.get().json().path("model").asText()).isEqualTo("gpt-4o");
  }

  @Test
  void anApiBaseWithItsOwnVersionPathIsTheApiRoot() throws Exception {
    HttpResponse<String> r = post(plain, "/v1/chat/completions", "{\"model\":\"gemini-flash\",\"messages\":[]}",
        "authorization", "Bearer " + TEAM);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(LAST.get().path()).isEqualTo("/v1beta/openai/chat/completions");
    assertThat(LAST.get().header("authorization")).isEqualTo("Bearer g-provider");
  }

  @Test
  void modelsListsNoWildcardPatterns() throws Exception {
    HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plain.port() + "/v1/models"))
        .header("authorization", "Bearer " + TEAM).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(models.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(models.body()).findValuesAsText("id")).containsExactlyInAnyOrder("claude-sonnet-4-5", "gpt-5",
        "gemini-flash");
  }
}
