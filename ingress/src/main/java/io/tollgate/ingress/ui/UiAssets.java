package io.tollgate.ingress.ui;

import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The UI's static files, from this jar: {@code /ui/...} from {@code tollgate-ui/}, and
 * {@code /ui/vendor/uplot/...} from the uPlot webjar's {@code dist/} folder. Only plain names
 * ({@code [a-z0-9._-]} segments, no {@code ..}) are looked up; files are read once, on a worker
 * thread (never on the event loop), and kept.
 */
final class UiAssets {
  /** The uPlot webjar's version; the parent POM pins the same one. */
  static final String UPLOT_VERSION = "1.6.30";
  private static final String UPLOT = "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/";
  private static final Pattern SAFE = Pattern.compile("(?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,80}/){0,3}[A-Za-z0-9_-][A-Za-z0-9._-]{0,80}");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png",
      "ico", "image/x-icon");
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  /**
   * Answers {@code path} (under {@code /ui}) with the file, or 404. A file not read yet is read on
   * {@code workers} (a jar read blocks), the answer is sent back on the caller's context.
   */
  void serve(String path, HttpServerResponse response, WorkerExecutor workers) {
    if (path.equals("/ui")) {
      response.setStatusCode(302).putHeader("location", "/ui/").end();
      return;
    }
    String name = path.substring("/ui/".length());
    if (name.isEmpty()) {
      name = "index.html";
    }
    String resource = resource(name);
    String ext = name.substring(name.lastIndexOf('.') + 1);
    if (resource == null || !TYPES.containsKey(ext)) {
      send(response, null, ext);
      return;
    }
    byte[] known = cache.get(resource);
    if (known != null) {
      send(response, known, ext);
      return;
    }
    workers.<byte[]>executeBlocking(() -> file(resource), false).onComplete(ar -> {
      if (ar.failed()) {
        if (!response.ended() && !response.closed()) {
          response.setStatusCode(500).putHeader("content-type", "text/plain; charset=utf-8").end("cannot read the page");
        }
        return;
      }
      send(response, ar.result(), ext);
    });
  }

  private static void send(HttpServerResponse response, byte[] body, String ext) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (body == null) {
      response.setStatusCode(404).putHeader("content-type", "text/plain; charset=utf-8").end("no such page under /ui");
      return;
    }
    // Revalidated on every load: a gateway upgrade shows its own pages at once.
    response.putHeader("content-type", TYPES.get(ext)).putHeader("cache-control", "no-cache").end(Buffer.buffer(body));
  }

  /** The classpath resource of a file name under /ui/, or null when the name is not a plain one. */
  static String resource(String name) {
    if (!SAFE.matcher(name).matches() || name.contains("..")) {
      return null;
    }
    if (name.startsWith("vendor/uplot/")) {
      return UPLOT + name.substring("vendor/uplot/".length());
    }
    return "tollgate-ui/" + name;
  }

  /** Only files that exist are kept: names a client makes up cannot grow the cache. */
  private byte[] file(String resource) {
    byte[] known = cache.get(resource);
    if (known == null) {
      known = read(resource).orElse(null);
      if (known != null) {
        cache.put(resource, known);
      }
    }
    return known;
  }

  private static Optional<byte[]> read(String resource) {
    try (InputStream in = UiAssets.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }
}
