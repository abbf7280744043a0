package io.tollgate.ingress.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * USD amounts as LiteLLM's API has them (JSON numbers, e.g. {@code "max_budget": 100.00}) to and
 * from integer nano-USD. Parsed exactly from the number's text (never through a double); fractions
 * of a nano-dollar round half-up; NaN, negative and absurd amounts are refused, so the stored long
 * can never overflow in the budget arithmetic.
 */
final class Money {
  /** No budget Tollgate takes is larger: a billion dollars (1e18 nano-USD, below Long.MAX_VALUE). */
  static final BigDecimal MAX_USD = BigDecimal.valueOf(1_000_000_000L);
  private static final BigDecimal NANOS = BigDecimal.valueOf(1_000_000_000L);

  private Money() {
  }

  /** The amount of {@code field} in nano-USD; a JSON number (or a numeric string, as pydantic accepts). */
  static long nanos(String field, JsonNode value) {
    BigDecimal usd;
    if (value.isNumber()) {
      usd = value.decimalValue();
    } else if (value.isTextual() && value.asText().length() <= 40) {
      try {
        usd = new BigDecimal(value.asText().strip());
      } catch (NumberFormatException e) {
        throw ApiError.badRequest(field, field + " must be a number of USD");
      }
    } else {
      throw ApiError.badRequest(field, field + " must be a number of USD");
    }
    if (usd.signum() < 0) {
      throw ApiError.badRequest(field, field + " must not be negative");
    }
    if (usd.compareTo(MAX_USD) > 0) {
      throw ApiError.badRequest(field, field + " must be at most " + MAX_USD.toPlainString() + " USD");
    }
    return usd.multiply(NANOS).setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  /** Nano-USD as LiteLLM's float USD (a double is what its clients expect; exact to the printed digits). */
  static double usd(long nanos) {
    return BigDecimal.valueOf(nanos).divide(NANOS).doubleValue();
  }
}
