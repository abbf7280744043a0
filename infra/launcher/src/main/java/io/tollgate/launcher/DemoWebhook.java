package io.tollgate.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/**
 * A local stand-in for a Slack incoming webhook, for {@code --demo} without {@code
 * SLACK_WEBHOOK_URL}: the alerting delivers to it exactly as to Slack (Block Kit JSON over HTTP),
 * and it prints each message's headline on the console.
 */
final class DemoWebhook implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;

  private DemoWebhook(HttpServer server) {
    this.server = server;
  }

  /** Listens on 127.0.0.1 at {@code port} (0 = any free port). */
  static DemoWebhook start(int port, PrintStream out) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 8);
      server.createContext("/services/demo", ex -> {
        try (ex) {
          JsonNode message = JSON.readTree(ex.getRequestBody());
          out.println("Slack (local demo webhook): " + message.path("text").asText("(no text)") + "  ["
              + message.path("blocks").size() + " Block Kit blocks]");
          ex.sendResponseHeaders(200, -1);
        } catch (IOException e) {
          ex.sendResponseHeaders(400, -1);
        }
      });
      server.start();
      return new DemoWebhook(server);
    } catch (IOException e) {
      throw new UncheckedIOException("the demo webhook cannot listen on port " + port, e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/services/demo";
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
