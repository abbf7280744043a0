package io.tollgate.ingress.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one model's prices from LiteLLM's keys ({@code input_cost_per_token}, …), exactly, into a
 * {@link ModelPrice}; every problem goes to the caller's list instead of stopping at the first.
 */
final class PriceParser {
  static final String INPUT = "input_cost_per_token";
  static final String OUTPUT = "output_cost_per_token";
  static final String CACHE_READ = "cache_read_input_token_cost";
  static final String CACHE_WRITE = "cache_creation_input_token_cost";
  static final String CACHE_WRITE_1H = "cache_creation_input_token_cost_above_1hr";
  static final String ABOVE_200K = "_above_200k_tokens";
  static final String INPUT_200K = "input_cost_per_token" + ABOVE_200K;
  static final String OUTPUT_200K = "output_cost_per_token" + ABOVE_200K;
  /** LiteLLM's per-request web search price: {search_context_size_low|medium|high: USD}. */
  static final String WEB_SEARCH = "search_context_cost_per_query";
  /** Anthropic's list price of a web search: $10 per 1,000 requests. */
  static final long ANTHROPIC_WEB_SEARCH_PICO = Pico.PER_USD / 100;

  private PriceParser() {
  }

  /** The model's price, or null when it has no token prices (with the reason in {@code problems} if malformed). */
  static ModelPrice parse(String model, JsonNode entry, List<String> problems) {
    int before = problems.size();
    ModelPrice base = tokens(model, entry, problems);
    Long webSearch = webSearch(model, entry, problems);
    if (problems.size() > before || base == null) {
      return null;
    }
    Map<ServiceTier, ModelPrice> tiers = ModelPrice.noTiers();
    for (ServiceTier tier : ServiceTier.values()) {
      if (tier != ServiceTier.STANDARD) {
        tiers.put(tier, tier(model, entry, tier, base, problems));
      }
    }
    if (problems.size() > before) {
      return null;
    }
    long search = webSearch != null ? webSearch : anthropic(model, entry) ? ANTHROPIC_WEB_SEARCH_PICO : 0;
    tiers.replaceAll((t, p) -> p.with(search, Map.of()));
    return base.with(search, tiers);
  }

  /** The standard token prices; null when there are none. */
  private static ModelPrice tokens(String model, JsonNode entry, List<String> problems) {
    Long input = pico(model, entry, INPUT, problems);
    Long output = pico(model, entry, OUTPUT, problems);
    Long read = pico(model, entry, CACHE_READ, problems);
    Long write = pico(model, entry, CACHE_WRITE, problems);
    Long write1h = pico(model, entry, CACHE_WRITE_1H, problems);
    Long input200k = pico(model, entry, INPUT_200K, problems);
    Long output200k = pico(model, entry, OUTPUT_200K, problems);
    Long read200k = pico(model, entry, CACHE_READ + ABOVE_200K, problems);
    Long write200k = pico(model, entry, CACHE_WRITE + ABOVE_200K, problems);
    Long write1h200k = pico(model, entry, CACHE_WRITE_1H + ABOVE_200K, problems);
    if (input == null && output == null) {
      return null;
    }
    if (input == null || output == null) {
      problems.add(model + ": needs both " + INPUT + " and " + OUTPUT);
      return null;
    }
    ModelPrice tier = null;
    if (input200k != null || output200k != null) {
      tier = ModelPrice.withDefaults(input200k != null ? input200k : input, output200k != null ? output200k : output,
          read200k, write200k, write1h200k, null);
    }
    return ModelPrice.withDefaults(input, output, read, write, write1h, tier);
  }

  /**
   * A service tier's prices: each price the entry gives under the tier's suffix, every other one
   * the standard price times the tier's default (batch and flex ½, priority 1). The long-context
   * prices of a tier are always derived.
   */
  private static ModelPrice tier(String model, JsonNode entry, ServiceTier tier, ModelPrice base,
                                 List<String> problems) {
    ModelPrice scaled = base.scaled(tier);
    String s = "_" + tier.keySuffix();
    Long input = pico(model, entry, INPUT + s, problems);
    Long output = pico(model, entry, OUTPUT + s, problems);
    Long read = pico(model, entry, CACHE_READ + s, problems);
    Long write = pico(model, entry, CACHE_WRITE + s, problems);
    Long write1h = pico(model, entry, CACHE_WRITE_1H + s, problems);
    return new ModelPrice(input != null ? input : scaled.input(), output != null ? output : scaled.output(),
        read != null ? read : scaled.cacheRead(), write != null ? write : scaled.cacheWrite5m(),
        write1h != null ? write1h : scaled.cacheWrite1h(), scaled.above200k());
  }

  /** LiteLLM prices a search at {@code search_context_size_medium}; a plain number is accepted too. */
  private static Long webSearch(String model, JsonNode entry, List<String> problems) {
    JsonNode node = entry.get(WEB_SEARCH);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      return pico(model, entry, WEB_SEARCH, problems);
    }
    for (String size : new String[] {"search_context_size_medium", "search_context_size_low", "search_context_size_high"}) {
      if (node.has(size)) {
        return pico(model, node, size, problems);
      }
    }
    return null;
  }

  /** Anthropic models get Anthropic's web search price when the table has none. */
  private static boolean anthropic(String model, JsonNode entry) {
    JsonNode provider = entry.get("litellm_provider");
    return (provider != null && provider.isTextual() && provider.asText().toLowerCase(Locale.ROOT).contains("anthropic"))
        || model.toLowerCase(Locale.ROOT).contains("claude");
  }

  private static Long pico(String model, JsonNode entry, String field, List<String> problems) {
    JsonNode node = entry.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    BigDecimal value;
    if (node.isNumber()) {
      value = node.decimalValue();
    } else if (node.isTextual()) {
      try {
        value = new BigDecimal(node.asText().trim());
      } catch (NumberFormatException e) {
        problems.add(model + ": " + field + " is not a number: '" + node.asText() + "'");
        return null;
      }
    } else {
      problems.add(model + ": " + field + " must be a number");
      return null;
    }
    try {
      return Pico.fromUsd(value);
    } catch (IllegalArgumentException | ArithmeticException e) {
      problems.add(model + ": " + field + ": " + e.getMessage());
      return null;
    }
  }
}
