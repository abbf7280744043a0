package io.tollgate.ingress.provider;

import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.usage.Api;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The Gemini API's routes, as the Google GenAI SDKs and Gemini CLI call them and as LiteLLM
 * serves them: {@code POST /v1beta/models/{model}:generateContent}, {@code :streamGenerateContent}
 * ({@code ?alt=sse} for SSE, else a JSON array streamed element by element), {@code :countTokens},
 * {@code :embedContent}; also under {@code /v1}, without a version ({@code /models/…}), and under
 * LiteLLM's pass-through prefix {@code /gemini}. The model is the path's, not the body's: the
 * path is what Google reads, so routing by anything else could bill one model and call another.
 *
 * <p>The caller's key may come in {@code x-goog-api-key}, {@code ?key=} or
 * {@code Authorization: Bearer}; {@code key} is removed from every query that goes upstream
 * (the deployment's key goes in {@code x-goog-api-key} instead).
 */
public final class GeminiRoutes {
  private static final String MODELS = "/models/";

  private GeminiRoutes() {
  }

  /** The Gemini API of {@code path}, or null when it is no Gemini route. */
  public static Api api(String path) {
    String rest = modelAndMethod(path);
    if (rest == null) {
      return null;
    }
    int colon = rest.lastIndexOf(':');
    return switch (rest.substring(colon + 1)) {
      case "generateContent" -> Api.GENERATE_CONTENT;
      case "streamGenerateContent" -> Api.STREAM_GENERATE_CONTENT;
      case "countTokens" -> Api.GEMINI_COUNT_TOKENS;
      case "embedContent" -> Api.EMBED_CONTENT;
      default -> null;
    };
  }

  /** The model named by a Gemini route's path (percent-decoded), or null. */
  public static String model(String path) {
    String rest = modelAndMethod(path);
    if (rest == null) {
      return null;
    }
    String raw = rest.substring(0, rest.lastIndexOf(':'));
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return raw; // a malformed escape: the name as sent, which no deployment will match
    }
  }

  /** Whether a path looks like a Gemini call (for the error shape of a path no route serves). */
  public static boolean looksLikeGemini(String path) {
    return path != null && path.contains(MODELS) && path.indexOf(':', path.indexOf(MODELS)) > 0;
  }

  /** {@code models/{model}:{method}} of a Gemini path without its prefixes, or null. */
  private static String modelAndMethod(String path) {
    if (path == null) {
      return null;
    }
    String p = path.startsWith("/gemini/") ? path.substring("/gemini".length()) : path;
    for (String version : new String[] {"/v1beta", "/v1alpha", "/v1"}) {
      if (p.startsWith(version + "/")) {
        p = p.substring(version.length());
        break;
      }
    }
    if (!p.startsWith(MODELS)) {
      return null;
    }
    String rest = p.substring(MODELS.length());
    int colon = rest.lastIndexOf(':');
    // one path segment only: models/a/b:generateContent is not a model name
    return colon <= 0 || rest.substring(0, colon).indexOf('/') >= 0 ? null : rest;
  }

  /**
   * A credential lookup for a Gemini route: the request's headers, plus the {@code key} query
   * parameter under {@link KeyAuth#QUERY_KEY} (a name no real header can have).
   */
  public static Function<String, String> credentials(Function<String, String> headers, String query) {
    String key = queryKey(query);
    return name -> KeyAuth.QUERY_KEY.equals(name) ? key : headers.apply(name);
  }

  /** The value of the first {@code key} parameter of {@code query}, or null. */
  static String queryKey(String query) {
    if (query == null || query.isEmpty()) {
      return null;
    }
    for (String part : query.split("&")) {
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      if (name.equals("key") && eq >= 0) {
        try {
          return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return part.substring(eq + 1);
        }
      }
    }
    return null;
  }

  /** {@code query} without any {@code key} parameter (the caller's credential), or null when nothing is left. */
  static String withoutKey(String query) {
    if (query == null || query.isEmpty()) {
      return null;
    }
    List<String> kept = new ArrayList<>();
    for (String part : query.split("&")) {
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      if (!name.equals("key") && !part.isEmpty()) {
        kept.add(part);
      }
    }
    return kept.isEmpty() ? null : String.join("&", kept);
  }

  /**
   * The upstream URL: {@code {base}/v1beta/models/{model}:{method}}, or {@code {base}/models/…}
   * when the base already ends in a version ({@code …/v1beta}, {@code …/v1}); the query without
   * {@code key}.
   */
  static String url(Deployment d, Api api, String upstreamModel, String query) {
    String base = d.apiBase().replaceAll("/+$", "");
    String path = versioned(base) ? "" : "/v1beta";
    String method = switch (api) {
      case GENERATE_CONTENT -> "generateContent";
      case STREAM_GENERATE_CONTENT -> "streamGenerateContent";
      case GEMINI_COUNT_TOKENS -> "countTokens";
      case EMBED_CONTENT -> "embedContent";
      default -> throw new IllegalArgumentException("not a Gemini API: " + api);
    };
    String model = java.net.URLEncoder.encode(upstreamModel, StandardCharsets.UTF_8);
    String q = withoutKey(query);
    return base + path + MODELS + model + ":" + method + (q == null ? "" : "?" + q);
  }

  private static boolean versioned(String base) {
    try {
      String path = URI.create(base).getRawPath();
      return path != null && path.matches(".*/v1(alpha|beta)?$");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
