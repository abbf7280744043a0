package io.tollgate.ingress.budget;

/** What a budget or rate limit belongs to; {@link #wire()} is the name in events and totals. */
public enum Scope {
  KEY("key"), TEAM("team"), CUSTOMER("customer");

  private final String wire;

  Scope(String wire) {
    this.wire = wire;
  }

  /** The scope named {@code wire}, or null. */
  public static Scope ofWire(String wire) {
    for (Scope s : values()) {
      if (s.wire.equals(wire)) {
        return s;
      }
    }
    return null;
  }

  /** The name in {@code UsageEvent.budget_periods.scope} and {@code SpendTotal.scope}. */
  public String wire() {
    return wire;
  }
}
