package io.tollgate.alerting.rules;

import java.time.Instant;

/**
 * A rule's verdict that an alert must be raised. The id is deterministic, so deciding the same
 * thing twice (a replay, a restart) yields the same id and the notifier sends it once.
 *
 * @param alertId       hash of rule, scope id, period start and severity
 * @param ruleId        the rule
 * @param kind          threshold or anomaly
 * @param severity      info, warning or critical
 * @param scopeId       the customer / key / model / tool (or {@code *})
 * @param periodStart   start of the period that fired
 * @param spendNanos    spend in the period when it fired
 * @param thresholdNanos the amount crossed (threshold alerts), else null
 * @param meanNanos     baseline mean (anomaly alerts), else null
 * @param stddevNanos   baseline standard deviation (anomaly alerts), else null
 * @param zScore        standard deviations above the mean (anomaly alerts), else null
 * @param reason        one line for humans
 */
public record AlertDecision(String alertId, String ruleId, String kind, String severity, String scopeId,
                            Instant periodStart, long spendNanos, Long thresholdNanos, Long meanNanos,
                            Long stddevNanos, Double zScore, String reason) {
}
