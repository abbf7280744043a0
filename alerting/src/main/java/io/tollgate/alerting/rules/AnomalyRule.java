package io.tollgate.alerting.rules;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * "Alert when a scope's spend departs from its own normal." Two tests, see {@link AnomalyDetector}:
 * a spike (the current, possibly still open, period above mean + z·σ of the baseline) and a drift
 * (short-term average well above the long-term one).
 *
 * @param id                 rule id
 * @param scope              what is watched
 * @param match              one id, or {@code *} for each id separately
 * @param period             hour, day or month
 * @param warningZ           z at which a spike is a warning (default 2)
 * @param criticalZ          z at which a spike is critical (default 3)
 * @param minRatio           a spike must also be at least this multiple of the mean (default 1.5), so
 *                           ordinary noise on a steady series never alerts
 * @param floorNanos         no alert below this spend in the period (nano-USD)
 * @param minBaselineWindows completed periods needed before anything can fire (cold start)
 * @param cooldown           quiet time per scope after an anomaly alert
 * @param driftRatio         short/long average ratio that counts as drift (default 1.5)
 * @param channels           where to deliver
 */
public record AnomalyRule(String id, Scope scope, String match, Period period, double warningZ, double criticalZ,
                          double minRatio, long floorNanos, int minBaselineWindows, Duration cooldown,
                          double driftRatio, List<String> channels) {
  public AnomalyRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(cooldown, "cooldown");
    match = match == null || match.isBlank() ? "*" : match;
    channels = List.copyOf(channels);
    if (warningZ <= 0 || criticalZ < warningZ || minRatio < 1 || driftRatio <= 1 || minBaselineWindows < 2 || floorNanos < 0) {
      throw new IllegalArgumentException("rule " + id + ": need 0 < warningZ <= criticalZ, minRatio >= 1, driftRatio > 1, "
          + "minBaselineWindows >= 2, floor >= 0");
    }
  }

  /** The defaults of the docs: 2σ warning, 3σ critical, 1.5× the mean, 7 baseline periods, drift at 1.5×. */
  public static AnomalyRule defaults(String id, Scope scope, Period period, long floorNanos, List<String> channels) {
    return new AnomalyRule(id, scope, "*", period, 2.0, 3.0, 1.5, floorNanos, 7, Duration.ofHours(6), 1.5, channels);
  }

  public boolean matches(String scopeId) {
    return match.equals("*") || match.equals(scopeId);
  }
}
