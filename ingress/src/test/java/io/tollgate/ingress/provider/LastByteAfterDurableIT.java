package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.metrics.GatewayMetrics;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.publish.HandoffStatus;
import io.tollgate.ingress.publish.UsagePublisher;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.schemas.UsageEvent;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client must not have a complete answer before its call's event is durable. The publisher here
 * holds every event's durability until the test releases it; a raw socket client reads what the
 * gateway sends meanwhile. For a JSON answer with a content-length, the client has it whole once
 * the last promised byte arrives — ending the response later changes nothing on the wire — so the
 * gateway must hold that byte back until the event is durable (the chaos suite lost one such call
 * to a gateway SIGKILL before this was so); a small one (up to {@link Relay#HOLD_WHOLE_MAX_BYTES})
 * it holds whole, head included, and writes once. For a stream the terminating chunk is the end.
 */
@Timeout(60)
class LastByteAfterDurableIT {
  private static MockProvider mock;
  private static FakeUpstream big;
  /** An Anthropic message of ~100 KB: longer than a held-whole answer may be. */
  private static final String BIG_ANSWER = "{\"id\":\"msg_big\",\"type\":\"message\",\"role\":\"assistant\","
      + "\"model\":\"claude-big\",\"content\":[{\"type\":\"text\",\"text\":\"" + "x".repeat(100_000) + "\"}],"
      + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":12,\"output_tokens\":25000}}";
  private static Vertx vertx;
  private static GatewayServer gateway;
  private static int port;
  private static final LinkedBlockingQueue<CompletableFuture<Void>> HELD = new LinkedBlockingQueue<>();

  @BeforeAll
  static void start() throws Exception {
    mock = MockProvider.start(0);
    big = new FakeUpstream();
    big.answer(200, "application/json", BIG_ANSWER.getBytes(StandardCharsets.UTF_8));
    // As the real publisher does at start: a serde trusts the generated record classes for Avro.
    io.tollgate.schemas.serde.TollgateSerdes.usageEvent();
    vertx = Vertx.vertx();
    IngressConfig config = new IngressConfig("127.0.0.1", 0, "last-byte", null, Map.of(),
        List.of(new Deployment("claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5", mock.baseUrl(), "k", false, Map.of()),
            new Deployment("claude-big", "anthropic", "claude-big", big.baseUrl(), "k", false, Map.of()),
            // An api_base no URL parser takes (validation keeps these out of a real config): sending throws.
            new Deployment("claude-broken", "anthropic", "claude-broken", "nota-scheme://x", "k", false, Map.of())),
        false, List.of(), "unused:0", "unused", 1 << 20, 10_000, false, 10_000, 10_000, 10_000, List.of("*"), Map.of(), null);
    gateway = new GatewayServer(vertx, config, PriceTable.bundled(), new Holding(),
        new GatewayMetrics(new PrometheusRegistry()), Clock.systemUTC());
    port = gateway.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    HELD.forEach(f -> f.complete(null));
    if (gateway != null) {
      gateway.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (mock != null) {
      mock.close();
    }
    if (big != null) {
      big.close();
    }
  }

  @Test
  void aSmallJsonAnswerIsHeldWholeUntilTheEventIsDurableThenWrittenAtOnce() throws Exception {
    try (Socket client = call("claude-sonnet-4-5", false)) {
      CompletableFuture<Void> durable = HELD.poll(30, TimeUnit.SECONDS);
      assertThat(durable).as("the call's event was handed over").isNotNull();
      assertThat(readFor(client, 700)).as("nothing of the answer while its event is not durable").isEmpty();
      durable.complete(null);
      byte[] after = readUntil(client, new byte[0], LastByteAfterDurableIT::wholeAnswer);
      String all = new String(after, StandardCharsets.UTF_8);
      String body = all.substring(all.indexOf("\r\n\r\n") + 4);
      assertThat(all).startsWith("HTTP/1.1 200");
      assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(contentLength(all));
      assertThat(body).startsWith("{").endsWith("}").contains("\"usage\"");
    }
  }

  @Test
  void aLargeJsonAnswerWithAContentLengthMissesItsLastByteUntilTheEventIsDurable() throws Exception {
    try (Socket client = call("claude-big", false)) {
      CompletableFuture<Void> durable = HELD.poll(30, TimeUnit.SECONDS);
      assertThat(durable).as("the call's event was handed over").isNotNull();
      byte[] before = readFor(client, 700);
      String head = new String(before, StandardCharsets.ISO_8859_1);
      int length = contentLength(head);
      int bodyBytes = before.length - (head.indexOf("\r\n\r\n") + 4);
      assertThat(length).as("the answer promises a content-length: " + head).isPositive();
      assertThat(bodyBytes).as("body bytes the client has while the event is not durable").isEqualTo(length - 1);
      durable.complete(null);
      byte[] after = readUntil(client, before, b -> b.length - (head.indexOf("\r\n\r\n") + 4) >= length);
      String body = new String(after, StandardCharsets.UTF_8).substring(head.indexOf("\r\n\r\n") + 4);
      assertThat(body).isEqualTo(BIG_ANSWER);
    }
  }

  @Test
  void aFailureToSendUpstreamIsAnsweredNotLeftHanging() throws Exception {
    try (Socket client = call("claude-broken", false)) {
      byte[] answer = readUntil(client, new byte[0], LastByteAfterDurableIT::wholeAnswer);
      String all = new String(answer, StandardCharsets.UTF_8);
      assertThat(all).startsWith("HTTP/1.1 500").contains("\"type\":\"error\"")
          .contains("could not send the call upstream").doesNotContain("nota-scheme");
      CompletableFuture<Void> event = HELD.poll(30, TimeUnit.SECONDS);
      assertThat(event).as("the call is still metered").isNotNull();
      event.complete(null);
    }
  }

  @Test
  void aStreamMissesItsTerminatingChunkUntilTheEventIsDurable() throws Exception {
    try (Socket client = call("claude-sonnet-4-5", true)) {
      CompletableFuture<Void> durable = HELD.poll(30, TimeUnit.SECONDS);
      assertThat(durable).as("the call's event was handed over").isNotNull();
      String before = new String(readFor(client, 700), StandardCharsets.UTF_8);
      assertThat(before).contains("message_stop").doesNotContain("\r\n0\r\n\r\n");
      durable.complete(null);
      byte[] after = readUntil(client, before.getBytes(StandardCharsets.UTF_8),
          b -> new String(b, StandardCharsets.UTF_8).endsWith("\r\n0\r\n\r\n"));
      assertThat(new String(after, StandardCharsets.UTF_8)).endsWith("\r\n0\r\n\r\n");
    }
  }

  private static Socket call(String model, boolean stream) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    String body = "{\"model\":\"" + model + "\",\"max_tokens\":16,\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    OutputStream out = s.getOutputStream();
    out.write(("POST /v1/messages HTTP/1.1\r\nHost: gw\r\nx-api-key: sk-test\r\ncontent-type: application/json\r\n"
        + "content-length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
    out.flush();
    return s;
  }

  /**
   * What arrives within {@code millis}. The gateway has handed every byte it sends before the
   * event is durable to the socket by the time it publishes the event (same event loop, earlier),
   * so this short read sees all of them; it checks that one thing did not arrive.
   */
  private static byte[] readFor(Socket s, int millis) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    s.setSoTimeout(millis);
    InputStream in = s.getInputStream();
    byte[] buf = new byte[8192];
    long deadline = System.nanoTime() + millis * 1_000_000L;
    try {
      while (System.nanoTime() < deadline) {
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        got.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      // nothing more came
    }
    return got.toByteArray();
  }

  private static byte[] readUntil(Socket s, byte[] start, java.util.function.Predicate<byte[]> done) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    got.write(start);
    s.setSoTimeout(10_000);
    InputStream in = s.getInputStream();
    byte[] buf = new byte[8192];
    while (!done.test(got.toByteArray())) {
      int n = in.read(buf); // a SocketTimeoutException here fails the test: the rest never came
      if (n < 0) {
        break;
      }
      got.write(buf, 0, n);
    }
    return got.toByteArray();
  }

  /** Head and every byte its content-length promises have arrived. */
  private static boolean wholeAnswer(byte[] b) {
    String h = new String(b, StandardCharsets.ISO_8859_1);
    int end = h.indexOf("\r\n\r\n");
    return end > 0 && b.length - (end + 4) >= contentLength(h);
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return -1;
  }

  /** Durability on the test's command. */
  private static final class Holding implements UsagePublisher {
    @Override
    public CompletionStage<Void> publish(UsageEvent event) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      HELD.add(f);
      return f;
    }

    @Override
    public HandoffStatus status() {
      return HandoffStatus.HEALTHY;
    }

    @Override
    public void close() {
    }
  }
}
