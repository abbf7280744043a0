package io.tollgate.ingress.pricing;

import java.util.EnumMap;
import java.util.Map;

/**
 * Prices of one model in pico-USD: per token, per web search, the optional long-context tier and
 * the prices of each non-standard service tier.
 *
 * @param input        uncached input
 * @param output       output (reasoning included)
 * @param cacheRead    cache read
 * @param cacheWrite5m cache write, 5-minute TTL
 * @param cacheWrite1h cache write, 1-hour TTL
 * @param above200k    prices for calls whose prompt exceeds 200k tokens, or null when the model has none
 * @param webSearch    per server-side web search request
 * @param tiers        prices on the batch, flex and priority tiers (explicit or derived); a tier
 *                     not in the map is priced as this (standard)
 */
public record ModelPrice(long input, long output, long cacheRead, long cacheWrite5m, long cacheWrite1h,
                         ModelPrice above200k, long webSearch, Map<ServiceTier, ModelPrice> tiers) {
  /** Prompt size beyond which the long-context tier applies (Anthropic: more than 200,000 tokens). */
  public static final long TIER_THRESHOLD = 200_000;

  public ModelPrice {
    tiers = tiers == null ? Map.of() : Map.copyOf(tiers);
  }

  /** Token prices only (no web search price, standard tier only). */
  public ModelPrice(long input, long output, long cacheRead, long cacheWrite5m, long cacheWrite1h,
                    ModelPrice above200k) {
    this(input, output, cacheRead, cacheWrite5m, cacheWrite1h, above200k, 0, Map.of());
  }

  /**
   * Prices with the defaults for missing cache prices: read = 10 % of input, 5-minute write =
   * 125 %, 1-hour write = 200 % (Anthropic's multipliers, also used for models that publish none).
   */
  public static ModelPrice withDefaults(long input, long output, Long cacheRead, Long cacheWrite5m,
                                        Long cacheWrite1h, ModelPrice above200k) {
    return new ModelPrice(input, output,
        cacheRead != null ? cacheRead : input / 10,
        cacheWrite5m != null ? cacheWrite5m : Saturating.add(Saturating.multiply(input / 4, 5), input % 4 * 5 / 4),
        cacheWrite1h != null ? cacheWrite1h : Saturating.multiply(input, 2),
        above200k);
  }

  /** The prices on {@code tier}: its own when the table has them, else these (standard). */
  public ModelPrice forTier(ServiceTier tier) {
    return tiers.getOrDefault(tier, this);
  }

  /** These prices with a web search price and service tiers added. */
  ModelPrice with(long webSearchPrice, Map<ServiceTier, ModelPrice> tierPrices) {
    return new ModelPrice(input, output, cacheRead, cacheWrite5m, cacheWrite1h, above200k, webSearchPrice, tierPrices);
  }

  /** Every token price times the tier's default multiplier (web search is not discounted). */
  ModelPrice scaled(ServiceTier tier) {
    return new ModelPrice(tier.scale(input), tier.scale(output), tier.scale(cacheRead), tier.scale(cacheWrite5m),
        tier.scale(cacheWrite1h), above200k == null ? null : above200k.scaled(tier), webSearch, Map.of());
  }

  static Map<ServiceTier, ModelPrice> noTiers() {
    return new EnumMap<>(ServiceTier.class);
  }
}
