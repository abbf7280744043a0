package io.tollgate.alerting.rules;

/** What a rule watches; {@code GLOBAL} has the single id {@code *}. */
public enum Scope {
  CUSTOMER, KEY, MODEL, TOOL, GLOBAL
}
