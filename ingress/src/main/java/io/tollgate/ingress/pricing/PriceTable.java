package io.tollgate.ingress.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.ingress.usage.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
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
 * Service tiers (batch, flex, priority) use the model's prices for that tier; web searches are
 * charged per request. The arithmetic cannot throw: a cost beyond {@link Long#MAX_VALUE} nano-USD
 * is capped there and flagged {@link Cost#saturated()}.
 */
public final class PriceTable {
  /** Classpath resource of the bundled table. */
  public static final String BUNDLED = "pricing/model_prices.json";
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final Pattern DATE_SUFFIX = Pattern.compile("-(\\d{8}|\\d{4}-\\d{2}-\\d{2})$");
  private static final BigInteger PICO_PER_NANO = BigInteger.valueOf(1000);
  private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

  private final Map<String, ModelPrice> prices;
  /** The entries as given (bundled, or merged with an override), so an override can start from them. */
  private final Map<String, ObjectNode> entries;

  private PriceTable(Map<String, ModelPrice> prices, Map<String, ObjectNode> entries) {
    this.prices = Map.copyOf(prices);
    this.entries = Map.copyOf(entries);
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
    Map<String, ObjectNode> entries = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().startsWith("_") || e.getKey().equals("sample_spec") || !e.getValue().isObject()) {
        continue;
      }
      ModelPrice price = PriceParser.parse(e.getKey(), e.getValue(), problems);
      if (price != null) {
        String key = e.getKey().toLowerCase(Locale.ROOT);
        prices.put(key, price);
        entries.put(key, (ObjectNode) e.getValue());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("price table has errors:\n  - " + String.join("\n  - ", problems));
    }
    return new PriceTable(prices, entries);
  }

  /**
   * A table with overrides from config ({@code litellm_params} / {@code model_info} fields,
   * LiteLLM's keys), each under any key: a model name, a provider-prefixed model
   * ({@code anthropic/claude-opus-4-1}) or a deployment's own id. Fields given replace; fields not
   * given come from the table's entry for that key (looked up like a model), so prices derived
   * from input (default cache prices, tier prices) follow an overridden input price. Without such
   * an entry both input and output prices are required.
   *
   * @throws IllegalArgumentException listing every problem of every override
   */
  public PriceTable withOverrides(Map<String, Map<String, ?>> overrides) {
    List<String> problems = new ArrayList<>();
    Map<String, ModelPrice> merged = new HashMap<>(prices);
    Map<String, ObjectNode> mergedEntries = new HashMap<>(entries);
    for (Map.Entry<String, Map<String, ?>> o : overrides.entrySet()) {
      String model = o.getKey().trim().toLowerCase(Locale.ROOT);
      String baseKey = lookupKey(model);
      ObjectNode entry = baseKey == null ? JSON.createObjectNode() : entries.get(baseKey).deepCopy();
      o.getValue().forEach((field, value) -> entry.set(field, JSON.valueToTree(value)));
      ModelPrice price = PriceParser.parse(o.getKey(), entry, problems);
      if (price != null) {
        merged.put(model, price);
        mergedEntries.put(model, entry);
      } else if (!entry.has(PriceParser.INPUT) && !entry.has(PriceParser.OUTPUT)) {
        problems.add(o.getKey() + ": an override needs " + PriceParser.INPUT + " and " + PriceParser.OUTPUT
            + " (no bundled price to start from)");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("price overrides have errors:\n  - " + String.join("\n  - ", problems));
    }
    return new PriceTable(merged, mergedEntries);
  }

  ModelPrice price(String key) {
    return prices.get(key);
  }

  /**
   * The table key used for {@code model}, or null: exact, then without each provider prefix
   * ({@code openrouter/anthropic/claude-x} → {@code anthropic/claude-x} → {@code claude-x}), then
   * without a date suffix.
   */
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
    List<String> out = new ArrayList<>(6);
    String m = model;
    out.add(m);
    for (int slash = m.indexOf('/'); slash >= 0 && out.size() < 8; slash = m.indexOf('/')) {
      m = m.substring(slash + 1);
      out.add(m);
    }
    out.add(DATE_SUFFIX.matcher(m).replaceFirst(""));
    return out;
  }

  /** The cost of {@code usage} on {@code model}; unknown model → {@link Cost#unknown()}. Never throws. */
  public Cost cost(String model, Usage usage) {
    String key = lookupKey(model);
    if (key == null) {
      return Cost.unknown();
    }
    ServiceTier serviceTier = ServiceTier.of(usage.serviceTier());
    ModelPrice base = prices.get(key).forTier(serviceTier);
    boolean tiered = base.above200k() != null && usage.promptTokens() > ModelPrice.TIER_THRESHOLD;
    ModelPrice p = tiered ? base.above200k() : base;
    long[][] terms = {{usage.inputTokens(), p.input()}, {usage.outputTokens(), p.output()},
        {usage.cacheReadTokens(), p.cacheRead()}, {usage.cacheWrite5mTokens(), p.cacheWrite5m()},
        {usage.cacheWrite1hTokens(), p.cacheWrite1h()}, {usage.webSearchRequests(), base.webSearch()}};
    long pico = 0;
    for (long[] t : terms) {
      pico = Saturating.add(pico, Saturating.multiply(t[0], t[1]));
    }
    if (pico < Long.MAX_VALUE) {
      return new Cost(Pico.toNanosRounded(pico), true, key, tiered, false, serviceTier);
    }
    // Beyond a long of pico-USD (9.2M USD): exact in BigInteger, capped at a long of nano-USD.
    BigInteger exact = BigInteger.ZERO;
    for (long[] t : terms) {
      exact = exact.add(BigInteger.valueOf(Math.max(t[0], 0)).multiply(BigInteger.valueOf(Math.max(t[1], 0))));
    }
    BigInteger[] qr = exact.divideAndRemainder(PICO_PER_NANO);
    BigInteger nanos = qr[1].intValue() >= 500 ? qr[0].add(BigInteger.ONE) : qr[0];
    boolean saturated = nanos.compareTo(MAX_NANOS) > 0;
    return new Cost(saturated ? Long.MAX_VALUE : nanos.longValue(), true, key, tiered, saturated, serviceTier);
  }

  /**
   * The cost of a day's token totals on {@code model} (the reconciler prices the providers' usage
   * reports with it): every token at the model's standard prices, or at its long-context prices
   * when {@code longContext} (Anthropic reports a day per context window). Unlike {@link #cost},
   * no per-call 200k rule: a day's totals are many calls, not one prompt. Exact (BigInteger), capped
   * at {@link Long#MAX_VALUE} nano-USD; unknown model → {@link Cost#unknown()}.
   */
  public Cost totalsCost(String model, boolean longContext, long input, long output, long cacheRead,
                         long cacheWrite5m, long cacheWrite1h) {
    String key = lookupKey(model);
    if (key == null) {
      return Cost.unknown();
    }
    ModelPrice base = prices.get(key);
    ModelPrice p = longContext && base.above200k() != null ? base.above200k() : base;
    long[][] terms = {{input, p.input()}, {output, p.output()}, {cacheRead, p.cacheRead()},
        {cacheWrite5m, p.cacheWrite5m()}, {cacheWrite1h, p.cacheWrite1h()}};
    BigInteger exact = BigInteger.ZERO;
    for (long[] t : terms) {
      exact = exact.add(BigInteger.valueOf(Math.max(t[0], 0)).multiply(BigInteger.valueOf(Math.max(t[1], 0))));
    }
    BigInteger[] qr = exact.divideAndRemainder(PICO_PER_NANO);
    BigInteger nanos = qr[1].intValue() >= 500 ? qr[0].add(BigInteger.ONE) : qr[0];
    boolean saturated = nanos.compareTo(MAX_NANOS) > 0;
    return new Cost(saturated ? Long.MAX_VALUE : nanos.longValue(), true, key, p != base, saturated,
        ServiceTier.STANDARD);
  }

  /**
   * The cost under the first of {@code models} that has a price (nulls skipped). The caller
   * decides the order; typically a deployment's own key first (where its overrides live), then
   * its model, what upstream reported, and the name the client asked for.
   */
  public Cost costFirstKnown(Usage usage, String... models) {
    for (String m : models) {
      if (lookupKey(m) != null) {
        return cost(m, usage);
      }
    }
    return Cost.unknown();
  }

  /**
   * The most output tokens the first of {@code models} with a price can produce (its
   * {@code max_output_tokens}, else {@code max_tokens}, as in LiteLLM's table), or null when that
   * entry says nothing (or no model has a price).
   */
  public Long maxOutputTokens(String... models) {
    for (String m : models) {
      String key = lookupKey(m);
      if (key != null) {
        ObjectNode entry = entries.get(key);
        for (String field : new String[] {"max_output_tokens", "max_tokens"}) {
          JsonNode v = entry == null ? null : entry.get(field);
          if (v != null && v.canConvertToLong() && v.asLong() > 0) {
            return v.asLong();
          }
        }
        return null;
      }
    }
    return null;
  }

  public int size() {
    return prices.size();
  }
}
