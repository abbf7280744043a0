package io.tollgate.ingress.provider;

import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.identity.KeyAuth;
import io.vertx.core.MultiMap;
import java.util.Locale;
import java.util.Set;

/**
 * The headers a call sends upstream, following LiteLLM's proxy ({@code clean_headers},
 * {@code add_provider_specific_headers_to_request}, {@code _get_forwardable_headers}):
 * <ul>
 *   <li>by default only {@code anthropic-version} and {@code anthropic-beta}, and only to Anthropic;
 *   <li>{@code forward_client_headers_to_llm_api} (globally or for the model group) adds the
 *       client's {@code x-*} headers;
 *   <li>never {@code x-litellm-*}, {@code x-stainless-*}, hop-by-hop headers, cookies, a proxy's
 *       {@code x-forwarded-*} ({@link ProxyHeaders}), or any credential header the gateway does not
 *       put there itself.
 * </ul>
 * Auth, in LiteLLM's order: a Claude Max / Claude Code OAuth token ({@code Authorization: Bearer
 * sk-ant-oat…}) goes to an Anthropic upstream instead of the configured key; with
 * {@code forward_llm_provider_auth_headers} (BYOK) the client's {@code x-api-key} replaces the
 * configured key, for either provider; else the configured key (Gemini's in {@code x-goog-api-key}). The header (and value) that
 * authenticated the caller to the gateway is never any of these.
 */
final class UpstreamHeaders {
  static final String ANTHROPIC_VERSION = "2023-06-01";
  static final String OAUTH_PREFIX = "sk-ant-oat";
  /** Anthropic rejects OAuth tokens without this beta; LiteLLM adds it the same way. */
  static final String OAUTH_BETA = "oauth-2025-04-20";
  private static final Set<String> ANTHROPIC_HEADERS = Set.of("anthropic-version", "anthropic-beta");
  /** LiteLLM's SpecialHeaders: credentials for one hop only, never copied as plain headers. */
  private static final Set<String> CREDENTIALS = Set.of("authorization", "x-api-key", "api-key", "x-goog-api-key",
      "ocp-apim-subscription-key", KeyAuth.LITELLM_KEY_HEADER, "proxy-authorization", "x-amz-security-token");
  private static final Set<String> NEVER = Set.of("connection", "keep-alive", "proxy-authenticate", "te", "trailer",
      "trailers", "transfer-encoding", "upgrade", "host", "content-length", "content-type", "accept-encoding",
      "cookie", "set-cookie");

  private UpstreamHeaders() {
  }

  /**
   * @param client                     the client's request headers
   * @param d                          the deployment called
   * @param identity                   who authenticated, and through which header
   * @param forwardProviderAuthHeaders {@code litellm_settings.forward_llm_provider_auth_headers}
   */
  static MultiMap build(MultiMap client, Deployment d, KeyAuth.Identity identity, boolean forwardProviderAuthHeaders) {
    boolean anthropic = d.provider().equals("anthropic");
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    client.forEach(h -> {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (forwardable(name, anthropic, d.forwardClientHeaders()) && !identity.isKey(h.getValue())) {
        out.add(h.getKey(), h.getValue());
      }
    });
    out.set("content-type", "application/json");
    // The tap must read plain bytes; compression would only save loopback/LAN bandwidth here.
    out.set("accept-encoding", "identity");
    String oauth = anthropic ? oauthToken(client, identity) : null;
    String byok = forwardProviderAuthHeaders ? clientProviderKey(client, identity) : null;
    if (oauth != null) {
      out.set("authorization", oauth);
      out.set("anthropic-beta", withBeta(out.get("anthropic-beta"), OAUTH_BETA));
      out.set("anthropic-dangerous-direct-browser-access", "true");
    } else {
      String key = byok != null ? byok : d.apiKey();
      if (key != null && !key.isEmpty()) {
        if (anthropic) {
          out.set("x-api-key", key);
        } else if (d.provider().equals("gemini")) {
          out.set("x-goog-api-key", key);
        } else {
          out.set("authorization", "Bearer " + key);
        }
      }
    }
    if (anthropic && !out.contains("anthropic-version")) {
      out.set("anthropic-version", ANTHROPIC_VERSION);
    }
    return out;
  }

  private static boolean forwardable(String name, boolean anthropic, boolean forwardClientHeaders) {
    if (NEVER.contains(name) || CREDENTIALS.contains(name) || name.startsWith("x-litellm-")
        || name.startsWith("x-stainless") || ProxyHeaders.fromProxy(name)) {
      return false;
    }
    if (anthropic && ANTHROPIC_HEADERS.contains(name)) {
      return true;
    }
    return forwardClientHeaders && name.startsWith("x-");
  }

  /** The client's {@code Authorization} when it is an Anthropic OAuth token and did not log in to the gateway. */
  private static String oauthToken(MultiMap client, KeyAuth.Identity identity) {
    String auth = client.get("authorization");
    if (auth == null || identity.source() == KeyAuth.Source.AUTHORIZATION || identity.isKey(auth)) {
      return null;
    }
    String v = auth.strip();
    return v.startsWith("Bearer " + OAUTH_PREFIX) ? v : null;
  }

  /** BYOK: the client's {@code x-api-key}, unless that header is what logged in to the gateway. */
  private static String clientProviderKey(MultiMap client, KeyAuth.Identity identity) {
    String key = client.get("x-api-key");
    if (key == null || key.isBlank() || identity.source() == KeyAuth.Source.X_API_KEY || identity.isKey(key)) {
      return null;
    }
    return key.strip();
  }

  private static String withBeta(String existing, String beta) {
    if (existing == null || existing.isBlank()) {
      return beta;
    }
    for (String b : existing.split(",")) {
      if (b.strip().equals(beta)) {
        return existing;
      }
    }
    return existing + "," + beta;
  }
}
