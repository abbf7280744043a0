package io.tollgate.ingress.pricing;

/**
 * Per-token prices of one model in pico-USD, and the optional long-context tier.
 *
 * @param input        uncached input
 * @param output       output (reasoning included)
 * @param cacheRead    cache read
 * @param cacheWrite5m cache write, 5-minute TTL
 * @param cacheWrite1h cache write, 1-hour TTL
 * @param above200k    prices for calls whose prompt exceeds 200k tokens, or null when the model has none
 */
public record ModelPrice(long input, long output, long cacheRead, long cacheWrite5m, long cacheWrite1h,
                         ModelPrice above200k) {
  /** Prompt size beyond which the long-context tier applies (Anthropic: more than 200,000 tokens). */
  public static final long TIER_THRESHOLD = 200_000;

  /**
   * Prices with the defaults for missing cache prices: read = 10 % of input, 5-minute write =
   * 125 %, 1-hour write = 200 % (Anthropic's multipliers, also used for models that publish none).
   */
  public static ModelPrice withDefaults(long input, long output, Long cacheRead, Long cacheWrite5m,
                                        Long cacheWrite1h, ModelPrice above200k) {
    return new ModelPrice(input, output,
        cacheRead != null ? cacheRead : input / 10,
        cacheWrite5m != null ? cacheWrite5m : input * 5 / 4,
        cacheWrite1h != null ? cacheWrite1h : input * 2,
        above200k);
  }
}
