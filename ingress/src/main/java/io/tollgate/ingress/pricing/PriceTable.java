package io.tollgate.ingress.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.ingress.usage.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Model prices in LiteLLM's {@code model_prices_and_context_window.json} shape, parsed exactly,
 * and the cost of a call in integer nano-USD. Immutable: overrides produce a new table.
 *
 * <p>Long-context tier: when a call's prompt (input + cache read + cache writes) exceeds 200,000
 * tokens and the model has {@code _above_200k_tokens} prices, every token of the call is charged
 * at the tier prices — Anthropic bills the whole request at the higher rate, not just the excess.
 */
public final class PriceTable {
  /** Classpath resource of the bundled table. */
  public static final String BUNDLED = "pricing/model_prices.json";
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final Pattern DATE_SUFFIX = Pattern.compile("-(\\d{8}|\\d{4}-\\d{2}-\\d{2})$");

  private final Map<String, ModelPrice> prices;

  private PriceTable(Map<String, ModelPrice> prices) {
    this.prices = Map.copyOf(prices);
  }

  /** The table shipped with Tollgate. */
  public static PriceTable bundled() {
    try (InputStream in = PriceTable.class.getClassLoader().getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IllegalStateException(BUNDLED + " missing from the classpath");
      }
      return parse(JSON.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + BUNDLED, e);
    }
  }

  /** Parses a whole LiteLLM-shaped table; entries without token prices (images, …) are skipped. */
  public static PriceTable parse(JsonNode root) {
    List<String> problems = new ArrayList<>();
    Map<String, ModelPrice> prices = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().startsWith("_") || e.getKey().equals("sample_spec") || !e.getValue().isObject()) {
        continue;
      }
      ModelPrice price = PriceParser.parse(e.getKey(), e.getValue(), problems);
      if (price != null) {
        prices.put(e.getKey().toLowerCase(Locale.ROOT), price);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("price table has errors:\n  - " + String.join("\n  - ", problems));
    }
    return new PriceTable(prices);
  }

  /**
   * A table with per-model overrides from config ({@code litellm_params} / {@code model_info}
   * fields, LiteLLM's keys). Fields given replace; fields not given come from the table's entry for
   * that model; without such an entry both input and output prices are required.
   *
   * @throws IllegalArgumentException listing every problem of every override
   */
  public PriceTable withOverrides(Map<String, Map<String, ?>> overrides) {
    List<String> problems = new ArrayList<>();
    Map<String, ModelPrice> merged = new HashMap<>(prices);
    for (Map.Entry<String, Map<String, ?>> o : overrides.entrySet()) {
      String model = o.getKey().trim().toLowerCase(Locale.ROOT);
      String baseKey = lookupKey(model);
      ObjectNode entry = baseKey == null ? JSON.createObjectNode() : PriceParser.render(prices.get(baseKey));
      o.getValue().forEach((field, value) -> entry.set(field, JSON.valueToTree(value)));
      ModelPrice price = PriceParser.parse(o.getKey(), entry, problems);
      if (price != null) {
        merged.put(model, price);
      } else if (!entry.has(PriceParser.INPUT) && !entry.has(PriceParser.OUTPUT)) {
        problems.add(o.getKey() + ": an override needs " + PriceParser.INPUT + " and " + PriceParser.OUTPUT
            + " (no bundled price to start from)");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("price overrides have errors:\n  - " + String.join("\n  - ", problems));
    }
    return new PriceTable(merged);
  }

  ModelPrice price(String key) {
    return prices.get(key);
  }

  /** The table key used for {@code model}, or null: exact, without provider prefix, without date suffix. */
  public String lookupKey(String model) {
    if (model == null || model.isBlank()) {
      return null;
    }
    String m = model.trim().toLowerCase(Locale.ROOT);
    for (String candidate : candidates(m)) {
      if (prices.containsKey(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static List<String> candidates(String model) {
    List<String> out = new ArrayList<>(4);
    out.add(model);
    int slash = model.indexOf('/');
    String bare = slash >= 0 ? model.substring(slash + 1) : model;
    out.add(bare);
    String undated = DATE_SUFFIX.matcher(bare).replaceFirst("");
    out.add(undated);
    return out;
  }

  /** The cost of {@code usage} on {@code model}; unknown model → {@link Cost#unknown()}. */
  public Cost cost(String model, Usage usage) {
    String key = lookupKey(model);
    if (key == null) {
      return Cost.unknown();
    }
    ModelPrice base = prices.get(key);
    boolean tiered = base.above200k() != null && usage.promptTokens() > ModelPrice.TIER_THRESHOLD;
    ModelPrice p = tiered ? base.above200k() : base;
    long pico = 0;
    pico = Math.addExact(pico, Math.multiplyExact(usage.inputTokens(), p.input()));
    pico = Math.addExact(pico, Math.multiplyExact(usage.outputTokens(), p.output()));
    pico = Math.addExact(pico, Math.multiplyExact(usage.cacheReadTokens(), p.cacheRead()));
    pico = Math.addExact(pico, Math.multiplyExact(usage.cacheWrite5mTokens(), p.cacheWrite5m()));
    pico = Math.addExact(pico, Math.multiplyExact(usage.cacheWrite1hTokens(), p.cacheWrite1h()));
    return new Cost(Pico.toNanosRounded(pico), true, key, tiered);
  }

  /**
   * The cost under the first of {@code models} that has a price: the client's model name first
   * (where config overrides live), then what upstream reported, then the deployment's model.
   */
  public Cost costFirstKnown(Usage usage, String... models) {
    for (String m : models) {
      if (lookupKey(m) != null) {
        return cost(m, usage);
      }
    }
    return Cost.unknown();
  }

  public int size() {
    return prices.size();
  }
}
