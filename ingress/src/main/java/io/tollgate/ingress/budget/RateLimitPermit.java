package io.tollgate.ingress.budget;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the rate limiter decided for one call: either a {@link #refusal()}, or a permit that holds
 * the call's parallel-request slots and token estimate until {@link #release} — which the request
 * path calls exactly once whatever happens to the call (success, upstream error, client abort,
 * cut stream, timeout); a second call is a no-op.
 */
public final class RateLimitPermit {
  /** No limit applies to the call: nothing held, no headers. */
  public static final RateLimitPermit UNLIMITED = new RateLimitPermit(null, null, null, 0, List.of(), null);

  /**
   * One scope's state right after the call was admitted, for the response headers.
   *
   * @param rpmLimit      null when the scope has no rpm limit (likewise tpm, parallel)
   */
  record Status(Scope scope, Long rpmLimit, long rpmRemaining, Long tpmLimit, long tpmRemaining, Long parallelLimit,
                long parallelRemaining) {
  }

  private final RateLimiter limiter;
  final RateLimitEntry[] entries;
  final boolean[] countsTokens;
  final long estimatedTokens;
  private final List<Status> statuses;
  private final RateLimitRefusal refusal;
  private final AtomicBoolean released = new AtomicBoolean();

  RateLimitPermit(RateLimiter limiter, RateLimitEntry[] entries, boolean[] countsTokens, long estimatedTokens,
                  List<Status> statuses, RateLimitRefusal refusal) {
    this.limiter = limiter;
    this.entries = entries;
    this.countsTokens = countsTokens;
    this.estimatedTokens = estimatedTokens;
    this.statuses = statuses;
    this.refusal = refusal;
  }

  static RateLimitPermit refused(RateLimitRefusal refusal) {
    return new RateLimitPermit(null, null, null, 0, List.of(), refusal);
  }

  /** Why the call is refused, or null when it is admitted. */
  public RateLimitRefusal refusal() {
    return refusal;
  }

  /**
   * Ends the call: frees its slots and replaces its token estimate by what it used.
   *
   * @param actualTokens input + output tokens the call used; negative when unknown (the estimate stays)
   */
  public void release(long actualTokens) {
    if (limiter != null && released.compareAndSet(false, true)) {
      limiter.release(this, actualTokens < 0 ? estimatedTokens : actualTokens);
    }
  }

  /**
   * The rate-limit headers of a successful answer. For each kind the call has a limit of, Tollgate's
   * numbers win (LiteLLM's rule: a key with limits gets its own remaining limits): the generic
   * OpenAI-style {@code x-ratelimit-{limit,remaining}-{requests,tokens}} carry the tightest scope,
   * and upstream's headers of that kind (OpenAI sends them for the operator's account) move to
   * {@code llm_provider-x-ratelimit-…}, LiteLLM's prefix for provider headers. A kind without a
   * Tollgate limit keeps upstream's header as it came. LiteLLM v3's per-scope headers
   * {@code x-ratelimit-{api_key,team,end_user}-{limit,remaining}-{requests,tokens,max_parallel_requests}}
   * are added for every limited scope.
   */
  public void writeHeaders(MultiMap headers) {
    if (statuses.isEmpty()) {
      return;
    }
    Status requests = null;
    Status tokens = null;
    for (Status s : statuses) {
      if (s.rpmLimit() != null && (requests == null || s.rpmRemaining() < requests.rpmRemaining())) {
        requests = s;
      }
      if (s.tpmLimit() != null && (tokens == null || s.tpmRemaining() < tokens.tpmRemaining())) {
        tokens = s;
      }
      String prefix = "x-ratelimit-" + descriptor(s.scope());
      put(headers, prefix, "requests", s.rpmLimit(), s.rpmRemaining());
      put(headers, prefix, "tokens", s.tpmLimit(), s.tpmRemaining());
      put(headers, prefix, "max_parallel_requests", s.parallelLimit(), s.parallelRemaining());
    }
    if (requests != null) {
      moveUpstream(headers, "requests");
      put(headers, "x-ratelimit", "requests", requests.rpmLimit(), requests.rpmRemaining());
    }
    if (tokens != null) {
      moveUpstream(headers, "tokens");
      put(headers, "x-ratelimit", "tokens", tokens.tpmLimit(), tokens.tpmRemaining());
    }
  }

  /**
   * Writes {@link #writeHeaders} into {@code resp} just before its head goes out — after upstream's
   * headers were copied, so Tollgate's win — when its status is below 400. Uses the response's one
   * headers-end handler.
   */
  public void writeHeadersOnSuccess(HttpServerResponse resp) {
    if (!statuses.isEmpty()) {
      resp.headersEndHandler(v -> {
        if (resp.getStatusCode() < 400) {
          writeHeaders(resp.headers());
        }
      });
    }
  }

  List<Status> statuses() {
    return statuses;
  }

  /** LiteLLM v3's descriptor names. */
  static String descriptor(Scope scope) {
    return switch (scope) {
      case KEY -> "api_key";
      case TEAM -> "team";
      case CUSTOMER -> "end_user";
    };
  }

  private static void put(MultiMap headers, String prefix, String type, Long limit, long remaining) {
    if (limit != null) {
      headers.set(prefix + "-limit-" + type, Long.toString(limit));
      headers.set(prefix + "-remaining-" + type, Long.toString(Math.max(0, remaining)));
    }
  }

  private static void moveUpstream(MultiMap headers, String type) {
    for (String what : new String[] {"limit", "remaining", "reset"}) {
      String name = "x-ratelimit-" + what + "-" + type;
      List<String> values = List.copyOf(headers.getAll(name));
      if (!values.isEmpty()) {
        headers.remove(name);
        headers.set("llm_provider-" + name, values);
      }
    }
  }
}
