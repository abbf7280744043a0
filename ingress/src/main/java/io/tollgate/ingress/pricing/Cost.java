package io.tollgate.ingress.pricing;

/**
 * What a call cost.
 *
 * @param nanos       integer nano-USD (0 when the price is unknown — see {@code priceKnown})
 * @param priceKnown  false when no price exists for the model: the call is unpriced, not free
 * @param priceKey    the price-table entry used, or null
 * @param tiered      true when the long-context (above 200k) prices applied
 * @param saturated   true when the cost exceeded {@link Long#MAX_VALUE} nano-USD and was capped there
 * @param serviceTier the tier whose prices applied
 */
public record Cost(long nanos, boolean priceKnown, String priceKey, boolean tiered, boolean saturated,
                   ServiceTier serviceTier) {
  public Cost(long nanos, boolean priceKnown, String priceKey, boolean tiered) {
    this(nanos, priceKnown, priceKey, tiered, false, ServiceTier.STANDARD);
  }

  public static Cost unknown() {
    return new Cost(0, false, null, false);
  }
}
