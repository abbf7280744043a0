package io.tollgate.ingress.provider;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Set;

/**
 * CORS as LiteLLM answers it (any origin by default, every method and header), configurable by
 * origin. Unlike LiteLLM, never {@code access-control-allow-credentials}: Tollgate authenticates
 * by header, never by cookie, so a page on another origin gains nothing a script could not do
 * with the key anyway.
 */
final class Cors {
  private final boolean any;
  private final Set<String> origins;

  Cors(List<String> allowedOrigins) {
    this.any = allowedOrigins.contains("*");
    this.origins = Set.copyOf(allowedOrigins);
  }

  private boolean allowed(String origin) {
    return origin != null && (any || origins.contains(origin));
  }

  /** Headers to add to the answer of a request with this {@code Origin} (none when not allowed). */
  MultiMap headers(String origin) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    if (allowed(origin)) {
      h.set("access-control-allow-origin", any ? "*" : origin);
      h.set("access-control-expose-headers", "x-litellm-call-id, x-litellm-model-group, request-id, x-request-id");
      if (!any) {
        h.set("vary", "Origin");
      }
    }
    return h;
  }

  /** Whether the request is a preflight ({@code OPTIONS} with {@code access-control-request-method}). */
  static boolean preflight(HttpServerRequest req) {
    return req.method().name().equals("OPTIONS") && req.getHeader("access-control-request-method") != null;
  }

  /** Answers a preflight: 200 with what may follow, or 400 for an origin that is not allowed. */
  void answerPreflight(HttpServerRequest req) {
    String origin = req.getHeader("origin");
    if (!allowed(origin)) {
      req.response().setStatusCode(400).putHeader("content-type", "text/plain").end("Disallowed CORS origin");
      return;
    }
    String asked = req.getHeader("access-control-request-headers");
    req.response().headers().addAll(headers(origin))
        .set("access-control-allow-methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
        .set("access-control-allow-headers", asked == null ? "*" : asked)
        .set("access-control-max-age", "600");
    req.response().setStatusCode(200).end();
  }
}
