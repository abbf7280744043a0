package io.tollgate.alerting.rules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * "Alert when a scope's spend in a period reaches an amount", e.g. $50 per customer per day.
 * Fires once, when the period's spend first reaches the amount (exactly the amount counts); an
 * optional soft warning fires once at a percentage of it. Pure: the caller keeps the previous
 * spend of the period (a state store) and asks with every new total.
 *
 * @param id                 rule id (part of the alert id)
 * @param scope              what is watched
 * @param match              one id, or {@code *} for each id separately
 * @param period             hour, day or month (UTC)
 * @param amountNanos        the threshold in nano-USD
 * @param softWarningPercent warn at this percentage of the amount (1–99), or null
 * @param channels           where to deliver (slack, email)
 */
public record ThresholdRule(String id, Scope scope, String match, Period period, long amountNanos,
                            Integer softWarningPercent, List<String> channels) {
  public ThresholdRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(period, "period");
    match = match == null || match.isBlank() ? "*" : match;
    channels = List.copyOf(channels);
    if (amountNanos <= 0) {
      throw new IllegalArgumentException("rule " + id + ": amount must be positive");
    }
    if (softWarningPercent != null && (softWarningPercent < 1 || softWarningPercent > 99)) {
      throw new IllegalArgumentException("rule " + id + ": soft warning must be 1-99 %, got " + softWarningPercent);
    }
  }

  public boolean matches(String scopeId) {
    return match.equals("*") || match.equals(scopeId);
  }

  /**
   * Alerts to raise now that the period starting {@code periodStart} went from {@code before} to
   * {@code after} nano-USD for {@code scopeId}. Empty unless a line was crossed by this update.
   */
  public List<AlertDecision> evaluate(String scopeId, Instant periodStart, long before, long after) {
    List<AlertDecision> out = new ArrayList<>(2);
    if (!matches(scopeId) || after <= before) {
      return out;
    }
    if (softWarningPercent != null) {
      long soft = Math.multiplyExact(amountNanos, softWarningPercent) / 100;
      if (before < soft && after >= soft && after < amountNanos) {
        out.add(decision(scopeId, periodStart, after, soft, "warning",
            "reached " + softWarningPercent + " % of its " + period.name().toLowerCase() + " limit"));
      }
    }
    if (before < amountNanos && after >= amountNanos) {
      out.add(decision(scopeId, periodStart, after, amountNanos, "critical",
          "reached its " + period.name().toLowerCase() + " limit"));
    }
    return out;
  }

  private AlertDecision decision(String scopeId, Instant periodStart, long spend, long line, String severity, String why) {
    return new AlertDecision(AlertIds.of(id, scopeId, periodStart, severity), id, "threshold", severity, scopeId,
        periodStart, spend, line, null, null, null, scope.name().toLowerCase() + " " + scopeId + " " + why);
  }
}
