package io.tollgate.schemas.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.List;

/**
 * {@code tollgate.alerts}: rules and channels as written in the file. The alerting app turns them
 * into its rules ({@code AlertingConfigLoader}), checking what needs the rule types and the environment.
 */
public record AlertsSection(String grafanaUrl, Slack slack, Email email, List<Threshold> thresholds,
                            List<Anomaly> anomalies, List<CacheBreak> cacheBreaks) {
  public AlertsSection {
    thresholds = ConfigTree.list(thresholds);
    anomalies = ConfigTree.list(anomalies);
    cacheBreaks = ConfigTree.list(cacheBreaks);
  }

  /** @param webhookUrl a secret: {@code os.environ/NAME} recommended */
  public record Slack(String webhookUrl) {
    @Override
    public String toString() {
      return "Slack[****]";
    }
  }

  /** SMTP; {@code security} none, starttls (default) or smtps. */
  public record Email(String host, Integer port, String security, String user, String password,
                      @JsonProperty("from") String from, List<String> to) {
    public Email {
      to = ConfigTree.list(to);
    }

    @Override
    public String toString() {
      return "Email[" + host + ":" + port + ", password " + (password == null ? "unset" : "****") + "]";
    }
  }

  /** A threshold rule. */
  public record Threshold(String id, String scope, String match, String period, BigDecimal amountUsd,
                          Integer softWarningPercent, List<String> channels, List<String> emailTo) {
    public Threshold {
      channels = ConfigTree.list(channels);
      emailTo = ConfigTree.list(emailTo);
    }
  }

  /**
   * A cache-break rule ({@code cache_breaks}); absent tuning keys take the alerting app's defaults.
   * {@code window}: minute, hour or day (also 1m, 1h, 1d).
   */
  public record CacheBreak(String id, String scope, String match, String window, Integer baselinePeriods,
                           Integer minBaselinePeriods, Double drop, Double minSpendRatio, BigDecimal minSpendUsd,
                           Long minPromptTokens, Double minBaselineShare, String cooldown, List<String> channels,
                           List<String> emailTo) {
    public CacheBreak {
      channels = ConfigTree.list(channels);
      emailTo = ConfigTree.list(emailTo);
    }
  }

  /** An anomaly rule; absent tuning keys take the alerting app's defaults. */
  public record Anomaly(String id, String scope, String match, String period, BigDecimal floorUsd,
                        @JsonProperty("z_warning") Double zWarning, @JsonProperty("z_critical") Double zCritical,
                        Double minRatio, Integer minBaselinePeriods, String cooldown, Double driftRatio,
                        List<String> channels, List<String> emailTo) {
    public Anomaly {
      channels = ConfigTree.list(channels);
      emailTo = ConfigTree.list(emailTo);
    }
  }
}
