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
 * its own baseline (spike or drift, above $10) — plus an hourly cache-break rule per customer, to
 * the log, and to Slack when {@code SLACK_WEBHOOK_URL} is set. With {@code --demo}, a cache-break
 * rule on minute windows too (a demo lasts minutes; the hourly rule needs 6 hours of baseline).
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
    return build(file, env, false);
  }

  /** The same; {@code demo} adds the demo's minute-window cache-break rule to the built-in rules. */
  static AlertingConfig build(ConfigFile file, Map<String, String> env, boolean demo) {
    try {
      if (file != null && file.root().tollgate().alerts() != null) {
        return AlertingConfigLoader.from(file, env);
      }
      boolean slack = env.get("SLACK_WEBHOOK_URL") != null && !env.get("SLACK_WEBHOOK_URL").isBlank();
      String channels = "channels: [log" + (slack ? ", slack" : "") + "]";
      String yaml = "thresholds: [{id: daily-50, scope: customer, period: day, amount_usd: 50, soft_warning_percent: 80, "
          + channels + "}]\n"
          + "anomalies: [{id: customer-daily-anomaly, scope: customer, period: day, floor_usd: 10, " + channels + "}]\n"
          + "cache_breaks: [{id: customer-cache-break, scope: customer, window: hour, " + channels + "}"
          + (demo ? ", {id: demo-cache-break, scope: customer, window: minute, baseline_periods: 5, min_baseline_periods: 1,"
              + " min_spend_usd: 2, cooldown: 1h, " + channels + "}" : "") + "]\n"
          + (slack ? "slack: {webhook_url: os.environ/SLACK_WEBHOOK_URL}\n" : "");
      return AlertingConfigLoader.load(YAML.readTree(yaml), env);
    } catch (IOException e) {
      throw new UncheckedIOException("built-in alert rules", e);
    }
  }
}
