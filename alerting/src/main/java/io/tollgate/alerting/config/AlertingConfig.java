package io.tollgate.alerting.config;

import io.tollgate.alerting.notify.EmailChannel;
import io.tollgate.alerting.rules.AnomalyRule;
import io.tollgate.alerting.rules.CacheBreakRule;
import io.tollgate.alerting.rules.ThresholdRule;
import java.util.List;
import java.util.Map;

/**
 * Alerting settings: rules and channels, from the {@code tollgate.alerts} section of the config.
 *
 * @param thresholds   threshold rules
 * @param anomalies    anomaly rules
 * @param slackWebhook Slack incoming-webhook URL (secret), or null
 * @param smtp         SMTP settings, or null
 * @param grafanaUrl   link put into messages, or null
 * @param emailTo      recipients of rules that name their own ({@code email_to}), by rule id
 * @param warnings     what the config file gets wrong without stopping alerting (unknown keys, LiteLLM
 *                     settings Tollgate does not implement): logged at start, fail {@code --validate}
 * @param cacheBreaks  cache-break rules ({@code cache_breaks})
 */
public record AlertingConfig(List<ThresholdRule> thresholds, List<AnomalyRule> anomalies, String slackWebhook,
                             EmailChannel.Smtp smtp, String grafanaUrl, Map<String, List<String>> emailTo,
                             List<String> warnings, List<CacheBreakRule> cacheBreaks) {
  public AlertingConfig {
    thresholds = List.copyOf(thresholds);
    anomalies = List.copyOf(anomalies);
    emailTo = Map.copyOf(emailTo);
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
    cacheBreaks = cacheBreaks == null ? List.of() : List.copyOf(cacheBreaks);
  }

  /** Without cache-break rules. */
  public AlertingConfig(List<ThresholdRule> thresholds, List<AnomalyRule> anomalies, String slackWebhook,
                        EmailChannel.Smtp smtp, String grafanaUrl, Map<String, List<String>> emailTo,
                        List<String> warnings) {
    this(thresholds, anomalies, slackWebhook, smtp, grafanaUrl, emailTo, warnings, List.of());
  }

  /** Without warnings. */
  public AlertingConfig(List<ThresholdRule> thresholds, List<AnomalyRule> anomalies, String slackWebhook,
                        EmailChannel.Smtp smtp, String grafanaUrl, Map<String, List<String>> emailTo) {
    this(thresholds, anomalies, slackWebhook, smtp, grafanaUrl, emailTo, List.of(), List.of());
  }

  /** "2 threshold rules, 1 anomaly rule" (", 1 cache-break rule" when there are any) */
  public String rulesSummary() {
    return thresholds.size() + " threshold rule" + (thresholds.size() == 1 ? "" : "s") + ", " + anomalies.size()
        + " anomaly rule" + (anomalies.size() == 1 ? "" : "s")
        + (cacheBreaks.isEmpty() ? "" : ", " + cacheBreaks.size() + " cache-break rule" + (cacheBreaks.size() == 1 ? "" : "s"));
  }

  @Override
  public String toString() {
    return "AlertingConfig[" + rulesSummary() + ", slack " + (slackWebhook == null ? "off" : "on (****)")
        + ", email " + (smtp == null ? "off" : "on") + "]";
  }
}
