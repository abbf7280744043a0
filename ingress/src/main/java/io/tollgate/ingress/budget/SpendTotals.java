package io.tollgate.ingress.budget;

import io.tollgate.schemas.SpendTotal;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The budget-period totals of {@code tollgate.spend-totals.v1} as this gateway last read them:
 * current periods and lifetime totals only (older periods are dropped, so memory is bounded by
 * the scopes, not by time). Written by one follower thread, read by any.
 *
 * <p>For each total it keeps the cost this gateway contributed ({@code by_gateway[gatewayId]}) and
 * that contribution as it stood when the follower first caught up ({@code mineAtStart}): spend
 * this process settled itself minus what the aggregator has added of this gateway's since the
 * start is this gateway's own spend the total does not have yet (see {@link BudgetLedger}).
 */
public final class SpendTotals {
  /** One total: cost of everyone, this gateway's part now and at start-up. */
  public record Total(long version, long costNanos, long mineNanos, long mineAtStartNanos) {
    /** This gateway's spend the aggregator added since this process started. */
    long mineSinceStart() {
      return Math.max(0, mineNanos - mineAtStartNanos);
    }
  }

  private final String gatewayId;
  private final Map<PeriodRef, Total> totals = new ConcurrentHashMap<>();
  private volatile boolean caughtUp;
  private volatile Instant lastCaughtUp;

  public SpendTotals(String gatewayId) {
    this.gatewayId = gatewayId;
  }

  /** The total of {@code ref}, or null when the aggregator has none (yet). */
  public Total get(PeriodRef ref) {
    return totals.get(ref);
  }

  /**
   * Takes one record of the topic. Day totals (no {@code period_start}), periods that are over and
   * versions older than the one held are ignored; a null value (tombstone) removes the total.
   */
  public void apply(String key, SpendTotal value, Instant now) {
    if (value == null) {
      PeriodRef ref = key == null ? null : parseKey(key);
      if (ref != null) {
        totals.remove(ref);
      }
      return;
    }
    Scope scope = Scope.ofWire(value.getScope());
    if (scope == null || value.getPeriodStart() == null || !current(value.getDuration(), value.getPeriodStart(), now)) {
      return;
    }
    PeriodRef ref = new PeriodRef(scope, value.getScopeId(), value.getDuration(), value.getPeriodStart().toEpochMilli());
    Long mine = value.getByGateway() == null ? null : value.getByGateway().get(gatewayId);
    long m = mine == null ? 0 : mine;
    totals.compute(ref, (k, old) -> {
      if (old != null && old.version() > value.getVersion()) {
        return old;
      }
      long atStart = !caughtUp ? m : old == null ? 0 : old.mineAtStartNanos();
      return new Total(value.getVersion(), value.getCostNanos(), m, atStart);
    });
  }

  /** {@code scope|scope_id|duration|period_start_millis} (the id may contain '|'), or null. */
  static PeriodRef parseKey(String key) {
    int first = key.indexOf('|');
    int last = key.lastIndexOf('|');
    int second = last <= 0 ? -1 : key.lastIndexOf('|', last - 1);
    if (first < 0 || second <= first) {
      return null;
    }
    Scope scope = Scope.ofWire(key.substring(0, first));
    try {
      return scope == null ? null : new PeriodRef(scope, key.substring(first + 1, second), key.substring(second + 1, last),
          Long.parseLong(key.substring(last + 1)));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The follower has read the whole topic as it stood now; from the first time on, new contributions count as new. */
  public void caughtUp(Instant now) {
    caughtUp = true;
    lastCaughtUp = now;
  }

  /** Whether the follower has read the topic to its end at least once. */
  public boolean everCaughtUp() {
    return caughtUp;
  }

  /** How old the view is: seconds since the follower was last at the topic's end (infinite before the first time). */
  public double stalenessSeconds(Instant now) {
    Instant last = lastCaughtUp;
    return last == null ? Double.POSITIVE_INFINITY : Math.max(0, (now.toEpochMilli() - last.toEpochMilli()) / 1000.0);
  }

  /** Drops totals of periods that are over. */
  public void evictOld(Instant now) {
    totals.keySet().removeIf(ref -> !current(ref.duration(), Instant.ofEpochMilli(ref.periodStartMillis()), now));
  }

  public int size() {
    return totals.size();
  }

  private static boolean current(String duration, Instant start, Instant now) {
    if (duration == null || duration.isEmpty()) {
      return true; // lifetime
    }
    BudgetDuration d = BudgetDuration.parseOrNull(duration);
    // Newer than now (another instance's clock ahead) is kept too: it becomes current soon.
    return d != null && !start.isBefore(d.periodStart(now));
  }

}
