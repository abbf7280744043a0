package io.tollgate.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.alerting.config.AlertingConfig;
import io.tollgate.alerting.config.AlertingConfigLoader;
import io.tollgate.schemas.config.ConfigFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Alert rules of {@code ./tollgate run}: the config file's {@code tollgate.alerts} section, else two
 * rules — $50 per customer per day (warning at 80 %), and a customer's daily spend departing from
 * its own baseline (spike or drift, above $10) — to the log, and to Slack when {@code
 * SLACK_WEBHOOK_URL} is set.
 */
final class AlertingConfigs {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private AlertingConfigs() {
  }

  static AlertingConfig build(LauncherOptions o, Map<String, String> env) {
    return build(o.config() == null ? null : ConfigFile.load(Path.of(o.config())), env);
  }

  /** With the user's file already read ({@code file}, null when none was given). */
  static AlertingConfig build(ConfigFile file, Map<String, String> env) {
    try {
      if (file != null && file.root().tollgate().alerts() != null) {
        return AlertingConfigLoader.from(file, env);
      }
      boolean slack = env.get("SLACK_WEBHOOK_URL") != null && !env.get("SLACK_WEBHOOK_URL").isBlank();
      String channels = "channels: [log" + (slack ? ", slack" : "") + "]";
      String yaml = "thresholds: [{id: daily-50, scope: customer, period: day, amount_usd: 50, soft_warning_percent: 80, "
          + channels + "}]\n"
          + "anomalies: [{id: customer-daily-anomaly, scope: customer, period: day, floor_usd: 10, " + channels + "}]\n"
          + (slack ? "slack: {webhook_url: os.environ/SLACK_WEBHOOK_URL}\n" : "");
      return AlertingConfigLoader.load(YAML.readTree(yaml), env);
    } catch (IOException e) {
      throw new UncheckedIOException("built-in alert rules", e);
    }
  }
}
