package io.tollgate.ingress.pricing;

import java.util.Locale;

/**
 * The service tier a call ran on, as far as pricing is concerned. {@link #keySuffix()} is the
 * suffix of LiteLLM's explicit keys ({@code input_cost_per_token_batches}, {@code …_flex},
 * {@code …_priority}); a price a model does not give explicitly is its standard price times
 * {@link #defaultNumerator()}/{@link #defaultDenominator()}.
 */
public enum ServiceTier {
  STANDARD(null, 1, 1),
  /** Anthropic Message Batches, OpenAI Batch: both published at half the standard price. */
  BATCH("batches", 1, 2),
  /** OpenAI Flex processing: published at the Batch price, half the standard one. */
  FLEX("flex", 1, 2),
  /** OpenAI / Anthropic priority: no published multiplier, so standard unless the table says otherwise. */
  PRIORITY("priority", 1, 1);

  private final String keySuffix;
  private final long numerator;
  private final long denominator;

  ServiceTier(String keySuffix, long numerator, long denominator) {
    this.keySuffix = keySuffix;
    this.numerator = numerator;
    this.denominator = denominator;
  }

  public String keySuffix() {
    return keySuffix;
  }

  public long defaultNumerator() {
    return numerator;
  }

  public long defaultDenominator() {
    return denominator;
  }

  /** A standard price scaled by this tier's default, rounded down to a whole pico-USD. */
  long scale(long pico) {
    return pico / denominator * numerator + pico % denominator * numerator / denominator;
  }

  /**
   * The tier of what upstream reported: {@code batch}/{@code batches}, {@code flex},
   * {@code priority}; anything else ({@code standard}, OpenAI's {@code default}, null, unknown
   * values) is priced as standard.
   */
  public static ServiceTier of(String reported) {
    if (reported == null) {
      return STANDARD;
    }
    return switch (reported.trim().toLowerCase(Locale.ROOT)) {
      case "batch", "batches" -> BATCH;
      case "flex" -> FLEX;
      case "priority" -> PRIORITY;
      default -> STANDARD;
    };
  }
}
