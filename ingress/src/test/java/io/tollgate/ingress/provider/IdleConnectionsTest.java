package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slowloris (headers a byte at a time) against a real Vert.x server with the gateway's timers and
 * options (h2c off: with it on, Vert.x announces a connection only once its first request is decoded).
 */
@Timeout(30)
class IdleConnectionsTest {
  private static final long IDLE_MS = 60_000;
  private static final long FIRST_REQUEST_MS = 600;

  private Vertx vertx;
  private HttpServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    IdleConnections idle = new IdleConnections(vertx, IDLE_MS, FIRST_REQUEST_MS);
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setCompressionSupported(false).setHttp2ClearTextEnabled(false))
        .connectionHandler(idle::opened)
        .requestHandler(req -> {
          idle.requestStarted(req.connection());
          req.response().endHandler(v -> idle.requestEnded(req.connection()));
          req.response().end("ok");
        })
        .listen().await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void headersSentAByteAtATimeAreCutAtTheReadTimeoutWhileAServedKeepAliveConnectionStays() throws Exception {
    try (Socket served = new Socket("127.0.0.1", server.actualPort())) {
      assertThat(roundTrip(served)).startsWith("HTTP/1.1 200");
      long started = System.nanoTime();
      Socket slow = new Socket("127.0.0.1", server.actualPort());
      OutputStream drip = slow.getOutputStream();
      drip.write("POST /v1/messages HTTP/1.1\r\nHost: gw\r\nx-slow: ".getBytes(StandardCharsets.US_ASCII));
      slow.setSoTimeout(100);
      boolean closed = false;
      // A byte every 100 ms, far inside any per-read idle limit, until the gateway hangs up
      // (failing the test at 20 s, i.e. 33 times the first-request bound).
      while (!closed && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(20)) {
        try {
          drip.write('a');
          drip.flush();
          closed = slow.getInputStream().read() == -1;
        } catch (SocketTimeoutException stillOpen) {
          // nothing to read yet: still open
        } catch (java.io.IOException reset) {
          closed = true;
        }
      }
      long afterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      slow.close();
      assertThat(closed).as("the slowloris connection is closed").isTrue();
      assertThat(afterMs).as("closed at the first-request bound, not the 60 s idle timeout").isBetween(FIRST_REQUEST_MS - 100, 15_000L);
      assertThat(roundTrip(served)).as("a keep-alive connection that was served stays open past the first-request bound")
          .startsWith("HTTP/1.1 200");
    }
  }

  private static String roundTrip(Socket s) throws Exception {
    s.setSoTimeout(5000);
    s.getOutputStream().write("GET / HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    InputStream in = s.getInputStream();
    StringBuilder seen = new StringBuilder();
    while (!seen.toString().endsWith("ok")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      seen.append((char) b);
    }
    return seen.toString();
  }
}
