package io.tollgate.alerting.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.alerting.notify.EmailChannel;
import io.tollgate.alerting.rules.AnomalyRule;
import io.tollgate.alerting.rules.CacheBreakRule;
import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.Scope;
import io.tollgate.alerting.rules.ThresholdRule;
import io.tollgate.schemas.config.AlertsSection;
import io.tollgate.schemas.config.ConfigException;
import io.tollgate.schemas.config.ConfigFile;
import io.tollgate.schemas.config.ConfigTree;
import io.tollgate.schemas.config.Env;
import io.tollgate.schemas.config.Problems;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns {@code tollgate.alerts} of the shared config file ({@link AlertsSection}, bound by
 * {@link ConfigFile}) into rules and channels, reporting every problem at once ({@link
 * ConfigException}). Values of the wrong type are errors, never defaults ({@code z_warning: abc},
 * {@code port: "5x87"}). USD amounts are exact (BigDecimal → nano-USD); secrets come from
 * {@code os.environ/NAME} and never appear in messages.
 *
 * <pre>
 * tollgate:
 *   alerts:
 *     grafana_url: http://localhost:3000/d/tollgate-spend
 *     slack: {webhook_url: os.environ/SLACK_WEBHOOK_URL}
 *     email: {host: smtp.example.com, port: 587, security: starttls, user: alerts, password: os.environ/SMTP_PASSWORD,
 *             from: tollgate@example.com, to: [finops@example.com]}
 *     thresholds:
 *       - {id: daily-50, scope: customer, match: "*", period: day, amount_usd: 50, soft_warning_percent: 80,
 *          channels: [slack, email], email_to: [team-leads@example.com]}
 *     anomalies:
 *       - {id: spend-anomaly, scope: customer, period: day, floor_usd: 10, channels: [slack]}
 *     cache_breaks:
 *       - {id: cache-break, scope: customer, window: hour, drop: 0.5, min_spend_usd: 1, channels: [slack]}
 * </pre>
 *
 * <p>Cache-break rules are read by {@link CacheBreakRules}.
 */
public final class AlertingConfigLoader {
  private static final Set<String> CHANNELS = Set.of("slack", "email", "log");
  /** Defaults, in one place. */
  static final int DEFAULT_SMTP_PORT = 587;
  static final String DEFAULT_SMTP_SECURITY = "starttls";
  static final double DEFAULT_Z_WARNING = 2.0;
  static final double DEFAULT_Z_CRITICAL = 3.0;
  static final double DEFAULT_MIN_RATIO = 1.5;
  static final int DEFAULT_MIN_BASELINE_PERIODS = 7;
  static final String DEFAULT_COOLDOWN = "6h";
  static final double DEFAULT_DRIFT_RATIO = 1.5;
  private static final String PATH = "tollgate.alerts";

  private final Env env;
  final Problems problems;

  private AlertingConfigLoader(Env env, Problems problems) {
    this.env = env;
    this.problems = problems;
  }

  /** The parts every rule has. */
  record Common(String id, Scope scope, String match, Period period, List<String> channels,
                        List<String> emailTo) {
  }

  /** From the {@code tollgate.alerts} section of a config file (LiteLLM config.yaml + tollgate section). */
  public static AlertingConfig fromFile(Path file, Map<String, String> env) {
    return from(ConfigFile.load(file), env);
  }

  /** From the shared file, bound once: its own problems (unknown keys anywhere in it) count too. */
  public static AlertingConfig from(ConfigFile file, Map<String, String> env) {
    AlertsSection alerts = file.root().tollgate().alerts();
    return new AlertingConfigLoader(new Env(env), file.problems())
        .build(alerts == null ? ConfigTree.bind(null, AlertsSection.class, PATH, new Problems()) : alerts);
  }

  /** From the {@code alerts} node alone (missing = no rules); throws listing every problem. */
  public static AlertingConfig load(JsonNode alerts, Map<String, String> env) {
    Problems problems = new Problems();
    AlertsSection section = ConfigTree.bind(alerts, AlertsSection.class, PATH, problems);
    return new AlertingConfigLoader(new Env(env), problems).build(section);
  }

  private AlertingConfig build(AlertsSection alerts) {
    String slack = alerts.slack() == null ? null
        : env.resolve(PATH + ".slack.webhook_url", alerts.slack().webhookUrl(), problems);
    if (slack != null && !isHttpUrl(slack)) {
      problems.error(PATH + ".slack.webhook_url", "must be an http(s) URL (value not shown: it is a secret)");
      slack = null;
    }
    EmailChannel.Smtp smtp = smtp(alerts.email());
    Set<String> configured = new HashSet<>(Set.of("log"));
    if (slack != null) {
      configured.add("slack");
    }
    if (alerts.email() != null) {
      configured.add("email");
    }
    Set<String> ids = new HashSet<>();
    Map<String, List<String>> emailTo = new HashMap<>();
    List<ThresholdRule> thresholds = new ArrayList<>();
    for (int i = 0; i < alerts.thresholds().size(); i++) {
      AlertsSection.Threshold r = alerts.thresholds().get(i);
      String where = PATH + ".thresholds[" + i + "]";
      Common c = common(where, r.id(), r.scope(), r.match(), r.period(), r.channels(), r.emailTo(), ids, configured);
      long nanos = usd(r.amountUsd(), where + ".amount_usd", true, true);
      Integer soft = r.softWarningPercent();
      if (soft != null && (soft < 1 || soft > 99)) {
        problems.error(where + ".soft_warning_percent", "must be 1-99");
      }
      if (!problems.hasErrorsUnder(where)) {
        thresholds.add(new ThresholdRule(c.id(), c.scope(), c.match(), c.period(), nanos, soft, c.channels()));
        if (!c.emailTo().isEmpty()) {
          emailTo.put(c.id(), c.emailTo());
        }
      }
    }
    List<AnomalyRule> anomalies = new ArrayList<>();
    for (int i = 0; i < alerts.anomalies().size(); i++) {
      AlertsSection.Anomaly r = alerts.anomalies().get(i);
      String where = PATH + ".anomalies[" + i + "]";
      Common c = common(where, r.id(), r.scope(), r.match(), r.period(), r.channels(), r.emailTo(), ids, configured);
      long floor = usd(r.floorUsd(), where + ".floor_usd", false, false);
      Duration cooldown = duration(r.cooldown() == null ? DEFAULT_COOLDOWN : r.cooldown(), where + ".cooldown");
      try {
        AnomalyRule rule = new AnomalyRule(c.id() == null ? "?" : c.id(), c.scope() == null ? Scope.GLOBAL : c.scope(),
            c.match(), c.period() == null ? Period.DAY : c.period(), or(r.zWarning(), DEFAULT_Z_WARNING),
            or(r.zCritical(), DEFAULT_Z_CRITICAL), or(r.minRatio(), DEFAULT_MIN_RATIO), floor,
            r.minBaselinePeriods() == null ? DEFAULT_MIN_BASELINE_PERIODS : r.minBaselinePeriods(),
            cooldown == null ? Duration.ZERO : cooldown, or(r.driftRatio(), DEFAULT_DRIFT_RATIO), c.channels());
        if (!problems.hasErrorsUnder(where)) {
          anomalies.add(rule);
          if (!c.emailTo().isEmpty()) {
            emailTo.put(c.id(), c.emailTo());
          }
        }
      } catch (IllegalArgumentException e) {
        problems.error(where + ":", e.getMessage().replaceFirst("^rule \\S+: ", ""));
      }
    }
    List<CacheBreakRule> cacheBreaks = new CacheBreakRules(this).build(alerts.cacheBreaks(), PATH, ids, configured, emailTo);
    if (problems.errorCount() > 0) {
      throw new ConfigException(problems.errors(), problems.warnings());
    }
    return new AlertingConfig(thresholds, anomalies, slack, smtp, alerts.grafanaUrl(), emailTo, problems.warnings(),
        cacheBreaks);
  }

  Common common(String where, String id, String scopeName, String match, String periodName,
                        List<String> channels, List<String> emailTo, Set<String> ids, Set<String> configured) {
    if (id == null || id.isBlank()) {
      problems.error(where + ".id", "is required");
    } else if (!ids.add(id)) {
      problems.error(where + ".id", "'" + id + "' is used twice");
    }
    Scope scope = enumValue(Scope.class, scopeName, where + ".scope");
    Period period = enumValue(Period.class, periodName, where + ".period");
    if (period == Period.MINUTE) {
      problems.error(where + ".period", "must be hour, day or month (minute is for cache_breaks windows only)");
    }
    if (scope != null && scope.fromTotals() && period == Period.HOUR) {
      problems.error(where + ":", scope.name().toLowerCase(java.util.Locale.ROOT)
          + " rules work on day and month periods (spend per key and per tag is totalled per day)");
    }
    if (channels.isEmpty() && !problems.hasErrorAt(where + ".channels")) {
      problems.error(where + ".channels", "must name at least one of slack, email, log");
    }
    for (String c : channels) {
      if (!CHANNELS.contains(c)) {
        problems.error(where + ":", "unknown channel '" + c + "' (slack, email, log)");
      } else if (!configured.contains(c)) {
        problems.error(where, "uses channel '" + c + "', which is not configured");
      }
    }
    if (!emailTo.isEmpty() && !channels.contains("email")) {
      problems.error(where + ".email_to", "is set but the rule's channels do not include email");
    }
    emailTo.stream().filter(a -> !isEmail(a)).forEach(a -> problems.error(where + ".email_to:", "'" + a
        + "' is not one email address"));
    return new Common(id, scope, match == null ? "*" : match, period, channels, emailTo);
  }

  private EmailChannel.Smtp smtp(AlertsSection.Email email) {
    if (email == null) {
      return null;
    }
    String where = PATH + ".email";
    String security = email.security() == null ? DEFAULT_SMTP_SECURITY : email.security().toLowerCase(Locale.ROOT);
    if (!Set.of("none", "starttls", "smtps").contains(security)) {
      problems.error(where + ".security", "must be none, starttls or smtps");
    }
    int port = email.port() == null ? DEFAULT_SMTP_PORT : email.port();
    if (port < 1 || port > 65535) {
      problems.error(where + ".port", "must be a port number (1-65535)");
    }
    String password = env.resolve(where + ".password", email.password(), problems);
    email.to().stream().filter(a -> !isEmail(a)).forEach(a -> problems.error(where + ".to:", "'" + a
        + "' is not one email address"));
    if (email.from() != null && !isEmail(email.from())) {
      problems.error(where + ".from", "must be one email address");
    }
    if (email.host() == null || email.from() == null || email.to().isEmpty()) {
      problems.error(where, "needs host, from and at least one 'to' address");
      return null;
    }
    return new EmailChannel.Smtp(email.host(), port, security, email.user(), password, email.from(), email.to());
  }

  long usd(BigDecimal amount, String where, boolean required, boolean positive) {
    if (amount == null) {
      if (required && !problems.hasErrorAt(where)) {
        problems.error(where, "is required: a USD amount with at most 9 decimals");
      }
      return 0;
    }
    try {
      long nanos = amount.movePointRight(9).longValueExact();
      if (positive ? nanos <= 0 : nanos < 0) {
        problems.error(where, "must be " + (positive ? "positive" : "zero or more"));
      }
      return nanos;
    } catch (ArithmeticException e) {
      problems.error(where, "must be a USD amount with at most 9 decimals");
      return 0;
    }
  }

  private static double or(Double value, double fallback) {
    return value == null ? fallback : value;
  }

  private static boolean isHttpUrl(String url) {
    try {
      java.net.URI uri = new java.net.URI(url);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  /** One address, strictly (a list or a stray space would fail at every send, forever). */
  private static boolean isEmail(String address) {
    try {
      new jakarta.mail.internet.InternetAddress(address, true);
      return address.indexOf('@') > 0 && !address.contains(",");
    } catch (jakarta.mail.internet.AddressException e) {
      return false;
    }
  }

  /** "30m", "6h", "2d" or an ISO-8601 duration. */
  Duration duration(String text, String where) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.matches("\\d+[smhd]")) {
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        return switch (t.charAt(t.length() - 1)) {
          case 's' -> Duration.ofSeconds(n);
          case 'm' -> Duration.ofMinutes(n);
          case 'h' -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
      return Duration.parse(text.trim());
    } catch (RuntimeException e) {
      problems.error(where, "must be a duration like 30m, 6h or 2d, got '" + text + "'");
      return null;
    }
  }

  private <E extends Enum<E>> E enumValue(Class<E> type, String value, String where) {
    try {
      return Enum.valueOf(type, (value == null ? "" : value).trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      if (!problems.hasErrorAt(where)) {
        problems.error(where, "must be one of " + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT)
            + (value == null ? "" : ", got '" + value + "'"));
      }
      return null;
    }
  }
}
