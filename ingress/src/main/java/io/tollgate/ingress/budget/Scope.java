package io.tollgate.ingress.budget;

/** What a budget or rate limit belongs to; {@link #wire()} is the name in events and totals. */
public enum Scope {
  KEY("key"), TEAM("team"), CUSTOMER("customer");

  private final String wire;

  Scope(String wire) {
    this.wire = wire;
  }

  /** The name in {@code UsageEvent.budget_periods.scope} and {@code SpendTotal.scope}. */
  public String wire() {
    return wire;
  }
}
