package io.tollgate.ingress.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.usage.Api;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What goes upstream for a call besides its headers ({@link UpstreamHeaders}): the URL, and the
 * body — the client's bytes unchanged unless the model name must change, OpenAI's
 * {@code stream_options.include_usage} must be added so the stream reports usage, or the body
 * carries gateway-only fields a provider would reject.
 */
final class UpstreamCall {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade", "host", "content-length");
  /**
   * Fields only LiteLLM's proxy reads (its metadata, routing, retry and guardrail controls, its
   * session/trace ids, its mocks); LiteLLM consumes them before calling the provider, and a strict
   * provider answers 400 to an unknown field. {@code metadata} and {@code user} stay: they are
   * provider parameters too.
   */
  static final List<String> GATEWAY_ONLY_FIELDS = List.of("litellm_metadata", "litellm_session_id",
      "litellm_trace_id", "proxy_server_request", "secret_fields", "mock_response", "mock_tool_calls",
      "guardrails", "guardrail_config", "policies", "num_retries", "fallbacks", "context_window_fallbacks",
      "disable_fallbacks", "tags");

  /** Upstream answer headers about the operator's provider account (and its cookies): never to clients. */
  private static final java.util.Set<String> OPERATOR_ONLY = java.util.Set.of("set-cookie", "set-cookie2",
      "openai-organization", "openai-project", "anthropic-organization-id");

  /** Query-less upstream URLs of non-wildcard deployments (from the configuration, so few) parsed once each; bounded all the same. */
  private static final int PARSED_MAX = 1024;
  private static final java.util.concurrent.ConcurrentHashMap<String, java.net.URL> PARSED =
      new java.util.concurrent.ConcurrentHashMap<>();

  private UpstreamCall() {
  }

  /** A deployment whose upstream model is its own, not the client's (no wildcard): its URLs come from the configuration. */
  static boolean fixedModel(Deployment d) {
    return !d.wildcard() && d.upstreamModel() != null && !d.upstreamModel().contains("*");
  }

  /**
   * {@code url} parsed as {@code RequestOptions.setAbsoluteURI(String)} parses it, once per
   * distinct URL without a query (parsing it was ~1.5 % of the event loop's samples under load).
   * A URL with a query (the client's own) is parsed every time and never kept: its text is the
   * caller's. So is one that is not {@code cacheable}: a wildcard deployment's URL may hold the
   * client's model name (Gemini's path), which must not fill the cache.
   */
  @SuppressWarnings("deprecation") // new URL(String): the very parse Vert.x does, so nothing parses differently
  static java.net.URL parsed(String url, boolean cacheable) {
    java.net.URL u = PARSED.get(url);
    if (u != null) {
      return u;
    }
    try {
      u = new java.net.URL(url);
    } catch (java.net.MalformedURLException e) {
      throw new io.vertx.core.VertxException("Invalid url: " + url, e);
    }
    if (cacheable && url.indexOf('?') < 0 && PARSED.size() < PARSED_MAX) {
      PARSED.putIfAbsent(url, u);
    }
    return u;
  }

  /**
   * The upstream URL. Anthropic: {@code /v1/messages…} after the base (a base ending in {@code /v1}
   * keeps it once). OpenAI, as the OpenAI SDK under LiteLLM does: the base is the API root, so
   * {@code /chat/completions} is appended to whatever path it has ({@code …/v1},
   * {@code …/v1beta/openai}, {@code …/api/v3}); a bare host (no path at all) gets {@code /v1} first,
   * where LiteLLM would call {@code host/chat/completions}, which no OpenAI-compatible server serves.
   */
  static String url(Router.Target target, Api api, String query) {
    if (api.gemini()) {
      return GeminiRoutes.url(target.deployment(), api, target.upstreamModel(), query);
    }
    return url(target.deployment(), api, query);
  }

  static String url(Deployment d, Api api, String query) {
    String base = withoutTrailingSlashes(d.apiBase()); // per call: no regex compiled for it
    String path = switch (api) {
      case MESSAGES -> "/v1/messages";
      case COUNT_TOKENS -> "/v1/messages/count_tokens";
      case CHAT_COMPLETIONS -> "/v1/chat/completions";
      case RESPONSES -> "/v1/responses";
      case EMBEDDINGS -> "/v1/embeddings";
      default -> throw new IllegalArgumentException("Gemini URLs need the model: " + api);
    };
    boolean openAi = !d.provider().equals("anthropic");
    if (base.endsWith("/v1") || (openAi && hasPath(base))) {
      path = path.substring(3);
    }
    return base + path + (query == null || query.isEmpty() ? "" : "?" + query);
  }

  private static String withoutTrailingSlashes(String base) {
    int end = base.length();
    while (end > 0 && base.charAt(end - 1) == '/') {
      end--;
    }
    return base.substring(0, end);
  }

  private static boolean hasPath(String base) {
    try {
      String path = URI.create(base).getRawPath();
      return path != null && !path.isEmpty() && !path.equals("/");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The body to send: the client's bytes, or a rewrite when the model, include_usage or a gateway field must change. */
  static Buffer body(Buffer raw, JsonNode json, String upstreamModel, Api api, boolean streamed, boolean clientAskedUsage) {
    // Gemini names the model in the URL; a body field would be one more place for it to disagree.
    boolean renameModel = !api.gemini() && upstreamModel != null && !upstreamModel.equals(json.path("model").asText());
    boolean addUsage = api == Api.CHAT_COMPLETIONS && streamed && !clientAskedUsage;
    // metadata.tags are the gateway's (spend by tag): Anthropic's metadata takes only user_id, OpenAI's
    // only string values, Gemini has none; each answers 400 to them.
    boolean metadataTags = json.path("metadata").has("tags");
    boolean strip = metadataTags;
    for (String field : GATEWAY_ONLY_FIELDS) {
      strip |= json.has(field);
    }
    if (!renameModel && !addUsage && !strip) {
      return raw;
    }
    ObjectNode copy = ((ObjectNode) json).deepCopy();
    copy.remove(GATEWAY_ONLY_FIELDS);
    if (metadataTags && copy.get("metadata") instanceof ObjectNode metadata) {
      metadata.remove("tags");
      if (metadata.isEmpty()) {
        copy.remove("metadata"); // what the client would have sent without tags
      }
    }
    if (renameModel) {
      copy.put("model", upstreamModel);
    }
    if (addUsage) {
      JsonNode opts = copy.get("stream_options");
      ObjectNode streamOptions = opts instanceof ObjectNode o ? o : copy.putObject("stream_options");
      streamOptions.put("include_usage", true);
    }
    try {
      return Buffer.buffer(JSON.writeValueAsBytes(copy));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Response headers for the client: upstream's, minus hop-by-hop ones (and length when rewriting). */
  static void copyResponseHeaders(MultiMap upstream, MultiMap client, boolean keepLength) {
    upstream.forEach(h -> {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (OPERATOR_ONLY.contains(name)) {
        return;
      }
      if (name.equals("content-length") ? keepLength : !HOP_BY_HOP.contains(name)) {
        client.add(h.getKey(), h.getValue());
      }
    });
  }
}
