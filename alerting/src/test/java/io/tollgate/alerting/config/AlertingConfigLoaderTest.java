package io.tollgate.alerting.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.Scope;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertingConfigLoaderTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void readsRulesAndChannelsWithExactAmounts() throws Exception {
    AlertingConfig c = AlertingConfigLoader.load(YAML.readTree("""
        slack: {webhook_url: os.environ/HOOK}
        email: {host: smtp.local, port: 2525, security: none, from: a@b.c, to: [x@y.z], password: os.environ/PW}
        thresholds:
          - {id: daily-50, scope: customer, period: day, amount_usd: 50.000000001, soft_warning_percent: 80, channels: [slack, email],
             email_to: [leads@example.com]}
          - {id: opus, scope: model, match: claude-opus-4-1, period: hour, amount_usd: "20", channels: [log]}
        """), Map.of("HOOK", "https://hooks.slack.com/services/secret", "PW", "hunter2"));
    assertThat(c.thresholds()).hasSize(2);
    assertThat(c.thresholds().get(0).amountNanos()).isEqualTo(50_000_000_001L);
    assertThat(c.thresholds().get(0).scope()).isEqualTo(Scope.CUSTOMER);
    assertThat(c.thresholds().get(1).period()).isEqualTo(Period.HOUR);
    assertThat(c.thresholds().get(1).match()).isEqualTo("claude-opus-4-1");
    assertThat(c.smtp().port()).isEqualTo(2525);
    assertThat(c.emailTo()).isEqualTo(Map.of("daily-50", java.util.List.of("leads@example.com")));
    assertThat(c.toString()).doesNotContain("secret").doesNotContain("hunter2");
    assertThat(c.smtp().toString()).doesNotContain("hunter2");
  }

  @Test
  void everyProblemAtOnce() {
    assertThatThrownBy(() -> AlertingConfigLoader.load(YAML.readTree("""
        slack: {webhook_url: os.environ/MISSING}
        thresholds:
          - {id: a, scope: planet, period: week, amount_usd: -1, channels: [pager]}
          - {id: a, scope: customer, period: day, amount_usd: 0.0000000001, channels: [email]}
        """), Map.of()))
        .hasMessageContaining("environment variable MISSING")
        .hasMessageContaining("scope must be one of")
        .hasMessageContaining("period must be one of")
        .hasMessageContaining("amount_usd must be positive")
        .hasMessageContaining("unknown channel 'pager'")
        .hasMessageContaining("'a' is used twice")
        .hasMessageContaining("at most 9 decimals")
        .hasMessageContaining("uses channel 'email', which is not configured");
  }

  @Test
  void readsAnomalyRulesWithDefaultsAndChecksThem() throws Exception {
    AlertingConfig c = AlertingConfigLoader.load(YAML.readTree("""
        thresholds:
          - {id: key-daily, scope: key, period: day, amount_usd: 5, channels: [log]}
        anomalies:
          - {id: spike, scope: customer, period: day, floor_usd: "10.5", channels: [log]}
          - {id: hourly, scope: global, period: hour, z_warning: 2.5, z_critical: 4, cooldown: 30m, min_baseline_periods: 24,
             drift_ratio: 2, channels: [log]}
        """), Map.of());
    assertThat(c.anomalies()).hasSize(2);
    assertThat(c.anomalies().get(0).floorNanos()).isEqualTo(10_500_000_000L);
    assertThat(c.anomalies().get(0).warningZ()).isEqualTo(2.0);
    assertThat(c.anomalies().get(0).cooldown()).isEqualTo(java.time.Duration.ofHours(6));
    assertThat(c.anomalies().get(1).cooldown()).isEqualTo(java.time.Duration.ofMinutes(30));
    assertThat(c.anomalies().get(1).minBaselineWindows()).isEqualTo(24);
    assertThat(c.rulesSummary()).isEqualTo("1 threshold rule, 2 anomaly rules");

    assertThatThrownBy(() -> AlertingConfigLoader.load(YAML.readTree("""
        thresholds:
          - {id: k, scope: key, period: hour, amount_usd: 5, channels: [log]}
        anomalies:
          - {id: k, scope: customer, period: day, z_warning: 4, z_critical: 3, cooldown: soon, floor_usd: -1, channels: []}
          - {id: m, scope: model, period: day, channels: [log], email_to: [nobody]}
        """), Map.of()))
        .hasMessageContaining("key rules work on day and month periods")
        .hasMessageContaining("'k' is used twice")
        .hasMessageContaining("anomalies[0].cooldown must be a duration")
        .hasMessageContaining("floor_usd must be zero or more")
        .hasMessageContaining("channels must name at least one")
        .hasMessageContaining("warningZ <= criticalZ")
        .hasMessageContaining("anomalies[1].email_to is set but the rule's channels do not include email")
        .hasMessageContaining("anomalies[1].email_to: 'nobody' is not one email address");
  }

  @Test
  void secretsAreCheckedWithoutBeingShown() throws Exception {
    assertThatThrownBy(() -> AlertingConfigLoader.load(YAML.readTree("""
        slack: {webhook_url: os.environ/HOOK}
        email: {host: smtp.local, from: a@b.c, to: ["x@y.z, w@y.z"]}
        """), Map.of("HOOK", " hooks.slack.com/services/T0/B0/secret-token\n")))
        .hasMessageContaining("webhook_url must be an http(s) URL")
        .hasMessageContaining("'x@y.z, w@y.z' is not one email address")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret-token"));
    java.nio.file.Path file = java.nio.file.Files.createTempFile("alerts", ".yaml");
    java.nio.file.Files.writeString(file, "tollgate:\n  alerts:\n    slack: {webhook_url: https://hooks.slack.com/s3cr3t\n");
    assertThatThrownBy(() -> AlertingConfigLoader.fromFile(file, Map.of()))
        .hasMessageContaining("is not valid YAML").satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
  }

  @Test
  void valuesOfTheWrongTypeAreProblemsNotDefaults() {
    assertThatThrownBy(() -> AlertingConfigLoader.load(YAML.readTree("""
        email: {host: smtp.local, port: "5x87", from: a@b.c, to: [x@y.z]}
        thresholds:
          - {id: t, scope: customer, period: day, amount_usd: fifty, soft_warning_percent: eighty, channels: [log]}
        anomalies:
          - {id: a, scope: customer, period: day, z_warning: abc, min_baseline_periods: 7.5, drift_ratio: [2],
             channels: log}
        """), Map.of()))
        .isInstanceOf(io.tollgate.schemas.config.ConfigException.class)
        .satisfies(e -> assertThat(((io.tollgate.schemas.config.ConfigException) e).problems()).containsExactlyInAnyOrder(
            "tollgate.alerts.email.port must be a whole number",
            "tollgate.alerts.thresholds[0].amount_usd must be a number",
            "tollgate.alerts.thresholds[0].soft_warning_percent must be a whole number",
            "tollgate.alerts.anomalies[0].z_warning must be a number",
            "tollgate.alerts.anomalies[0].min_baseline_periods must be a whole number",
            "tollgate.alerts.anomalies[0].drift_ratio must be a number",
            "tollgate.alerts.anomalies[0].channels must be a list"));
  }

  @Test
  void unknownKeysAreWarningsWithTheirPathBesideTheErrors() throws Exception {
    AlertingConfig c = AlertingConfigLoader.load(YAML.readTree("""
        webhook: https://example.com
        thresholds:
          - {id: t, scope: customer, period: day, amount_usd: 5, channels: [log], severity: high}
        """), Map.of());
    assertThat(c.warnings()).containsExactly("tollgate.alerts.webhook: unknown key, ignored",
        "tollgate.alerts.thresholds[0].severity: unknown key, ignored");
    assertThatThrownBy(() -> AlertingConfigLoader.load(YAML.readTree("""
        thresholds:
          - {id: t, scope: customer, period: day, amout_usd: 5, channels: [log]}
        """), Map.of()))
        .hasMessageContaining("tollgate.alerts.thresholds[0].amount_usd is required")
        .hasMessageContaining("tollgate.alerts.thresholds[0].amout_usd: unknown key, ignored");
  }

  @Test
  void theFileIsCheckedWhole() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("alerts", ".yaml");
    java.nio.file.Files.writeString(file, """
        litellm_settings: {success_callback: [langfuse]}
        tollgate:
          alerts:
            thresholds: [{id: t, scope: customer, period: day, amount_usd: 5, channels: [log]}]
        """);
    AlertingConfig c = AlertingConfigLoader.fromFile(file, Map.of());
    assertThat(c.thresholds()).hasSize(1);
    assertThat(c.warnings()).containsExactly("litellm_settings.success_callback: not implemented by Tollgate, ignored");
  }
}
