package io.tollgate.ingress.budget;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.ingress.usage.Usage;

/**
 * Tokens as {@code tpm_limit} counts them: input (cache reads and writes included, as LiteLLM's
 * {@code total_tokens} does) plus output. Before a call runs they can only be estimated: its body
 * at four bytes a token — the usual rule of thumb for text, and an over-estimate for base64 images
 * and documents — plus the output it asks for at most ({@code max_tokens},
 * {@code max_completion_tokens} or {@code max_output_tokens}; nothing when it names none). The
 * estimate counts while the call is in flight and is replaced by the real usage when it ends.
 */
public final class RateLimitTokens {
  private RateLimitTokens() {
  }

  /** The estimate for a request body ({@code json} may be null). */
  public static long estimate(JsonNode json, long bodyBytes) {
    long input = Math.max(0, bodyBytes) / 4 + (bodyBytes % 4 == 0 ? 0 : 1);
    long output = 0;
    if (json != null) {
      for (String field : new String[] {"max_tokens", "max_completion_tokens", "max_output_tokens"}) {
        JsonNode n = json.get(field);
        if (n != null && n.canConvertToLong() && n.isIntegralNumber()) {
          output = Math.clamp(n.longValue(), 0, Usage.MAX_COUNT);
          break;
        }
      }
    }
    return Math.min(input, Usage.MAX_COUNT) + output;
  }

  /** What a finished call used (every count is clamped to {@link Usage#MAX_COUNT}, so the sum cannot overflow). */
  public static long used(Usage usage) {
    return usage.promptTokens() + usage.outputTokens();
  }
}
