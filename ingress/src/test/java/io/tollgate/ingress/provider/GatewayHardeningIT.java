package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.UsageEvent;
import io.vertx.core.VertxOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The defects a probe of the gateway found (issue 10), each against a real gateway, the real
 * embedded Kafka and a provider the test controls: hostile sizes and numbers, odd encodings,
 * stalls, protocol abuse, LiteLLM's headers.
 */
@ExtendWith(KafkaExtension.class)
@org.junit.jupiter.api.Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES)
class GatewayHardeningIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String KEY = "sk-hard-" + UUID.randomUUID();
  private static FakeUpstream upstream;
  private static Gateway gateway;
  private static UsageEvents events;

  @BeforeAll
  static void start(KafkaCluster kafka) throws Exception {
    upstream = new FakeUpstream();
    Path spill = Files.createTempDirectory("gateway-hardening-it");
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %1$s, api_key: sk-ant-upstream}
          - model_name: claude-3-5-haiku-20241022
            litellm_params: {model: anthropic/claude-opus-4-1, api_base: %1$s, api_key: sk-ant-upstream}
          - model_name: gpt-5
            litellm_params: {model: openai/gpt-5, api_base: %1$s, api_key: sk-oai-upstream}
        general_settings: {master_key: sk-master-hardening}
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: gw-hardening
          spill_dir: %2$s
          idle_timeout_s: 1
          request_read_timeout_s: 8
          stream_idle_timeout_s: 1
          kafka: {bootstrap_servers: "%3$s"}
          keys: [{key: %4$s, alias: hardening}]
        """.formatted(upstream.baseUrl(), spill, kafka.bootstrapServers(), KEY);
    JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    gateway = Gateway.start(ConfigLoader.fromTree(tree, Map.of()), new VertxOptions());
    events = new UsageEvents(kafka);
  }

  @AfterAll
  static void stop() {
    events.close();
    gateway.close();
    upstream.close();
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.port() + path);
  }

  private static HttpResponse<byte[]> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("x-api-key", KEY);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String customer() {
    return "hard-" + UUID.randomUUID();
  }

  private static String anthropicJson(String usage) {
    return "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"hi\"}],\"stop_reason\":\"end_turn\",\"usage\":" + usage + "}";
  }

  private static String anthropicStream(String startUsage, boolean complete) {
    String s = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"model\":"
        + "\"claude-sonnet-4-5\",\"usage\":" + startUsage + "}}\n\n"
        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
        + "{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n";
    if (complete) {
      s += "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
          + "\"usage\":{\"output_tokens\":12}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    }
    return s;
  }

  @Test
  void aHugeModelNameIsAnsweredCappedAndMeteringGoesOnForEveryone() throws Exception {
    String customer = customer();
    String huge = "m".repeat(1_200_000);
    HttpResponse<byte[]> r = post("/v1/messages", "{\"model\":\"" + huge + "\",\"messages\":[]}",
        "x-litellm-customer-id", customer);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body().length).as("the error body does not echo 1.2 MB").isLessThan(2_000);
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getModelRequested()).hasSize(CallFacts.MAX_NAME);
    assertThat(e.getStatusCode()).isEqualTo(404);
    assertThat(e.getUsageSource()).isEqualTo("none");

    HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(uri("/health/readiness")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(ready.statusCode()).isEqualTo(200);
    String next = customer();
    upstream.answer(200, "application/json", anthropicJson("{\"input_tokens\":3,\"output_tokens\":4}").getBytes());
    assertThat(post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"messages\":[]}", "x-litellm-customer-id", next)
        .statusCode()).isEqualTo(200);
    assertThat(events.one(ev -> next.equals(ev.getCustomerId())).getInputTokens()).isEqualTo(3);
  }

  @Test
  void absurdTokenCountsNeverCostTheClientABitAndTheCallIsStillMetered() throws Exception {
    String[] usages = {"{\"input_tokens\":-5,\"output_tokens\":7}", "{\"input_tokens\":1000000000000,\"output_tokens\":1e30}"};
    for (String usage : usages) {
      String customer = customer();
      byte[] body = anthropicJson(usage).getBytes(StandardCharsets.UTF_8);
      upstream.answer(200, "application/json", body);
      HttpResponse<byte[]> r = post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"messages\":[]}",
          "x-litellm-customer-id", customer);
      assertThat(r.body()).as(usage).isEqualTo(body);
      UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
      assertThat(e.getCostNanos()).as(usage).isNotNegative();
      assertThat(e.getInputTokens()).as(usage).isNotNegative();
      assertThat(e.getUsageClamped()).as(usage).isTrue();
    }
    String customer = customer();
    byte[] stream = anthropicStream("{\"input_tokens\":-1,\"output_tokens\":1}", true).getBytes(StandardCharsets.UTF_8);
    upstream.answer(200, "text/event-stream", stream);
    HttpResponse<byte[]> r = post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"messages\":[]}",
        "x-litellm-customer-id", customer);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).as("every byte of the stream, unchanged")
        .isEqualTo(new String(stream, StandardCharsets.UTF_8));
    UsageEvent streamed = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(streamed.getStatusCode()).isEqualTo(200);
    assertThat(streamed.getUsageClamped()).isTrue();
    assertThat(streamed.getOutputTokens()).isEqualTo(12);
  }

  @Test
  void streamsWithoutEventLinesAreReadByTheirType() throws Exception {
    String customer = customer();
    String stream = anthropicStream("{\"input_tokens\":33,\"output_tokens\":1}", true).replaceAll("event: [a-z_]+\n", "");
    upstream.answer(200, "text/event-stream", stream.getBytes(StandardCharsets.UTF_8));
    HttpResponse<byte[]> r = post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"messages\":[]}",
        "x-litellm-customer-id", customer);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(stream);
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getInputTokens()).isEqualTo(33);
    assertThat(e.getOutputTokens()).isEqualTo(12);
    assertThat(e.getUsageSource()).isEqualTo("stream");
    assertThat(e.getTtftMs()).isNotNull();
  }

  @Test
  void usageSourceSaysWhereTheCountsCameFrom() throws Exception {
    String[][] cases = {
        {"response", "application/json", anthropicJson("{\"input_tokens\":10,\"output_tokens\":2}"), "false"},
        {"stream", "text/event-stream", anthropicStream("{\"input_tokens\":10,\"output_tokens\":1}", true), "true"},
        {"partial", "text/event-stream", anthropicStream("{\"input_tokens\":10,\"output_tokens\":1}", false), "true"},
        {"none", "application/json", "{\"id\":\"msg_3\",\"type\":\"message\",\"content\":[]}", "false"}};
    for (String[] c : cases) {
      String customer = customer();
      upstream.answer(200, c[1], c[2].getBytes(StandardCharsets.UTF_8));
      post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"stream\":" + c[3] + ",\"messages\":[]}",
          "x-litellm-customer-id", customer);
      UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
      assertThat(e.getUsageSource()).as(c[0]).isEqualTo(c[0]);
      assertThat(e.getInputTokens()).as(c[0]).isEqualTo(c[0].equals("none") ? 0 : 10);
    }
  }

  @Test
  void aGzipAnswerIsForwardedAsItCameAndReadDecoded() throws Exception {
    String customer = customer();
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(anthropicJson("{\"input_tokens\":21,\"output_tokens\":5}").getBytes(StandardCharsets.UTF_8));
    }
    upstream.answer(200, "application/json", gz.toByteArray(), "content-encoding", "gzip");
    HttpResponse<byte[]> r = post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"messages\":[]}",
        "x-litellm-customer-id", customer);
    assertThat(r.body()).isEqualTo(gz.toByteArray());
    assertThat(r.headers().firstValue("content-encoding")).contains("gzip");
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getInputTokens()).isEqualTo(21);
    assertThat(e.getUsageSource()).isEqualTo("response");
  }

  @Test
  void theInjectedUsageChunkNeverReachesAClientThatDidNotAskWhateverTheContentTypesCase() throws Exception {
    String customer = customer();
    String stream = "data: {\"id\":\"c1\",\"model\":\"gpt-5\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"
        + "data: {\"id\":\"c1\",\"model\":\"gpt-5\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3}}\n\n"
        + "data: [DONE]\n\n";
    upstream.answer(200, "Text/Event-Stream; charset=utf-8", stream.getBytes(StandardCharsets.UTF_8));
    HttpResponse<byte[]> r = post("/v1/chat/completions", "{\"model\":\"gpt-5\",\"stream\":true,\"user\":\"" + customer
        + "\",\"messages\":[]}", "authorization", "Bearer " + KEY);
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(body).doesNotContain("prompt_tokens").contains("\"Hi\"").endsWith("data: [DONE]\n\n");
    assertThat(JSON.readTree(upstream.last().body()).at("/stream_options/include_usage").asBoolean()).isTrue();
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getInputTokens()).isEqualTo(9);
    assertThat(e.getOutputTokens()).isEqualTo(3);
  }

  @Test
  void anAliasIsPricedAsTheDeploymentsModelNotAsItsName() throws Exception {
    String customer = customer();
    upstream.answer(200, "application/json", anthropicJson("{\"input_tokens\":1000,\"output_tokens\":1000}").getBytes());
    post("/v1/messages", "{\"model\":\"claude-3-5-haiku-20241022\",\"messages\":[]}", "x-litellm-customer-id", customer);
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    Usage u = new Usage(1000, 1000, 0, 0, 0, 0, null, null, true);
    assertThat(e.getCostNanos()).isEqualTo(PriceTable.bundled().cost("claude-opus-4-1", u).nanos())
        .isGreaterThan(PriceTable.bundled().cost("claude-3-5-haiku-20241022", u).nanos());
    assertThat(e.getModelRequested()).isEqualTo("claude-3-5-haiku-20241022");
    assertThat(e.getModelGroup()).isEqualTo("claude-3-5-haiku-20241022");
  }

  @Test
  void requestJsonIsStrictButLargeBodiesParse() throws Exception {
    HttpResponse<byte[]> dup = post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"model\":\"claude-3-5-haiku-20241022\"}");
    assertThat(dup.statusCode()).isEqualTo(400);
    assertThat(new String(dup.body(), StandardCharsets.UTF_8)).contains("invalid_request_error").contains("uplicate");
    HttpResponse<byte[]> trailing = post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\"} {\"x\":1}");
    assertThat(trailing.statusCode()).isEqualTo(400);

    upstream.answer(200, "application/json", anthropicJson("{\"input_tokens\":1,\"output_tokens\":1}").getBytes());
    String pdf = "A".repeat(25 * 1024 * 1024);
    HttpResponse<byte[]> big = post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\","
        + "\"content\":[{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"data\":\"" + pdf + "\"}}]}]}");
    assertThat(big.statusCode()).as("a 25 MB base64 document is valid JSON").isEqualTo(200);
  }

  @Test
  void metricsStayBoundedWhateverModelNamesClientsSend() throws Exception {
    int before = scrape().length();
    for (int i = 0; i < 300; i++) {
      // JSON escapes, so the body parses and the name (with a NUL and an RTL mark) reaches routing.
      post("/v1/chat/completions", "{\"model\":\"rnd-" + UUID.randomUUID() + "\\u0000\\u202e\"}", "authorization", "Bearer " + KEY);
    }
    String after = scrape();
    assertThat(after).doesNotContain("rnd-").doesNotContain("\u202e");
    assertThat(after.length() - before).as("300 unknown models add no series").isLessThan(2_000);
  }

  private static String scrape() throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void responseHeadersCarryTheCallIdAndModelGroupAndTtftIsTheFirstToken() throws Exception {
    String customer = customer();
    String full = anthropicStream("{\"input_tokens\":5,\"output_tokens\":1}", true);
    String start = full.substring(0, full.indexOf("event: content_block_delta"));
    String rest = full.substring(start.length());
    upstream.answer(req -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      req.response().write(start);
      upstream.vertx().setTimer(400, t -> req.response().end(rest));
    });
    HttpResponse<byte[]> r = post("/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"messages\":[]}",
        "x-litellm-customer-id", customer);
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(r.headers().firstValue("x-litellm-call-id")).contains(e.getEventId());
    assertThat(r.headers().firstValue("x-litellm-model-group")).contains("claude-sonnet-4-5");
    assertThat(e.getTtftMs()).as("first content came 400 ms after the headers").isGreaterThanOrEqualTo(400);
  }

  @Test
  void wrongMethodsCorsAndContinue() throws Exception {
    HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(uri("/v1/messages")).header("x-api-key", KEY).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("allow")).contains("POST");
    assertThat(JSON.readTree(get.body()).path("type").asText()).isEqualTo("error");

    HttpResponse<String> preflight = HTTP.send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("origin", "http://app.example")
        .header("access-control-request-method", "POST").header("access-control-request-headers", "authorization")
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(preflight.statusCode()).isEqualTo(200);
    assertThat(preflight.headers().firstValue("access-control-allow-origin")).contains("*");
    assertThat(preflight.headers().firstValue("access-control-allow-headers")).contains("authorization");

    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      s.setSoTimeout(5_000);
      String body = "{\"model\":\"nope\"}";
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-api-key: " + KEY + "\r\ncontent-type: application/json\r\n"
          + "content-length: " + body.length() + "\r\nexpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readSome(s.getInputStream())).as("100 Continue before any body was sent").startsWith("HTTP/1.1 100");
    }
  }

  @Test
  void idleAndHalfSentConnectionsTimeOutAndProtocolErrorsGetJson() throws Exception {
    try (Socket idle = new Socket("127.0.0.1", gateway.port())) {
      idle.setSoTimeout(10_000);
      assertThat(idle.getInputStream().read()).as("an idle connection is closed by the gateway").isEqualTo(-1);
    }
    try (Socket half = new Socket("127.0.0.1", gateway.port())) {
      half.setSoTimeout(10_000);
      half.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-api-key: " + KEY
          + "\r\ncontent-length: 100\r\n\r\n{\"model\":").getBytes(StandardCharsets.US_ASCII));
      String answer = readAll(half.getInputStream());
      assertThat(answer).startsWith("HTTP/1.1 408").contains("\"type\":\"error\"");
    }
    try (Socket big = new Socket("127.0.0.1", gateway.port())) {
      big.setSoTimeout(10_000);
      big.getOutputStream().write(("GET /v1/models HTTP/1.1\r\nhost: x\r\nx-big: " + "a".repeat(20_000) + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String answer = readAll(big.getInputStream());
      assertThat(answer).startsWith("HTTP/1.1 431").contains("\"error\"");
    }
    try (Socket bad = new Socket("127.0.0.1", gateway.port())) {
      bad.setSoTimeout(10_000);
      bad.getOutputStream().write("NOT A REQUEST LINE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readAll(bad.getInputStream())).startsWith("HTTP/1.").contains(" 400 ").contains("\"error\"");
    }
  }

  @Test
  void anUpstreamThatStallsMidStreamIsCut() throws Exception {
    String customer = customer();
    upstream.answer(req -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      req.response().write(anthropicStream("{\"input_tokens\":8,\"output_tokens\":1}", false)); // then nothing
    });
    HttpRequest request = HttpRequest.newBuilder(uri("/v1/messages")).timeout(Duration.ofSeconds(20))
        .header("x-api-key", KEY).header("x-litellm-customer-id", customer)
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"stream\":true}")).build();
    try {
      HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException expected) {
      // the cut reaches the client as a broken response, not a clean end
    }
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getErrorType()).isEqualTo("upstream_stalled");
    assertThat(e.getStatusCode()).as("the failure, not the 200 its headers said").isEqualTo(504);
    assertThat(e.getUsageSource()).isEqualTo("partial");
    assertThat(e.getInputTokens()).isEqualTo(8);
  }

  @Test
  void aSmallJsonAnswerThatStallsMidBodyIsAnsweredAsA504InTheApisShape() throws Exception {
    String customer = customer();
    upstream.answer(req -> {
      req.response().putHeader("content-type", "application/json").putHeader("content-length", "400");
      req.response().write("{\"id\":\"msg_stall\",\"type\":\"message\",\"content\":["); // then nothing
    });
    HttpRequest request = HttpRequest.newBuilder(uri("/v1/messages")).timeout(Duration.ofSeconds(20))
        .header("x-api-key", KEY).header("x-litellm-customer-id", customer)
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5}")).build();
    HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    // Held whole until its end, nothing of it reached the client: it gets a clean error, not a cut.
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("\"type\":\"error\"").contains("stalled");
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getErrorType()).isEqualTo("upstream_stalled");
    assertThat(e.getStatusCode()).isEqualTo(504);
  }

  @Test
  void anOpenAiStreamTheClientLeavesIsStillMeteredWithItsFinalUsage() throws Exception {
    String customer = customer();
    String first = "data: {\"id\":\"c2\",\"model\":\"gpt-5\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n";
    String rest = "data: {\"id\":\"c2\",\"model\":\"gpt-5\",\"choices\":[],\"usage\":{\"prompt_tokens\":4000,"
        + "\"completion_tokens\":70}}\n\ndata: [DONE]\n\n";
    upstream.answer(req -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      req.response().write(first);
      upstream.vertx().setTimer(500, t -> req.response().end(rest)); // usage comes only at the end
    });
    String body = "{\"model\":\"gpt-5\",\"stream\":true,\"user\":\"" + customer + "\",\"messages\":[]}";
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer " + KEY
          + "\r\ncontent-type: application/json\r\ncontent-length: " + body.length() + "\r\n\r\n" + body)
          .getBytes(StandardCharsets.US_ASCII));
      StringBuilder seen = new StringBuilder();
      while (!seen.toString().contains("\"Hi\"")) {
        seen.append(readSome(s.getInputStream()));
      }
    } // the client leaves after the first token
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getAborted()).isTrue();
    assertThat(e.getInputTokens()).as("the provider bills the prompt: so does the event").isEqualTo(4000);
    assertThat(e.getOutputTokens()).isEqualTo(70);
  }

  @Test
  void noKeyNoBodyAndNoContinue() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-length: 1000000\r\n"
          + "expect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String answer = readAll(s.getInputStream());
      assertThat(answer).startsWith("HTTP/1.1 401").contains("authentication_error").doesNotContain("100 Continue");
    }
  }

  private static String readSome(InputStream in) throws Exception {
    byte[] buf = new byte[256];
    int n = in.read(buf);
    return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
  }

  private static String readAll(InputStream in) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    int n;
    try {
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
      }
    } catch (java.net.SocketException e) {
      // reset after the answer: what arrived is enough
    }
    return out.toString(StandardCharsets.US_ASCII);
  }
}
