package io.tollgate.alerting.rules;

import java.time.Instant;
import java.util.Optional;

/**
 * The anomaly tests, pure.
 *
 * <p>Spike: the current period — also while it is still open, since spend only grows within a
 * period — is above {@code mean + z·σ} of the baseline, at least {@code minRatio × mean}, and at
 * least the floor. σ is never taken below 5 % of the mean, so a perfectly steady series does not
 * turn its first small wobble into infinite z.
 *
 * <p>Drift (a prompt that slowly grew, a team that slowly adopted a tool): a single period is never
 * far from the one before, so the spike test cannot see it. Compared instead: the short EWMA of
 * completed periods against the long EWMA; the long one lags about 19 periods, the short one about
 * 2, so steady growth of g per period shows as a ratio near (1+g)^17: +1 %/day gives ~1.18 (quiet),
 * tripling in two weeks (~8 %/day) gives well above 1.5 (alert).
 */
public final class AnomalyDetector {
  private AnomalyDetector() {
  }

  /** A spike verdict for the current (open or just closed) period, if any. */
  public static Optional<AlertDecision> spike(AnomalyRule rule, String scopeId, Instant periodStart, Baseline baseline,
                                              long currentNanos) {
    if (!rule.matches(scopeId) || baseline.windows() < rule.minBaselineWindows() || currentNanos < rule.floorNanos()
        || currentNanos < rule.minRatio() * baseline.mean()) {
      return Optional.empty();
    }
    double sigma = Math.max(baseline.stddev(), 0.05 * baseline.mean());
    if (sigma <= 0) {
      return Optional.empty();
    }
    double z = (currentNanos - baseline.mean()) / sigma;
    if (z < rule.warningZ()) {
      return Optional.empty();
    }
    String severity = z >= rule.criticalZ() ? "critical" : "warning";
    return Optional.of(new AlertDecision(AlertIds.of(rule.id(), scopeId, periodStart, severity), rule.id(), "anomaly",
        severity, scopeId, periodStart, currentNanos, null, Math.round(baseline.mean()), Math.round(sigma), z,
        String.format("%s %s spent %.1f σ above its usual %s", rule.scope().name().toLowerCase(), scopeId, z,
            rule.period().name().toLowerCase())));
  }

  /** A drift verdict after a period completed (the baseline already includes it), if any. */
  public static Optional<AlertDecision> drift(AnomalyRule rule, String scopeId, Instant periodStart, Baseline baseline) {
    if (!rule.matches(scopeId) || baseline.windows() < rule.minBaselineWindows() || baseline.longMean() <= 0
        || baseline.shortMean() < rule.floorNanos()) {
      return Optional.empty();
    }
    double ratio = baseline.shortMean() / baseline.longMean();
    if (ratio < rule.driftRatio()) {
      return Optional.empty();
    }
    return Optional.of(new AlertDecision(AlertIds.of(rule.id(), scopeId, periodStart, "drift"), rule.id(), "anomaly",
        "warning", scopeId, periodStart, Math.round(baseline.shortMean()), null, Math.round(baseline.longMean()), null,
        null, String.format("%s %s: recent %s spend is %.1f× its long-term average", rule.scope().name().toLowerCase(),
            scopeId, rule.period().name().toLowerCase(), ratio)));
  }

  /** Whether a scope may alert again: no anomaly alert since {@code cooldown} before {@code now}. */
  public static boolean cooledDown(AnomalyRule rule, Instant lastAlert, Instant now) {
    return lastAlert == null || !now.isBefore(lastAlert.plus(rule.cooldown()));
  }
}
