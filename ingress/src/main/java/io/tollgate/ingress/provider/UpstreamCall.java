package io.tollgate.ingress.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.usage.Api;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.Locale;
import java.util.Set;

/**
 * What goes upstream for a call: URL, headers (client headers filtered, provider auth set) and
 * body (the client's bytes unchanged unless the model name must change or OpenAI's
 * {@code stream_options.include_usage} must be added so the stream reports usage).
 */
final class UpstreamCall {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade", "host", "content-length");
  static final String ANTHROPIC_VERSION = "2023-06-01";

  private UpstreamCall() {
  }

  static String url(Deployment d, Api api, String query) {
    String base = d.apiBase();
    String path = switch (api) {
      case MESSAGES -> "/v1/messages";
      case COUNT_TOKENS -> "/v1/messages/count_tokens";
      case CHAT_COMPLETIONS -> "/v1/chat/completions";
      case RESPONSES -> "/v1/responses";
      case EMBEDDINGS -> "/v1/embeddings";
    };
    if (base.endsWith("/v1")) {
      path = path.substring(3); // OpenAI-style bases already end in /v1
    }
    return base + path + (query == null || query.isEmpty() ? "" : "?" + query);
  }

  /**
   * Headers for upstream. Forwarded from the client: {@code x-*} and {@code anthropic-*}, never
   * {@code x-litellm-*}, {@code x-stainless-*}, hop-by-hop headers or the gateway key. Auth is the
   * provider key — or, for Claude Max / OAuth passthrough (key in {@code x-litellm-api-key} and
   * header forwarding on), the client's own {@code Authorization}.
   */
  static MultiMap headers(MultiMap client, Deployment d, KeyAuth.Identity identity) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    client.forEach(h -> {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      boolean forwardable = (name.startsWith("x-") || name.startsWith("anthropic-"))
          && !name.startsWith("x-litellm-") && !name.startsWith("x-stainless-") && !name.equals("x-api-key")
          && !HOP_BY_HOP.contains(name);
      if (forwardable) {
        out.add(h.getKey(), h.getValue());
      }
    });
    out.set("content-type", "application/json");
    // The tap must read plain bytes; compression would only save loopback/LAN bandwidth here.
    out.set("accept-encoding", "identity");
    String clientAuth = client.get("authorization");
    boolean passthrough = d.forwardClientHeaders() && identity != null
        && identity.source() == KeyAuth.Source.LITELLM_HEADER && clientAuth != null;
    if (passthrough) {
      out.set("authorization", clientAuth);
    } else if (d.apiKey() != null && !d.apiKey().isEmpty()) {
      if (d.provider().equals("anthropic")) {
        out.set("x-api-key", d.apiKey());
      } else {
        out.set("authorization", "Bearer " + d.apiKey());
      }
    }
    if (d.provider().equals("anthropic") && !out.contains("anthropic-version")) {
      out.set("anthropic-version", ANTHROPIC_VERSION);
    }
    return out;
  }

  /** The body to send: the client's bytes, or a rewrite when the model or include_usage must change. */
  static Buffer body(Buffer raw, JsonNode json, String upstreamModel, Api api, boolean streamed, boolean clientAskedUsage) {
    boolean renameModel = upstreamModel != null && !upstreamModel.equals(json.path("model").asText());
    boolean addUsage = api == Api.CHAT_COMPLETIONS && streamed && !clientAskedUsage;
    if (!renameModel && !addUsage) {
      return raw;
    }
    ObjectNode copy = ((ObjectNode) json).deepCopy();
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
      if (name.equals("content-length") ? keepLength : !HOP_BY_HOP.contains(name)) {
        client.add(h.getKey(), h.getValue());
      }
    });
  }
}
