package io.tollgate.alerting.topology;

import io.tollgate.alerting.rules.AlertDecision;
import io.tollgate.alerting.rules.Period;
import io.tollgate.schemas.Alert;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds the {@code Alert} event of a rule's decision. */
final class Alerts {
  private Alerts() {
  }

  static Alert of(AlertDecision d, String scope, Period period, List<String> channels, Map<String, String> details,
                  Instant createdAt) {
    return Alert.newBuilder().setAlertId(d.alertId()).setRuleId(d.ruleId()).setKind(d.kind()).setSeverity(d.severity())
        .setScope(scope.toLowerCase(Locale.ROOT)).setScopeId(d.scopeId()).setPeriod(period.name().toLowerCase(Locale.ROOT))
        .setWindowStart(d.periodStart()).setSpendNanos(d.spendNanos()).setThresholdNanos(d.thresholdNanos())
        .setBaselineMeanNanos(d.meanNanos()).setBaselineStddevNanos(d.stddevNanos()).setZScore(d.zScore())
        .setChannels(channels).setMessage(d.reason()).setCreatedAt(createdAt).setDetails(details).build();
  }
}
