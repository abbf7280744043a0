package io.tollgate.local.mock;

import java.util.Locale;

/**
 * The usage the mock provider reports for a request, derived only from the request so a test
 * can compute the exact expected tokens (and so cost) itself:
 * <ul>
 *   <li>input = max(1, request body bytes / 4);</li>
 *   <li>output = min(the request's max tokens if given, 50);</li>
 *   <li>cache and reasoning tokens = 0;</li>
 *   <li>header {@code x-mock-usage: input=100,output=20,cache_read=30,cache_write_5m=5,cache_write_1h=7,reasoning=3}
 *       overrides any subset.</li>
 * </ul>
 * Tokens use Anthropic's meaning: {@code input} excludes cache tokens; OpenAI payloads add
 * {@code cacheRead} to their prompt/input counts, as OpenAI does. Reasoning is part of output.
 */
public record MockUsage(long input, long output, long cacheRead, long cacheWrite5m, long cacheWrite1h,
                        long reasoning) {
  /** Output tokens when the request sets no smaller limit. */
  public static final long DEFAULT_OUTPUT = 50;
  /** Header that overrides the derived numbers. */
  public static final String HEADER = "x-mock-usage";

  public MockUsage {
    if (input < 0 || output < 0 || cacheRead < 0 || cacheWrite5m < 0 || cacheWrite1h < 0 || reasoning < 0) {
      throw new IllegalArgumentException("token counts must not be negative");
    }
    if (reasoning > output) {
      throw new IllegalArgumentException("reasoning tokens are part of output: reasoning " + reasoning + " > output " + output);
    }
  }

  /**
   * The usage for a request body of {@code bodyBytes} bytes asking for at most {@code maxTokens}
   * output tokens (null = no limit), with the optional override header value.
   */
  public static MockUsage forRequest(int bodyBytes, Long maxTokens, String overrideHeader) {
    long input = Math.max(1, bodyBytes / 4);
    long output = maxTokens == null ? DEFAULT_OUTPUT : Math.max(0, Math.min(maxTokens, DEFAULT_OUTPUT));
    MockUsage derived = new MockUsage(input, output, 0, 0, 0, 0);
    return overrideHeader == null || overrideHeader.isBlank() ? derived : derived.override(overrideHeader);
  }

  /** Applies {@code name=value,…}; unknown names or bad numbers throw IllegalArgumentException. */
  MockUsage override(String header) {
    long[] v = {input, output, cacheRead, cacheWrite5m, cacheWrite1h, reasoning};
    for (String part : header.split(",")) {
      String[] kv = part.trim().split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException(HEADER + " entries must look like name=number, got '" + part.trim() + "'");
      }
      long n;
      try {
        n = Long.parseLong(kv[1].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(HEADER + ": '" + kv[1].trim() + "' is not a number");
      }
      switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
        case "input" -> v[0] = n;
        case "output" -> v[1] = n;
        case "cache_read" -> v[2] = n;
        case "cache_write_5m" -> v[3] = n;
        case "cache_write_1h" -> v[4] = n;
        case "reasoning" -> v[5] = n;
        default -> throw new IllegalArgumentException(HEADER + ": unknown name '" + kv[0].trim()
            + "' (input, output, cache_read, cache_write_5m, cache_write_1h, reasoning)");
      }
    }
    return new MockUsage(v[0], v[1], v[2], v[3], v[4], v[5]);
  }

  /** What OpenAI calls prompt/input tokens: including cached ones. */
  public long openAiPromptTokens() {
    return input + cacheRead;
  }
}
