package io.tollgate.alerting.rules;

/**
 * What a rule watches; {@code GLOBAL} has the single id {@code *}. Customer, model, tool and global
 * read the spend windows; key and tag read the day totals ({@link #fromTotals}).
 */
public enum Scope {
  CUSTOMER, KEY, MODEL, TOOL, TAG, GLOBAL;

  /** Whether this scope is fed by the per-day totals of {@code tollgate.spend-totals.v1} (windows carry no key or tag). */
  public boolean fromTotals() {
    return this == KEY || this == TAG;
  }
}
