package io.tollgate.ingress.usage;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The counts of one call while they are being read (a body's usage object, or a stream's events
 * one after another), and the one place that decides what an odd number means. Mutable; one per call.
 *
 * <p>Rules for a count field: missing or {@code null} is 0. An integer is taken as is. Anything
 * else is corrected and sets {@link #clamped}: negative → 0, above {@link Usage#MAX_COUNT} → the
 * maximum, a fraction (1.5) → rounded down, a numeric string ("12") → its number, any other
 * value (true, {}, "abc") → 0. Strings are read rather than dropped because the number in them is
 * the best guess of what was used; the flag says the guess was needed.
 */
final class Tally {
  private static final BigDecimal MAX = BigDecimal.valueOf(Usage.MAX_COUNT);
  private static final int MAX_TEXT = 128;

  long input;
  long output;
  long cacheRead;
  long write5m;
  long write1h;
  long reasoning;
  long webSearch;
  String serviceTier;
  String model;
  String id;
  boolean clamped;
  /** True once any usage object was read (so a cut stream is partial, not none). */
  boolean seen;

  /** A count field of {@code node}, by the rules above. */
  long count(JsonNode node, String field) {
    return count(node.get(field));
  }

  long count(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return 0;
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return bounded(v.longValue());
    }
    BigDecimal d;
    if (v.isDouble() || v.isFloat()) {
      double x = v.doubleValue();
      clamped = true;
      // 1e309 parses as infinity, which BigDecimal cannot hold; NaN fails every comparison
      return x >= Usage.MAX_COUNT ? Usage.MAX_COUNT : x >= 1 ? (long) x : 0;
    } else if (v.isNumber()) {
      d = v.decimalValue();
    } else if (v.isTextual() && v.asText().length() <= MAX_TEXT) {
      try {
        d = new BigDecimal(v.asText().trim());
      } catch (NumberFormatException e) {
        d = BigDecimal.ZERO;
      }
    } else {
      d = BigDecimal.ZERO;
    }
    clamped = true;
    if (d.compareTo(BigDecimal.ONE) < 0) {
      return 0; // negative, zero or a fraction below one; also spares setScale a huge negative exponent
    }
    // compare before converting: 1e30 must not wrap, and a huge exponent must not be expanded
    return d.compareTo(MAX) >= 0 ? Usage.MAX_COUNT : d.setScale(0, RoundingMode.FLOOR).longValueExact();
  }

  private long bounded(long v) {
    long c = Math.clamp(v, 0, Usage.MAX_COUNT);
    clamped |= c != v;
    return c;
  }

  /**
   * An OpenAI prompt total that includes its cached part: the uncached rest goes to input, the
   * cached part to cache reads. Cached above the prompt cannot be — it is capped at the prompt and
   * flagged rather than billed as reads of tokens that were never sent.
   */
  void promptWithCached(long prompt, long cached) {
    if (cached > prompt) {
      cached = prompt;
      clamped = true;
    }
    cacheRead = cached;
    input = prompt - cached;
  }

  /** A short text field (model, id, tier), or null when absent or not text. */
  static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      return null;
    }
    String s = v.asText();
    return s.length() > 256 ? s.substring(0, 256) : s; // ids and names are short; a megabyte one is not
  }

  Usage toUsage(UsageSource source) {
    return new Usage(input, output, cacheRead, write5m, write1h, reasoning, model, id, source.isFinal(),
        webSearch, serviceTier, source, clamped);
  }
}
