package io.tollgate.reconciler.provider;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * GETs every page of a report ({@code has_more} / {@code next_page}, sent back as {@code page}),
 * with the JDK's HttpClient. Bounded: at most {@link #MAX_PAGES} pages of at most
 * {@link #MAX_BODY_BYTES} each, and a repeated cursor is an error (a provider bug must not loop).
 * Numbers are read as BigDecimal so money stays exact.
 */
public final class AdminHttp {
  static final int MAX_PAGES = 500;
  static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final HttpClient client;
  private final Duration timeout;

  public AdminHttp(HttpClient client, Duration timeout) {
    this.client = Objects.requireNonNull(client, "client");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * Every page of {@code base + path?params}.
   *
   * @param params  query parameters in order (repeated names for arrays: {@code group_by[]})
   * @param headers request headers (the admin key among them; never put into a message)
   */
  public List<JsonNode> pages(URI base, String path, List<Map.Entry<String, String>> params,
                              Map<String, String> headers) {
    List<JsonNode> pages = new ArrayList<>();
    Set<String> cursors = new HashSet<>();
    String page = null;
    do {
      List<Map.Entry<String, String>> query = new ArrayList<>(params);
      if (page != null) {
        query.add(Map.entry("page", page));
      }
      JsonNode body = get(URI.create(base + path + "?" + encode(query)), path, headers);
      pages.add(body);
      JsonNode more = body.get("has_more");
      JsonNode next = body.get("next_page");
      if (more == null || !more.isBoolean() || body.get("data") == null || !body.get("data").isArray()) {
        throw new AdminApiException(path + " answered a page without data/has_more", 200);
      }
      page = more.asBoolean() && next != null && next.isTextual() && !next.asText().isEmpty() ? next.asText() : null;
      if (page != null && !cursors.add(page)) {
        throw new AdminApiException(path + " repeated the page cursor: stopping", 200);
      }
      if (pages.size() >= MAX_PAGES && page != null) {
        throw new AdminApiException(path + " has more than " + MAX_PAGES + " pages: narrow lookback_days", 200);
      }
    } while (page != null);
    return pages;
  }

  private JsonNode get(URI uri, String path, Map<String, String> headers) {
    HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout).GET().header("accept", "application/json");
    headers.forEach(req::header);
    HttpResponse<java.io.InputStream> resp;
    byte[] bytes;
    try {
      resp = client.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
      // Read at most one byte past the cap: a broken provider or proxy cannot fill the heap.
      try (java.io.InputStream in = resp.body()) {
        bytes = in.readNBytes(MAX_BODY_BYTES + 1);
      }
    } catch (IOException e) {
      throw new AdminApiException("GET " + path + " failed: " + e.getClass().getSimpleName(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminApiException("GET " + path + " interrupted", e);
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw new AdminApiException("GET " + path + " answered more than " + MAX_BODY_BYTES + " bytes", resp.statusCode());
    }
    if (resp.statusCode() / 100 != 2) {
      throw new AdminApiException("GET " + path + " answered " + resp.statusCode() + ": " + errorMessage(bytes),
          resp.statusCode());
    }
    try {
      JsonNode body = JSON.readTree(bytes);
      if (body == null || !body.isObject()) {
        throw new AdminApiException("GET " + path + " did not answer a JSON object", resp.statusCode());
      }
      return body;
    } catch (IOException e) {
      throw new AdminApiException("GET " + path + " did not answer JSON", resp.statusCode());
    }
  }

  /** The provider's {@code error.message} (both APIs use that shape), at most 200 characters. */
  static String errorMessage(byte[] body) {
    try {
      JsonNode m = JSON.readTree(body).path("error").path("message");
      String text = m.isTextual() ? m.asText() : "(no error message)";
      return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    } catch (IOException | RuntimeException e) {
      return "(no JSON error)";
    }
  }

  /** {@code group_by[]} goes out as {@code group_by%5B%5D}: java.net.URI refuses raw brackets in a query. */
  static String encode(List<Map.Entry<String, String>> params) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> p : params) {
      if (!out.isEmpty()) {
        out.append('&');
      }
      out.append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8))
          .append('=').append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
    }
    return out.toString();
  }
}
