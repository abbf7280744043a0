package io.tollgate.reconciler;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local stand-in for Anthropic's and OpenAI's Admin APIs: the four report endpoints answer the
 * recorded page shapes under {@code src/test/resources/admin/} ({@code <name>.json} first, then
 * {@code <name>-<next_page>.json} for {@code ?page=<next_page>}), after checking the admin key
 * header as the real APIs expect it. Every request's decoded query is kept for assertions.
 */
final class FakeAdminApi implements AutoCloseable {
  static final String ANTHROPIC_KEY = "sk-ant-admin01-fake-secret";
  static final String OPENAI_KEY = "sk-admin-fake-secret";
  private static final Map<String, String> FILES = Map.of(
      "/v1/organizations/usage_report/messages", "anthropic-usage",
      "/v1/organizations/cost_report", "anthropic-cost",
      "/v1/organization/usage/completions", "openai-usage",
      "/v1/organization/costs", "openai-costs");

  /** One request: path and decoded query parameters in order. */
  record Request(String path, List<Map.Entry<String, String>> params) {
    List<String> all(String name) {
      return params.stream().filter(p -> p.getKey().equals(name)).map(Map.Entry::getValue).toList();
    }
  }

  private final HttpServer server;
  final List<Request> requests = new CopyOnWriteArrayList<>();

  FakeAdminApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/", this::handle);
    server.start();
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      List<Map.Entry<String, String>> params = parse(ex.getRequestURI().getRawQuery());
      requests.add(new Request(path, params));
      String file = FILES.get(path);
      if (file == null) {
        answer(ex, 404, "{\"error\":{\"type\":\"not_found_error\",\"message\":\"no such endpoint\"}}");
        return;
      }
      boolean anthropic = path.startsWith("/v1/organizations/");
      boolean authorized = anthropic ? ANTHROPIC_KEY.equals(ex.getRequestHeaders().getFirst("x-api-key"))
          && "2023-06-01".equals(ex.getRequestHeaders().getFirst("anthropic-version"))
          : ("Bearer " + OPENAI_KEY).equals(ex.getRequestHeaders().getFirst("authorization"));
      if (!authorized) {
        answer(ex, 401, "{\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}");
        return;
      }
      String page = params.stream().filter(p -> p.getKey().equals("page")).map(Map.Entry::getValue).findFirst().orElse(null);
      String resource = "admin/" + file + (page == null ? "" : "-" + page) + ".json";
      try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          answer(ex, 400, "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad page cursor\"}}");
          return;
        }
        answer(ex, 200, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }

  private static void answer(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("content-type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static List<Map.Entry<String, String>> parse(String raw) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      out.add(Map.entry(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8)));
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
  }

}
