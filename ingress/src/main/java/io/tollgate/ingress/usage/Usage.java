package io.tollgate.ingress.usage;

/**
 * Token usage of one call, normalized to Anthropic's meaning: {@code inputTokens} excludes cache
 * reads and writes; {@code reasoningTokens} are a part of {@code outputTokens}.
 *
 * @param inputTokens        uncached input tokens
 * @param outputTokens       output tokens, reasoning included
 * @param cacheReadTokens    prompt-cache reads
 * @param cacheWrite5mTokens prompt-cache writes with the 5-minute TTL
 * @param cacheWrite1hTokens prompt-cache writes with the 1-hour TTL
 * @param reasoningTokens    reasoning tokens (informational: already in output)
 * @param model              the model upstream reported, or null
 * @param upstreamId         the response/message id upstream reported, or null
 * @param complete           true when the final usage was seen (false: a stream cut short)
 */
public record Usage(long inputTokens, long outputTokens, long cacheReadTokens, long cacheWrite5mTokens,
                    long cacheWrite1hTokens, long reasoningTokens, String model, String upstreamId,
                    boolean complete) {
  /** No usage seen at all. */
  public static final Usage NONE = new Usage(0, 0, 0, 0, 0, 0, null, null, false);

  public Usage {
    if (inputTokens < 0 || outputTokens < 0 || cacheReadTokens < 0 || cacheWrite5mTokens < 0
        || cacheWrite1hTokens < 0 || reasoningTokens < 0) {
      throw new IllegalArgumentException("token counts must not be negative");
    }
  }

  /** Tokens of the prompt as a whole (what the 200k pricing tier is measured against). */
  public long promptTokens() {
    return inputTokens + cacheReadTokens + cacheWrite5mTokens + cacheWrite1hTokens;
  }
}
