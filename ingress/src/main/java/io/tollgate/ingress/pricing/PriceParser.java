package io.tollgate.ingress.pricing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.List;

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

  private PriceParser() {
  }

  /** The model's price, or null when it has no token prices (with the reason in {@code problems} if malformed). */
  static ModelPrice parse(String model, JsonNode entry, List<String> problems) {
    int before = problems.size();
    Long input = pico(model, entry, INPUT, problems);
    Long output = pico(model, entry, OUTPUT, problems);
    Long read = pico(model, entry, CACHE_READ, problems);
    Long write = pico(model, entry, CACHE_WRITE, problems);
    Long write1h = pico(model, entry, CACHE_WRITE_1H, problems);
    ModelPrice tier = null;
    Long input200k = pico(model, entry, INPUT_200K, problems);
    Long output200k = pico(model, entry, OUTPUT_200K, problems);
    Long read200k = pico(model, entry, CACHE_READ + ABOVE_200K, problems);
    Long write200k = pico(model, entry, CACHE_WRITE + ABOVE_200K, problems);
    Long write1h200k = pico(model, entry, CACHE_WRITE_1H + ABOVE_200K, problems);
    if (problems.size() > before) {
      return null;
    }
    if (input == null && output == null) {
      return null;
    }
    if (input == null || output == null) {
      problems.add(model + ": needs both " + INPUT + " and " + OUTPUT);
      return null;
    }
    if (input200k != null || output200k != null) {
      long tierInput = input200k != null ? input200k : input;
      tier = ModelPrice.withDefaults(tierInput, output200k != null ? output200k : output,
          read200k, write200k, write1h200k, null);
    }
    return ModelPrice.withDefaults(input, output, read, write, write1h, tier);
  }

  /** The price back in LiteLLM's keys (exact decimals), so an override can start from it. */
  static ObjectNode render(ModelPrice p) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put(INPUT, usd(p.input()));
    node.put(OUTPUT, usd(p.output()));
    node.put(CACHE_READ, usd(p.cacheRead()));
    node.put(CACHE_WRITE, usd(p.cacheWrite5m()));
    node.put(CACHE_WRITE_1H, usd(p.cacheWrite1h()));
    ModelPrice t = p.above200k();
    if (t != null) {
      node.put(INPUT_200K, usd(t.input()));
      node.put(OUTPUT_200K, usd(t.output()));
      node.put(CACHE_READ + ABOVE_200K, usd(t.cacheRead()));
      node.put(CACHE_WRITE + ABOVE_200K, usd(t.cacheWrite5m()));
      node.put(CACHE_WRITE_1H + ABOVE_200K, usd(t.cacheWrite1h()));
    }
    return node;
  }

  private static BigDecimal usd(long pico) {
    return BigDecimal.valueOf(pico).movePointLeft(12);
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
