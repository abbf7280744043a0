package io.tollgate.alerting.rules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What one anomaly rule remembers about one scope id, and how it moves on with each bit of new
 * spend. Pure and immutable; the topology keeps it in a state store ({@link #encode()}), so
 * baselines survive restarts and rebalances.
 *
 * <ul>
 *   <li>Spend of the current (open) period grows with every update; the spike test runs on every
 *       update, so a spike is caught while its period is still open.</li>
 *   <li>When spend of a later period arrives, the current one is complete: it joins the baseline,
 *       then the drift test runs. Periods without any spend in between join as zeros (at most
 *       {@link #MAX_GAP_PERIODS}; after that many the EWMA has forgotten the past anyway).</li>
 *   <li>Spend of a period older than the current one is ignored here: that period is already in
 *       the baseline (threshold rules still count it).</li>
 *   <li>Cooldown per scope after an anomaly alert; within it, only an escalation from warning to
 *       critical of the same period gets through.</li>
 *   <li>Drift fires once when it starts and re-arms only after the short/long ratio fell back
 *       below halfway to the rule's drift ratio, so a long drift is one alert, not one per period.</li>
 * </ul>
 *
 * @param periodStartMs start of the current period, or {@link Long#MIN_VALUE} before any spend
 * @param spendNanos    spend of the current period so far
 * @param baseline      statistics of the completed periods
 * @param lastAlertMs   event time of the last anomaly alert, or {@link Long#MIN_VALUE}
 * @param lastSeverity  severity of that spike alert, "drift" for a drift alert, "" if none
 * @param drifting      a drift alert fired and has not re-armed yet
 */
public record AnomalyState(long periodStartMs, long spendNanos, Baseline baseline, long lastAlertMs, String lastSeverity,
                           boolean drifting) {
  public static final AnomalyState NEW = new AnomalyState(Long.MIN_VALUE, 0, Baseline.EMPTY, Long.MIN_VALUE, "", false);
  static final int MAX_GAP_PERIODS = 60;

  /** The state after an update and the alerts it raised (possibly none). */
  public record Step(AnomalyState state, List<AlertDecision> alerts) {
  }

  /**
   * Adds {@code deltaNanos} of spend in the period starting {@code periodStart}, observed at event
   * time {@code now}.
   */
  public Step add(AnomalyRule rule, String scopeId, Instant periodStart, long deltaNanos, Instant now) {
    long start = rule.period().start(periodStart).toEpochMilli();
    if (periodStartMs != Long.MIN_VALUE && start < periodStartMs) {
      return new Step(this, List.of());
    }
    List<AlertDecision> alerts = new ArrayList<>();
    AnomalyState s = this;
    if (periodStartMs == Long.MIN_VALUE) {
      s = new AnomalyState(start, 0, baseline, lastAlertMs, lastSeverity, drifting);
    } else if (start > periodStartMs) {
      s = closeUntil(rule, scopeId, start, now, alerts);
    }
    s = new AnomalyState(s.periodStartMs, s.spendNanos + deltaNanos, s.baseline, s.lastAlertMs, s.lastSeverity, s.drifting);
    Instant current = Instant.ofEpochMilli(s.periodStartMs);
    var spike = AnomalyDetector.spike(rule, scopeId, current, s.baseline, s.spendNanos);
    if (spike.isPresent() && s.mayAlert(rule, spike.get(), now)) {
      alerts.add(spike.get());
      s = s.alerted(spike.get().severity(), now, s.drifting);
    }
    return new Step(s, List.copyOf(alerts));
  }

  /** Completes the current period (and empty ones up to {@code nextStart}) into the baseline. */
  private AnomalyState closeUntil(AnomalyRule rule, String scopeId, long nextStart, Instant now, List<AlertDecision> alerts) {
    Instant closed = Instant.ofEpochMilli(periodStartMs);
    Baseline b = baseline.add(spendNanos);
    AnomalyState s = new AnomalyState(nextStart, 0, b, lastAlertMs, lastSeverity, drifting);
    var drift = AnomalyDetector.drift(rule, scopeId, closed, b);
    if (drift.isPresent() && !drifting && s.mayAlert(rule, drift.get(), now)) {
      alerts.add(drift.get());
      s = s.alerted("drift", now, true); // not a spike warning: no escalation path from it
    }
    Instant empty = rule.period().next(closed);
    for (int i = 0; i < MAX_GAP_PERIODS && empty.toEpochMilli() < nextStart; i++, empty = rule.period().next(empty)) {
      b = b.add(0);
    }
    boolean rearmed = s.drifting && b.longMean() > 0 && b.shortMean() / b.longMean() < 1 + (rule.driftRatio() - 1) / 2;
    return new AnomalyState(nextStart, 0, b, s.lastAlertMs, s.lastSeverity, s.drifting && !rearmed);
  }

  private boolean mayAlert(AnomalyRule rule, AlertDecision d, Instant now) {
    Instant last = lastAlertMs == Long.MIN_VALUE ? null : Instant.ofEpochMilli(lastAlertMs);
    boolean escalation = d.severity().equals("critical") && lastSeverity.equals("warning")
        && last != null && !last.isBefore(Instant.ofEpochMilli(periodStartMs));
    return AnomalyDetector.cooledDown(rule, last, now) || escalation;
  }

  private AnomalyState alerted(String severity, Instant now, boolean drift) {
    return new AnomalyState(periodStartMs, spendNanos, baseline, now.toEpochMilli(), severity, drift);
  }

  /** A compact text form for a state store; doubles in their exact round-trip form. */
  public String encode() {
    return String.join("|", "v1", Long.toString(periodStartMs), Long.toString(spendNanos),
        Integer.toString(baseline.windows()), Double.toString(baseline.mean()), Double.toString(baseline.variance()),
        Double.toString(baseline.shortMean()), Double.toString(baseline.longMean()), Long.toString(lastAlertMs),
        lastSeverity, Boolean.toString(drifting));
  }

  /** The inverse of {@link #encode()}; null gives {@link #NEW}. */
  public static AnomalyState decode(String text) {
    if (text == null) {
      return NEW;
    }
    String[] p = text.split("\\|", -1);
    if (p.length != 11 || !p[0].equals("v1")) {
      throw new IllegalArgumentException("not an anomaly state: " + text);
    }
    return new AnomalyState(Long.parseLong(p[1]), Long.parseLong(p[2]), new Baseline(Integer.parseInt(p[3]),
        Double.parseDouble(p[4]), Double.parseDouble(p[5]), Double.parseDouble(p[6]), Double.parseDouble(p[7])),
        Long.parseLong(p[8]), p[9], Boolean.parseBoolean(p[10]));
  }
}
