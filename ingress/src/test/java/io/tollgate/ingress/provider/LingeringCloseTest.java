package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An answer given before the body was read (413 on the declared length) reaches a client that is
 * still sending: closing at once lets the kernel reset the connection and drop the unread answer.
 */
@Timeout(60)
class LingeringCloseTest {
  private static final int BODY = 4 * 1024 * 1024;

  private Vertx vertx;
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setHttp2ClearTextEnabled(false))
        .requestHandler(req -> {
          req.response().setStatusCode(413);
          LingeringClose.end(vertx, req, "too large");
        })
        .listen().await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aClientStillSendingItsBodyReadsTheEarlyAnswer() throws Exception {
    byte[] body = new byte[BODY];
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (int round = 0; round < 20; round++) {
      java.net.http.HttpResponse<String> answer = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + server.actualPort() + "/key/generate"))
          .timeout(java.time.Duration.ofSeconds(10)).header("content-type", "application/json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as("round %d", round).isEqualTo(413);
      assertThat(answer.body()).isEqualTo("too large");
    }
  }

  @Test
  void aClientThatNeverStopsSendingIsCutAfterTheDrainLimit() throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.actualPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("POST /v1/messages HTTP/1.1\r\nHost: gw\r\nContent-Length: 100000000000\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[64 * 1024];
      long sent = 0;
      long started = System.nanoTime();
      try {
        while (sent < 10L * LingeringClose.LINGER_BYTES) {
          out.write(chunk);
          sent += chunk.length;
        }
      } catch (IOException cut) {
        // the gateway hung up: expected
      }
      assertThat(sent).as("bytes the gateway drained before it hung up").isLessThan(10L * LingeringClose.LINGER_BYTES);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(20_000L);
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] b = new byte[8192];
    for (int n; (n = in.read(b)) != -1; ) {
      got.write(b, 0, n);
    }
    return got.toString(StandardCharsets.US_ASCII);
  }
}
