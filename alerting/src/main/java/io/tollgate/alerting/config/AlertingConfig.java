package io.tollgate.alerting.config;

import io.tollgate.alerting.notify.EmailChannel;
import io.tollgate.alerting.rules.ThresholdRule;
import java.util.List;

/**
 * Alerting settings: rules and channels, from the {@code tollgate.alerts} section of the config.
 *
 * @param thresholds threshold rules
 * @param slackWebhook Slack incoming-webhook URL (secret), or null
 * @param smtp       SMTP settings, or null
 * @param grafanaUrl link put into messages, or null
 */
public record AlertingConfig(List<ThresholdRule> thresholds, String slackWebhook, EmailChannel.Smtp smtp,
                             String grafanaUrl) {
  public AlertingConfig {
    thresholds = List.copyOf(thresholds);
  }

  @Override
  public String toString() {
    return "AlertingConfig[" + thresholds.size() + " threshold rules, slack " + (slackWebhook == null ? "off" : "on (****)")
        + ", email " + (smtp == null ? "off" : "on") + "]";
  }
}
