package io.tollgate.ingress.budget;

import io.vertx.core.MultiMap;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Why a call was refused: which scope's which limit, the scope's counts when it was refused, and
 * when to retry. {@link #message()} is LiteLLM's wording, so clients and runbooks that match on
 * "Crossed TPM / RPM / Max Parallel Request Limit" keep working.
 *
 * @param scope             the scope whose limit tripped (key, team, customer)
 * @param kind              which of its limits
 * @param retryAfterSeconds when the call would be admitted, if nothing else arrives (at least 1)
 * @param resetAt           now + retry-after
 * @param requests          requests counted in the sliding minute
 * @param tokens            tokens counted in the sliding minute (estimates of calls in flight included)
 * @param inFlight          calls in flight
 * @param rpmLimit          this instance's rpm limit, null when unset
 * @param tpmLimit          this instance's tpm limit, null when unset
 * @param parallelLimit     this instance's max_parallel_requests, null when unset
 * @param instances         how many instances share the limits (see docs/rate-limits.md)
 */
public record RateLimitRefusal(ScopeLimits scope, RateLimitKind kind, long retryAfterSeconds, Instant resetAt,
                               long requests, long tokens, long inFlight, Long rpmLimit, Long tpmLimit,
                               Long parallelLimit, int instances) {
  /** How much of a client-supplied id (a customer id) an error names. */
  static final int MAX_LABEL = 200;
  private static final DateTimeFormatter RESET = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
      .withZone(ZoneOffset.UTC);

  /** LiteLLM's message, then which limit tripped and when to retry. Never a key: keys are named by alias. */
  public String message() {
    // A key without alias or name is named by the start of its hash, as /key/list shows it (never the key).
    String label = scope.label() != null ? scope.label()
        : scope.scope() == Scope.KEY && scope.id() != null ? "hash " + scope.id().substring(0, Math.min(12, scope.id().length()))
        : scope.id();
    if (label != null && label.length() > MAX_LABEL) {
      label = label.substring(0, MAX_LABEL) + "…";
    }
    return "LiteLLM Rate Limit Handler for rate limit type = " + scope.scope().wire()
        + ". Crossed TPM / RPM / Max Parallel Request Limit. current rpm: " + requests + ", rpm limit: " + shown(rpmLimit)
        + ", current tpm: " + tokens + ", tpm limit: " + shown(tpmLimit) + ", current max_parallel_requests: "
        + inFlight + ", max_parallel_requests: " + shown(parallelLimit) + ". Limit reached: " + kind.litellm()
        + " of " + scope.scope().wire() + " '" + label + "'" + (instances > 1 ? " (this gateway's share, 1/"
        + instances + " of the configured limit)" : "") + ". Retry after " + retryAfterSeconds + " s.";
  }

  /** The 429's headers: {@code retry-after} (seconds) and LiteLLM's {@code rate_limit_type}, {@code reset_at}. */
  public void writeHeaders(MultiMap headers) {
    headers.set("retry-after", Long.toString(retryAfterSeconds));
    headers.set("rate_limit_type", kind.litellm());
    headers.set("reset_at", RESET.format(resetAt));
  }

  /** LiteLLM prints an unset limit as Python's sys.maxsize. */
  private static long shown(Long limit) {
    return limit == null ? Long.MAX_VALUE : limit;
  }
}
