package io.tollgate.local.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.local.kafka.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The mock upstream over real HTTP: payload shapes, exact usage, failures. */
class MockProviderIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MockProvider mock;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    mock = MockProvider.start(0);
  }

  @AfterAll
  static void stop() {
    int port = mock.port();
    mock.close();
    assertThat(FreePorts.inUse(port)).as("port freed").isFalse();
  }

  @BeforeEach
  void reset() {
    mock.reset();
  }

  private static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(mock.baseUrl() + path))
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("content-type", "application/json");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String[]> events(String sse) {
    List<String[]> out = new ArrayList<>();
    for (String block : sse.split("\n\n")) {
      String event = null;
      String data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      if (data != null) {
        out.add(new String[] {event, data});
      }
    }
    return out;
  }

  @Test
  void anthropicMessagesReportTheDerivedUsage() throws Exception {
    String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    HttpResponse<String> r = post("/v1/messages?beta=true", body, "x-mock-usage", "cache_read=30,cache_write_5m=5,cache_write_1h=7");
    MockUsage expected = MockUsage.forRequest(body.length(), 20L, "cache_read=30,cache_write_5m=5,cache_write_1h=7");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("request-id")).isPresent();
    JsonNode msg = JSON.readTree(r.body());
    assertThat(msg.path("id").asText()).startsWith("msg_");
    assertThat(msg.path("model").asText()).isEqualTo("claude-sonnet-4-5");
    JsonNode u = msg.path("usage");
    assertThat(u.path("input_tokens").asLong()).isEqualTo(expected.input());
    assertThat(u.path("output_tokens").asLong()).isEqualTo(20);
    assertThat(u.path("cache_read_input_tokens").asLong()).isEqualTo(30);
    assertThat(u.path("cache_creation_input_tokens").asLong()).isEqualTo(12);
    assertThat(u.path("cache_creation").path("ephemeral_1h_input_tokens").asLong()).isEqualTo(7);
    assertThat(mock.lastRequest().uri()).isEqualTo("/v1/messages?beta=true");
    assertThat(mock.lastRequest().header("X-Mock-Usage")).isNotNull();
  }

  @Test
  void anthropicStreamFollowsTheRealEventOrder() throws Exception {
    String body = "{\"model\":\"claude-haiku-4-5\",\"stream\":true,\"max_tokens\":1000,\"messages\":[]}";
    HttpResponse<String> r = post("/v1/messages", body);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
    List<String[]> events = events(r.body());
    List<String> names = events.stream().map(e -> e[0]).toList();
    assertThat(names.get(0)).isEqualTo("message_start");
    assertThat(names).containsSubsequence("message_start", "content_block_start", "content_block_delta",
        "content_block_stop", "message_delta", "message_stop");
    assertThat(names).contains("ping").endsWith("message_stop");
    JsonNode start = JSON.readTree(events.get(0)[1]);
    assertThat(start.at("/message/usage/input_tokens").asLong()).isEqualTo(body.length() / 4);
    JsonNode delta = JSON.readTree(events.get(names.indexOf("message_delta"))[1]);
    assertThat(delta.at("/usage/output_tokens").asLong()).isEqualTo(50);
  }

  @Test
  void openAiChatCountsCachedTokensInsidePromptTokens() throws Exception {
    String body = "{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
    HttpResponse<String> r = post("/v1/chat/completions", body, "x-mock-usage", "cache_read=64,reasoning=10");
    JsonNode u = JSON.readTree(r.body()).path("usage");
    long input = body.length() / 4;
    assertThat(r.headers().firstValue("x-request-id")).isPresent();
    assertThat(u.path("prompt_tokens").asLong()).isEqualTo(input + 64);
    assertThat(u.at("/prompt_tokens_details/cached_tokens").asLong()).isEqualTo(64);
    assertThat(u.path("completion_tokens").asLong()).isEqualTo(50);
    assertThat(u.at("/completion_tokens_details/reasoning_tokens").asLong()).isEqualTo(10);
  }

  @Test
  void chatStreamsCarryUsageOnlyWhenAskedFor() throws Exception {
    String without = "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[]}";
    List<String[]> plain = events(post("/v1/chat/completions", without).body());
    assertThat(plain.get(plain.size() - 1)[1]).isEqualTo("[DONE]");
    assertThat(plain).noneSatisfy(e -> assertThat(e[1]).contains("\"prompt_tokens\""));

    String with = "{\"model\":\"gpt-4o\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[]}";
    List<String[]> withUsage = events(post("/chat/completions", with).body());
    JsonNode last = JSON.readTree(withUsage.get(withUsage.size() - 2)[1]);
    assertThat(last.path("choices")).isEmpty();
    assertThat(last.at("/usage/prompt_tokens").asLong()).isEqualTo(with.length() / 4);
    assertThat(withUsage.get(withUsage.size() - 1)[1]).isEqualTo("[DONE]");
  }

  @Test
  void responsesApiReportsUsageInTheCompletedEvent() throws Exception {
    String body = "{\"model\":\"gpt-5-codex\",\"input\":\"write a test\",\"max_output_tokens\":7}";
    JsonNode r = JSON.readTree(post("/v1/responses", body).body());
    assertThat(r.path("id").asText()).startsWith("resp_");
    assertThat(r.at("/usage/output_tokens").asLong()).isEqualTo(7);

    String streamBody = "{\"model\":\"gpt-5-codex\",\"input\":\"write a test\",\"stream\":true}";
    List<String[]> events = events(post("/v1/responses", streamBody, "x-mock-usage", "cache_read=100,reasoning=20").body());
    assertThat(events.get(0)[0]).isEqualTo("response.created");
    String[] completed = events.get(events.size() - 1);
    assertThat(completed[0]).isEqualTo("response.completed");
    JsonNode usage = JSON.readTree(completed[1]).at("/response/usage");
    assertThat(usage.path("input_tokens").asLong()).isEqualTo(streamBody.length() / 4 + 100);
    assertThat(usage.at("/input_tokens_details/cached_tokens").asLong()).isEqualTo(100);
    assertThat(usage.at("/output_tokens_details/reasoning_tokens").asLong()).isEqualTo(20);
  }

  @Test
  void embeddingsCountTokensAndModelsList() throws Exception {
    String body = "{\"model\":\"text-embedding-3-small\",\"input\":\"abc\"}";
    assertThat(JSON.readTree(post("/v1/embeddings", body).body()).at("/usage/prompt_tokens").asLong())
        .isEqualTo(body.length() / 4);
    assertThat(JSON.readTree(post("/v1/messages/count_tokens", "{\"model\":\"claude-sonnet-4-5\",\"messages\":[]}").body())
        .path("input_tokens").asLong()).isPositive();
    HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/v1/models")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(models.body()).contains("gpt-5");
  }

  @Test
  void statusFailuresUseEachProvidersErrorShape() throws Exception {
    HttpResponse<String> limited = post("/v1/messages", "{\"model\":\"m\"}", "x-mock-fail", "status:429");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("retry-after")).contains("1");
    assertThat(JSON.readTree(limited.body()).at("/error/type").asText()).isEqualTo("rate_limit_error");

    mock.failNext(MockFailure.status(500), 1);
    HttpResponse<String> broken = post("/v1/chat/completions", "{\"model\":\"m\"}");
    assertThat(broken.statusCode()).isEqualTo(500);
    assertThat(JSON.readTree(broken.body()).at("/error/type").asText()).isEqualTo("server_error");
    assertThat(post("/v1/chat/completions", "{\"model\":\"m\"}").statusCode()).as("only the next one").isEqualTo(200);

    assertThat(post("/v1/messages", "{\"model\":\"m\"}", "x-mock-fail", "status:529").body()).contains("overloaded_error");
    assertThat(post("/v1/messages", "not json").statusCode()).isEqualTo(400);
    assertThat(post("/v1/nothing", "{}").statusCode()).isEqualTo(404);
  }

  @Test
  void slowFirstByteWaitsWithoutBlocking() throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r = post("/v1/messages", "{\"model\":\"m\"}", "x-mock-fail", "slow:300");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
  }

  @Test
  void cutStreamsEndWithoutTheirFinalEvent() {
    assertThatThrownBy(() -> post("/v1/messages", "{\"model\":\"m\",\"stream\":true}", "x-mock-fail", "cut:2"))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> post("/v1/chat/completions", "{\"model\":\"m\"}", "x-mock-fail", "cut:0"))
        .isInstanceOf(IOException.class);
    assertThat(mock.requestCount()).isEqualTo(2);
  }
}
