package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.kafka.KafkaProcess;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.schemas.UsageEvent;
import java.io.IOException;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Failures around the gateway: clients that leave, upstreams that break, a Kafka that goes away. */
class GatewayFailuresIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static KafkaProcess kafka;
  private static MockProvider mock;
  private static Gateway gateway;
  private static UsageEvents events;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("gateway-failures-it");
    kafka = new KafkaProcess(EmbeddedKafka.Options.in(dir.resolve("kafka"))).start();
    mock = MockProvider.start(0);
    String dead = "http://127.0.0.1:" + FreePorts.pick();
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %1$s}
          - model_name: flaky
            litellm_params: {model: anthropic/claude-haiku-4-5, api_base: %2$s}
          - model_name: flaky
            litellm_params: {model: anthropic/claude-haiku-4-5, api_base: %1$s}
          - model_name: dead
            litellm_params: {model: anthropic/claude-haiku-4-5, api_base: %2$s}
        # The mock is steered by x-mock-* headers, which only this setting forwards (as in LiteLLM).
        general_settings: {forward_client_headers_to_llm_api: true}
        tollgate:
          port: 0
          host: 127.0.0.1
          max_request_body_mb: 1
          upstream_timeout_s: 2
          spill_dir: %3$s
          kafka: {bootstrap_servers: "%4$s"}
        """.formatted(mock.baseUrl(), dead, dir.resolve("spill"), kafka.bootstrapServers());
    gateway = Gateway.start(ConfigLoader.fromTree(new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of()));
    events = new UsageEvents(kafka);
  }

  @AfterAll
  static void stop() {
    events.close();
    gateway.close();
    mock.close();
    kafka.stop();
  }

  private static HttpResponse<String> post(String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/v1/messages"))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).header("x-api-key", "sk-any");
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aClientLeavingMidStreamIsRecordedAsAbortedWithTheUsageSeenSoFar() throws Exception {
    String customer = "abort-" + UUID.randomUUID();
    String body = "{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"max_tokens\":50,\"messages\":[]}";
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-api-key: sk-any\r\n"
          + "x-litellm-customer-id: " + customer + "\r\n" + MockProvider.EVENT_DELAY_HEADER + ": 300\r\n"
          + "content-length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder seen = new StringBuilder();
      byte[] buf = new byte[4096];
      while (!seen.toString().contains("message_start")) {
        int n = in.read(buf);
        assertThat(n).isPositive();
        seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
    } // the client hangs up here, long before message_stop
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getAborted()).as(e.toString()).isTrue();
    assertThat(e.getErrorType()).isEqualTo("client_abort");
    assertThat(e.getInputTokens()).as("from message_start").isEqualTo(body.length() / 4);
    assertThat(e.getCostNanos()).isPositive();
  }

  @Test
  void anUpstreamCutMidStreamReachesTheClientAndIsRecorded() throws Exception {
    String customer = "cut-" + UUID.randomUUID();
    assertThatThrownBy(() -> post("{\"model\":\"claude-sonnet-4-5\",\"stream\":true,\"messages\":[]}",
        "x-litellm-customer-id", customer, "x-mock-fail", "cut:3")).isInstanceOf(IOException.class);
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getErrorType()).isEqualTo("upstream_reset");
    assertThat(e.getStatusCode()).as("the failure, not the 200 its headers said").isEqualTo(502);
    assertThat(e.getAborted()).isFalse();
    assertThat(e.getUsageSource()).isEqualTo("partial");
    assertThat(e.getInputTokens()).isPositive();
  }

  @Test
  void aJsonAnswerCutMidBodyIsRecordedAsAFailureWithoutUsage() throws Exception {
    String customer = "cut-json-" + UUID.randomUUID();
    HttpResponse<String> r = post("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5}", "x-litellm-customer-id", customer,
        "x-mock-fail", "cut:3");
    // A small JSON answer is held whole until its end, so nothing of it went out: the cut is
    // answered as a clean error in the API's shape, not as a broken connection.
    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("\"type\":\"error\"").contains("cut its answer short");
    assertThat(r.headers().firstValue("request-id")).as("upstream's request id, to quote to the provider")
        .hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
    assertThat(r.headers().firstValue("content-length")).as("the error's own length, not upstream's")
        .hasValue(Integer.toString(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
    UsageEvent e = events.one(ev -> customer.equals(ev.getCustomerId()));
    assertThat(e.getErrorType()).isEqualTo("upstream_reset");
    assertThat(e.getStatusCode()).isEqualTo(502);
    assertThat(e.getUsageSource()).as("nothing readable: the cost 0 is flagged, not a real $0").isEqualTo("none");
  }

  @Test
  void connectionFailuresFailOverAndOtherwiseAnswer502InTheApisShape() throws Exception {
    String customer = "failover-" + UUID.randomUUID();
    for (int i = 0; i < 4; i++) { // round-robin puts the dead deployment first half of the time
      assertThat(post("{\"model\":\"flaky\",\"max_tokens\":5}", "x-litellm-customer-id", customer).statusCode()).isEqualTo(200);
    }
    assertThat(events.await(ev -> customer.equals(ev.getCustomerId()), 4, Duration.ofSeconds(30)))
        .hasSize(4).allSatisfy(ev -> assertThat(ev.getStatusCode()).isEqualTo(200));

    String deadCustomer = "dead-" + UUID.randomUUID();
    HttpResponse<String> dead = post("{\"model\":\"dead\"}", "x-litellm-customer-id", deadCustomer);
    assertThat(dead.statusCode()).isEqualTo(502);
    assertThat(dead.body()).contains("\"type\":\"error\"").contains("upstream unreachable");
    assertThat(events.one(ev -> deadCustomer.equals(ev.getCustomerId())).getErrorType()).isEqualTo("upstream_unreachable");
  }

  @Test
  void anUpstreamThatDoesNotAnswerInTimeIs504() throws Exception {
    String customer = "slow-" + UUID.randomUUID();
    HttpResponse<String> r = post("{\"model\":\"claude-sonnet-4-5\"}", "x-litellm-customer-id", customer,
        "x-mock-fail", "slow:5000");
    assertThat(r.statusCode()).isEqualTo(504);
    assertThat(r.body()).contains("timeout_error");
    assertThat(events.one(ev -> customer.equals(ev.getCustomerId())).getErrorType()).isEqualTo("upstream_timeout");
  }

  @Test
  void anOversizedBodyIs413() throws Exception {
    HttpResponse<String> r = post("{\"model\":\"claude-sonnet-4-5\",\"pad\":\"" + "x".repeat(1_100_000) + "\"}");
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("request_too_large");
  }

  @Test
  void withKafkaDownNoRequestFailsTheGatewayStaysReadyAndEveryEventArrivesExactlyOnceAfterItReturns()
      throws Exception {
    String customer = "kafka-down-" + UUID.randomUUID();
    kafka.stop();
    try {
      for (int i = 0; i < 20; i++) {
        assertThat(post("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":3}", "x-litellm-customer-id", customer)
            .statusCode()).isEqualTo(200);
      }
      // Honest health: Kafka's state shows (once an event waited 5 s), readiness never flaps to 503
      // (the gateway still answers and records every call), the backlog and its age are exported.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      HttpResponse<String> ready;
      do {
        ready = get("/health/readiness");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(System.nanoTime()).as("Kafka reported unreachable within 30 s: " + ready.body()).isLessThan(deadline);
        java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // between samples; the deadline bounds it
      } while (!ready.body().contains("\"kafka\":\"unreachable"));
      assertThat(ready.body()).containsPattern("\"backlog_records\":[1-9]").contains("\"fsync\":\"group\"");
      String metrics = get("/metrics").body();
      assertThat(metrics).containsPattern("tollgate_handoff_backlog_records [1-9]")
          .containsPattern("tollgate_handoff_oldest_unacked_seconds [1-9]")
          .contains("tollgate_handoff_kafka_reachable 0.0")
          .containsPattern("tollgate_handoff_groups_total [1-9]").containsPattern("tollgate_handoff_fsyncs_total [1-9]")
          .contains("tollgate_handoff_preallocated_segments_total");
    } finally {
      kafka.start();
    }
    List<UsageEvent> arrived = events.await(ev -> customer.equals(ev.getCustomerId()), 20, Duration.ofSeconds(90));
    assertThat(arrived).hasSize(20);
    assertThat(events.settle(customer)).hasSize(20);
    assertThat(arrived.stream().map(UsageEvent::getEventId).collect(Collectors.toSet())).hasSize(20);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!get("/health/readiness").body().contains("\"kafka\":\"connected\"")) {
      assertThat(System.nanoTime()).as("Kafka reported connected again within 30 s").isLessThan(deadline);
      java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // between samples; the deadline bounds it
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
