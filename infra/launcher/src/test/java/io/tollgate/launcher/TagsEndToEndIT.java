package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.aggregator.AggregatorApp;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.mock.MockProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tags end to end with real components (embedded Kafka, the aggregator app writing a local
 * ClickHouse, the mock provider): a generated key with tags calls the gateway on the three API
 * shapes (Anthropic with {@code x-litellm-tags} and {@code metadata.tags}, OpenAI with
 * {@code litellm_metadata.tags}, Gemini as Gemini CLI) and once for a model nobody serves; each
 * call's row in {@code usage_events} carries exactly its merged tags, and {@code /spend/tags} sums them.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
class TagsEndToEndIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String MASTER = "sk-master-" + UUID.randomUUID();
  private static final String GEMINI_CLI = "GeminiCLI/0.61.0/gemini-2.5-pro (linux; x64; terminal)";

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void everyCallsTagsLandInClickHouseAndTheTagReport(KafkaCluster kafka, ClickHouseTestDatabase db,
      @TempDir Path dir) throws Exception {
    try (MockProvider mock = MockProvider.start(0);
         AggregatorApp aggregator = AggregatorApp.start(kafka.bootstrapServers(), "e2e-tags-" + UUID.randomUUID(),
             dir.resolve("streams"), db.client());
         Gateway gateway = gateway(mock, kafka, db, dir.resolve("spill"))) {
      HttpResponse<String> generated = call(gateway, "/key/generate", "{\"key_alias\": \"tagged\", \"tags\": [\"app:web\"]}",
          "authorization", "Bearer " + MASTER);
      assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
      String key = JSON.readTree(generated.body()).path("key").asText();
      String hash = KeyAuth.sha256(key);

      HttpResponse<String> anthropic = call(gateway, "/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"metadata\":{\"user_id\":\"u1\",\"tags\":[\"feature:chat\"]}}",
          "x-api-key", key, "x-litellm-tags", "env:prod, feature:chat");
      assertThat(anthropic.statusCode()).as(anthropic.body()).isEqualTo(200);
      HttpResponse<String> openai = call(gateway, "/v1/chat/completions", "{\"model\":\"gpt-5\","
          + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"litellm_metadata\":{\"tags\":[\"feature:search\"]}}",
          "authorization", "Bearer " + key);
      assertThat(openai.statusCode()).as(openai.body()).isEqualTo(200);
      HttpResponse<String> gemini = call(gateway, "/v1beta/models/gemini-2.5-pro:generateContent",
          "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}",
          "x-goog-api-key", key, "user-agent", GEMINI_CLI, "x-litellm-tags", "feature:cli");
      assertThat(gemini.statusCode()).as(gemini.body()).isEqualTo(200);
      HttpResponse<String> refused = call(gateway, "/v1/messages", "{\"model\":\"nobody-serves-this\",\"messages\":[]}",
          "x-api-key", key, "x-litellm-tags", "feature:chat");
      assertThat(refused.statusCode()).isEqualTo(404);

      Map<String, String> rows = new TreeMap<>();
      within(Duration.ofSeconds(60), "the key's 4 calls are in usage_events", () -> {
        rows.clear();
        db.client().query("SELECT api, tool, status_code, request_tags FROM usage_events FINAL WHERE key_hash = ?",
            List.of(hash), Duration.ofSeconds(10), 100).forEach(r -> rows.put(r.get("api") + " " + r.get("status_code")
            + " " + r.get("tool"), String.valueOf(r.get("request_tags"))));
        return rows.size() >= 4;
      });
      assertThat(rows).containsExactlyEntriesOf(new TreeMap<>(Map.of(
          "chat_completions 200 other", "[app:web, feature:search]",
          "generate_content 200 gemini-cli", "[app:web, feature:cli]",
          "messages 200 other", "[app:web, feature:chat, env:prod]",
          "messages 404 other", "[app:web, feature:chat]")));

      HttpResponse<String> report = call(gateway, "/spend/tags", null, "authorization", "Bearer " + MASTER);
      assertThat(report.statusCode()).as(report.body()).isEqualTo(200);
      Map<String, Long> counts = new TreeMap<>();
      JSON.readTree(report.body()).forEach(t -> counts.put(t.path("individual_request_tag").asText(),
          t.path("log_count").asLong()));
      assertThat(counts).containsExactlyEntriesOf(new TreeMap<>(Map.of("app:web", 4L, "env:prod", 1L,
          "feature:chat", 2L, "feature:cli", 1L, "feature:search", 1L)));
    }
  }

  private static Gateway gateway(MockProvider mock, KafkaCluster kafka, ClickHouseTestDatabase db, Path spill)
      throws Exception {
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %1$s, api_key: sk-ant-provider}
          - model_name: gpt-5
            litellm_params: {model: openai/gpt-5, api_base: %1$s, api_key: sk-oai-provider}
          - model_name: gemini-2.5-pro
            litellm_params: {model: gemini/gemini-2.5-pro, api_base: %1$s, api_key: AIza-provider}
        general_settings: {master_key: %2$s}
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: gw-tags
          spill_dir: %3$s
          kafka: {bootstrap_servers: "%4$s"}
          clickhouse: {url: "%5$s", database: %6$s}
        """.formatted(mock.baseUrl(), MASTER, spill, kafka.bootstrapServers(), db.settings().url(), db.database());
    return YamlGateway.start(yaml, spill);
  }

  private static HttpResponse<String> call(Gateway gw, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + path))
        .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
        .method(body == null ? "GET" : "POST", body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Polls {@code condition}; fails the test at the timeout. */
  private static void within(Duration timeout, String what, Supplier<Boolean> condition) throws Exception {
    long start = System.nanoTime();
    while (!condition.get()) {
      if (System.nanoTime() - start > timeout.toNanos()) {
        throw new AssertionError(what + " did not happen within " + timeout);
      }
      Thread.sleep(100); // polling interval of the wait, bounded by the timeout above
    }
  }
}
