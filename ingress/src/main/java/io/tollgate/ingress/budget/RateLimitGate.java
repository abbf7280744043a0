package io.tollgate.ingress.budget;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.ingress.usage.Api;
import java.util.Objects;

/**
 * The request path's one entry to rate limits: the call's scopes from the directory, its token
 * estimate, the limiter's decision. {@code count_tokens} calls are not limited: they generate
 * nothing, cost nothing upstream, and Claude Code sends many of them alongside its real calls.
 */
public final class RateLimitGate {
  /** No directory, no limits (a gateway without a key store). */
  public static final RateLimitGate NONE = new RateLimitGate(null, null);

  private final CallScopes scopes;
  private final RateLimiter limiter;

  public RateLimitGate(CallScopes scopes, RateLimiter limiter) {
    this.scopes = scopes;
    this.limiter = limiter;
    if ((scopes == null) != (limiter == null)) {
      throw new IllegalArgumentException("scopes and limiter go together");
    }
  }

  /**
   * @param keyHash    the authenticated key's hash, or null
   * @param customerId the call's customer, or null
   * @param json       the parsed body
   * @param bodyBytes  the body's size
   */
  public RateLimitPermit admit(Api api, String keyHash, String customerId, JsonNode json, long bodyBytes) {
    if (limiter == null || api == Api.COUNT_TOKENS) {
      return RateLimitPermit.UNLIMITED;
    }
    Objects.requireNonNull(api, "api");
    return limiter.admit(scopes.of(keyHash, customerId), RateLimitTokens.estimate(json, bodyBytes));
  }

  /** The limiter, or null when there is none. */
  public RateLimiter limiter() {
    return limiter;
  }
}
