package io.tollgate.alerting.topology;

import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.Scope;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * One new running total, as the rules see it: which counter it is ({@code counter}, stable across
 * versions), whether it is an hour or a day, which scope id it belongs to, its version and cost.
 * Spend windows feed the customer, model, tool and global scopes; the day totals per key and per
 * tag feed the key and tag scopes (windows carry neither). Token counts let rules judge cache
 * efficiency: {@code promptTokens} is every input token (uncached + cache read + cache write).
 *
 * @param counter   identity of the running total (window or day total)
 * @param size      the window's length: minute, hour or day (day totals are days)
 * @param start     start of the hour or day
 * @param scopeId   id in the branch's scope
 * @param model     model behind the spend, or "" when unknown (key totals)
 * @param tool      tool behind the spend, or "" when unknown (key totals)
 * @param version   grows with every update of the counter
 * @param costNanos the counter's running total
 * @param promptTokens every input token of the counter (uncached, cache read, cache write)
 * @param cacheReadTokens of those, the ones read from the prompt cache
 * @param updatedAt event time of its newest event (drives cooldowns, deterministic on replay)
 */
record SpendUpdate(String counter, Period size, Instant start, String scopeId, String model, String tool,
                   long version, long costNanos, long promptTokens, long cacheReadTokens, Instant updatedAt) {

  /**
   * From a window total, or null when the window is not a minute, an hour or a day or has no id in
   * this scope. (Minute windows only reach the rules of a branch that has minute rules.)
   */
  static SpendUpdate of(Scope scope, SpendWindow w) {
    String scopeId = scopeId(scope, w);
    Period size = switch (w.getWindowSize()) {
      case "1m" -> Period.MINUTE;
      case "1h" -> Period.HOUR;
      case "1d" -> Period.DAY;
      default -> null;
    };
    if (scopeId == null || size == null) {
      return null;
    }
    String counter = w.getWindowSize() + "|" + w.getWindowStart().toEpochMilli() + "|" + w.getCustomerId().length()
        + ":" + w.getCustomerId() + "|" + w.getModel().length() + ":" + w.getModel() + "|" + w.getTool();
    return new SpendUpdate(counter, size, w.getWindowStart(), scopeId, w.getModel(), w.getTool(), w.getVersion(),
        w.getCostNanos(), w.getInputTokens() + w.getCacheReadTokens() + w.getCacheWrite5mTokens()
            + w.getCacheWrite1hTokens(), w.getCacheReadTokens(), w.getUpdatedAt());
  }

  /**
   * From a key's or tag's day total ({@code scope} KEY or TAG), or null when the total is not of
   * that scope or not a day total: budget-period
   * totals share the topic (SpendTotal v2, period_start set, lifetime ones at the epoch) and would
   * otherwise be read as the spend of the day their period starts on.
   */
  static SpendUpdate of(Scope scope, SpendTotal t) {
    String wire = scope == Scope.KEY ? "key" : scope == Scope.TAG ? "tag" : null;
    if (wire == null || !wire.equals(t.getScope()) || t.getScopeId().isEmpty() || t.getPeriodStart() != null) {
      return null;
    }
    Instant day = t.getDay().atStartOfDay(ZoneOffset.UTC).toInstant();
    return new SpendUpdate(wire + "|" + day.toEpochMilli() + "|" + t.getScopeId(), Period.DAY, day, t.getScopeId(), "",
        "", t.getVersion(), t.getCostNanos(), t.getInputTokens(), t.getCacheReadTokens(), t.getUpdatedAt());
  }

  /** An hour window. */
  boolean hourly() {
    return size == Period.HOUR;
  }

  /** The id a window belongs to in {@code scope}; null when it has none (no customer, or the key scope). */
  static String scopeId(Scope scope, SpendWindow w) {
    return switch (scope) {
      case CUSTOMER -> w.getCustomerId().isEmpty() ? null : w.getCustomerId();
      case MODEL -> w.getModel();
      case TOOL -> w.getTool();
      case GLOBAL -> "*";
      case KEY, TAG -> null;
    };
  }
}
