package io.tollgate.launcher;

/** What the spend tables add up per key: calls, tokens and nano-USD. */
record Totals(long requests, long inputTokens, long outputTokens, long costNanos) {
  static final Totals ZERO = new Totals(0, 0, 0, 0);

  Totals plus(Totals other) {
    return new Totals(requests + other.requests, inputTokens + other.inputTokens,
        outputTokens + other.outputTokens, costNanos + other.costNanos);
  }

  /** The spend-table key the test compares on. */
  static String key(String customer, String model, String tool) {
    return customer + "|" + model + "|" + tool;
  }

  static String customerOf(String key) {
    return key.substring(0, key.indexOf('|'));
  }
}
