package io.tollgate.ingress.pricing;

import java.math.BigDecimal;

/**
 * Exact money units. Prices are pico-USD per token (10^-12 USD: every published per-token price
 * is a whole number of them); call costs are nano-USD (10^-9). Never a double.
 */
public final class Pico {
  /** Pico-USD in one USD. */
  public static final long PER_USD = 1_000_000_000_000L;

  private Pico() {
  }

  /**
   * A USD-per-token price as parsed from JSON (BigDecimal, never via double) in pico-USD.
   *
   * @throws IllegalArgumentException when negative or finer than one pico-USD
   */
  public static long fromUsd(BigDecimal usdPerToken) {
    if (usdPerToken.signum() < 0) {
      throw new IllegalArgumentException("price must not be negative, got " + usdPerToken.toPlainString());
    }
    BigDecimal pico = usdPerToken.movePointRight(12).stripTrailingZeros();
    if (pico.scale() > 0) {
      throw new IllegalArgumentException("price " + usdPerToken.toPlainString()
          + " USD/token is finer than 1e-12 USD (one pico-dollar); cannot be represented exactly");
    }
    return pico.longValueExact();
  }

  /** Pico-USD to nano-USD, rounding half up (applied once per call, so errors never accumulate). */
  public static long toNanosRounded(long pico) {
    if (pico < 0) {
      throw new IllegalArgumentException("negative cost " + pico);
    }
    return pico / 1000 + (pico % 1000 >= 500 ? 1 : 0);
  }
}
