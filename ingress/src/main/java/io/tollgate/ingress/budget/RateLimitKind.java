package io.tollgate.ingress.budget;

/**
 * The three rate limits a scope can have. {@link #label()} is the metric label (bounded),
 * {@link #litellm()} LiteLLM's {@code rate_limit_type} (header suffix and 429 header).
 */
public enum RateLimitKind {
  RPM("rpm", "requests"), TPM("tpm", "tokens"), PARALLEL("parallel", "max_parallel_requests");

  private final String label;
  private final String litellm;

  RateLimitKind(String label, String litellm) {
    this.label = label;
    this.litellm = litellm;
  }

  public String label() {
    return label;
  }

  public String litellm() {
    return litellm;
  }
}
