package io.tollgate.ingress.usage;

/**
 * Token usage of one call, normalized to Anthropic's meaning: {@code inputTokens} excludes cache
 * reads and writes; {@code reasoningTokens} are a part of {@code outputTokens}.
 *
 * <p>Never throws: a count outside {@code [0, MAX_COUNT]} (negative, or larger than any call can
 * be) is clamped into it and {@code clamped} is set, because the event must be written whatever
 * upstream sent — a bad number is a fact to record, not a reason to lose the call.
 *
 * @param inputTokens        uncached input tokens
 * @param outputTokens       output tokens, reasoning included
 * @param cacheReadTokens    prompt-cache reads
 * @param cacheWrite5mTokens prompt-cache writes with the 5-minute TTL
 * @param cacheWrite1hTokens prompt-cache writes with the 1-hour TTL
 * @param reasoningTokens    reasoning tokens (informational: already in output, so at most output)
 * @param model              the model upstream reported, or null
 * @param upstreamId         the response/message id upstream reported, or null
 * @param complete           true when the final usage was seen; always {@code source.isFinal()}
 * @param webSearchRequests  server-side web searches (Anthropic {@code server_tool_use.web_search_requests})
 * @param serviceTier        the service tier upstream reported ({@code standard}, {@code default},
 *                           {@code batch}, {@code priority}, {@code flex}, …), or null
 * @param source             where the counts came from; null derives it from {@code complete}
 * @param clamped            true when a count upstream sent was out of range, not an integer, not
 *                           a number, or cached tokens exceeded the prompt, and was corrected
 */
public record Usage(long inputTokens, long outputTokens, long cacheReadTokens, long cacheWrite5mTokens,
                    long cacheWrite1hTokens, long reasoningTokens, String model, String upstreamId,
                    boolean complete, long webSearchRequests, String serviceTier, UsageSource source,
                    boolean clamped) {
  /**
   * Largest count accepted for any kind of token (and web searches): 10^10, thousands of times any
   * context window, yet small enough that a count times any real per-token price fits in a long.
   */
  public static final long MAX_COUNT = 10_000_000_000L;

  /** No usage seen at all. */
  public static final Usage NONE = new Usage(0, 0, 0, 0, 0, 0, null, null, false, 0, null, UsageSource.NONE, false);

  public Usage {
    long[] counts = {inputTokens, outputTokens, cacheReadTokens, cacheWrite5mTokens, cacheWrite1hTokens,
        reasoningTokens, webSearchRequests};
    for (int i = 0; i < counts.length; i++) {
      long c = Math.clamp(counts[i], 0, MAX_COUNT);
      clamped |= c != counts[i];
      counts[i] = c;
    }
    inputTokens = counts[0];
    outputTokens = counts[1];
    cacheReadTokens = counts[2];
    cacheWrite5mTokens = counts[3];
    cacheWrite1hTokens = counts[4];
    webSearchRequests = counts[6];
    reasoningTokens = Math.min(counts[5], outputTokens);
    clamped |= reasoningTokens != counts[5];
    if (source == null) {
      boolean any = inputTokens + outputTokens + cacheReadTokens + cacheWrite5mTokens + cacheWrite1hTokens
          + webSearchRequests > 0;
      source = complete ? UsageSource.RESPONSE : any ? UsageSource.PARTIAL : UsageSource.NONE;
    }
    complete = source.isFinal();
  }

  /** The usage as before v2 (no web search, no tier, source from {@code complete}). */
  public Usage(long inputTokens, long outputTokens, long cacheReadTokens, long cacheWrite5mTokens,
               long cacheWrite1hTokens, long reasoningTokens, String model, String upstreamId, boolean complete) {
    this(inputTokens, outputTokens, cacheReadTokens, cacheWrite5mTokens, cacheWrite1hTokens, reasoningTokens,
        model, upstreamId, complete, 0, null, null, false);
  }

  /** The same counts from another source (a stream's tap knows whether the final usage came). */
  public Usage withSource(UsageSource newSource) {
    return new Usage(inputTokens, outputTokens, cacheReadTokens, cacheWrite5mTokens, cacheWrite1hTokens,
        reasoningTokens, model, upstreamId, newSource.isFinal(), webSearchRequests, serviceTier, newSource, clamped);
  }

  /** Tokens of the prompt as a whole (what the 200k pricing tier is measured against); cannot overflow. */
  public long promptTokens() {
    return inputTokens + cacheReadTokens + cacheWrite5mTokens + cacheWrite1hTokens;
  }
}
