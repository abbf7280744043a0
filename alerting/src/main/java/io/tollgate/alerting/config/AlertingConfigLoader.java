package io.tollgate.alerting.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.alerting.notify.EmailChannel;
import io.tollgate.alerting.rules.AnomalyRule;
import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.Scope;
import io.tollgate.alerting.rules.ThresholdRule;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Reads {@code tollgate.alerts} and reports every problem at once. USD amounts are parsed exactly
 * (BigDecimal → nano-USD); secrets come from {@code os.environ/NAME}.
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
 * </pre>
 */
public final class AlertingConfigLoader {
  private static final Set<String> CHANNELS = Set.of("slack", "email", "log");

  private AlertingConfigLoader() {
  }

  /** The parts every rule has. */
  private record Common(String id, Scope scope, String match, Period period, List<String> channels,
                        List<String> emailTo) {
  }

  /** From the {@code tollgate.alerts} section of a config file (LiteLLM config.yaml + tollgate section). */
  public static AlertingConfig fromFile(Path file, Map<String, String> env) {
    try {
      JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
      JsonNode alerts = root == null ? null : root.path("tollgate").path("alerts");
      return load(alerts == null || alerts.isMissingNode() ? new ObjectMapper().createObjectNode() : alerts, env);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // The original message only: the full one quotes the offending line, which may hold a secret.
      throw new IllegalArgumentException("invalid alerting configuration: " + file + " is not valid YAML ("
          + e.getOriginalMessage() + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()) + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** From the {@code alerts} node (missing = no rules); throws listing every problem. */
  public static AlertingConfig load(JsonNode alerts, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    String slack = secret(alerts.path("slack").get("webhook_url"), "tollgate.alerts.slack.webhook_url", env, problems);
    if (slack != null && !isHttpUrl(slack)) {
      problems.add("tollgate.alerts.slack.webhook_url must be an http(s) URL (value not shown: it is a secret)");
      slack = null;
    }
    EmailChannel.Smtp smtp = smtp(alerts.path("email"), env, problems);
    Set<String> configured = new HashSet<>(Set.of("log"));
    if (slack != null) {
      configured.add("slack");
    }
    if (alerts.path("email").isObject()) {
      configured.add("email");
    }
    Set<String> ids = new HashSet<>();
    Map<String, List<String>> emailTo = new HashMap<>();
    List<ThresholdRule> thresholds = new ArrayList<>();
    int i = 0;
    for (JsonNode r : alerts.path("thresholds")) {
      String where = "tollgate.alerts.thresholds[" + i++ + "]";
      int before = problems.size();
      Common c = common(r, where, ids, configured, problems);
      long nanos = usd(r, "amount_usd", true, where, problems);
      Integer soft = r.hasNonNull("soft_warning_percent") ? r.get("soft_warning_percent").asInt() : null;
      if (soft != null && (soft < 1 || soft > 99)) {
        problems.add(where + ".soft_warning_percent must be 1-99");
      }
      if (problems.size() == before) {
        thresholds.add(new ThresholdRule(c.id(), c.scope(), c.match(), c.period(), nanos, soft, c.channels()));
        if (!c.emailTo().isEmpty()) {
          emailTo.put(c.id(), c.emailTo());
        }
      }
    }
    List<AnomalyRule> anomalies = new ArrayList<>();
    i = 0;
    for (JsonNode r : alerts.path("anomalies")) {
      String where = "tollgate.alerts.anomalies[" + i++ + "]";
      int before = problems.size();
      Common c = common(r, where, ids, configured, problems);
      long floor = r.has("floor_usd") ? usd(r, "floor_usd", false, where, problems) : 0;
      Duration cooldown = duration(r.path("cooldown").asText("6h"), where + ".cooldown", problems);
      try {
        AnomalyRule rule = new AnomalyRule(c.id() == null ? "?" : c.id(), c.scope() == null ? Scope.GLOBAL : c.scope(),
            c.match(), c.period() == null ? Period.DAY : c.period(), r.path("z_warning").asDouble(2.0),
            r.path("z_critical").asDouble(3.0), r.path("min_ratio").asDouble(1.5), floor,
            r.path("min_baseline_periods").asInt(7), cooldown == null ? Duration.ZERO : cooldown,
            r.path("drift_ratio").asDouble(1.5), c.channels());
        if (problems.size() == before) {
          anomalies.add(rule);
          if (!c.emailTo().isEmpty()) {
            emailTo.put(c.id(), c.emailTo());
          }
        }
      } catch (IllegalArgumentException e) {
        problems.add(where + ": " + e.getMessage().replaceFirst("^rule \\S+: ", ""));
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid alerting configuration:\n  - " + String.join("\n  - ", problems));
    }
    return new AlertingConfig(thresholds, anomalies, slack, smtp, alerts.path("grafana_url").asText(null), emailTo);
  }

  private static Common common(JsonNode r, String where, Set<String> ids, Set<String> configured, List<String> problems) {
    String id = r.path("id").asText(null);
    if (id == null || id.isBlank()) {
      problems.add(where + ".id is required");
    } else if (!ids.add(id)) {
      problems.add(where + ".id '" + id + "' is used twice");
    }
    Scope scope = enumValue(Scope.class, r.path("scope").asText(""), where + ".scope", problems);
    Period period = enumValue(Period.class, r.path("period").asText(""), where + ".period", problems);
    if (scope == Scope.KEY && period == Period.HOUR) {
      problems.add(where + ": key rules work on day and month periods (spend per key is totalled per day)");
    }
    List<String> channels = new ArrayList<>();
    r.path("channels").forEach(n -> channels.add(n.asText()));
    if (channels.isEmpty()) {
      problems.add(where + ".channels must name at least one of slack, email, log");
    }
    for (String c : channels) {
      if (!CHANNELS.contains(c)) {
        problems.add(where + ": unknown channel '" + c + "' (slack, email, log)");
      } else if (!configured.contains(c)) {
        problems.add(where + " uses channel '" + c + "', which is not configured");
      }
    }
    List<String> emailTo = new ArrayList<>();
    r.path("email_to").forEach(n -> emailTo.add(n.asText()));
    if (!emailTo.isEmpty() && !channels.contains("email")) {
      problems.add(where + ".email_to is set but the rule's channels do not include email");
    }
    emailTo.stream().filter(a -> !isEmail(a)).forEach(a -> problems.add(where + ".email_to: '" + a
        + "' is not one email address"));
    return new Common(id, scope, r.path("match").asText("*"), period, channels, emailTo);
  }

  private static EmailChannel.Smtp smtp(JsonNode email, Map<String, String> env, List<String> problems) {
    if (!email.isObject()) {
      return null;
    }
    List<String> to = new ArrayList<>();
    email.path("to").forEach(n -> to.add(n.asText()));
    String security = email.path("security").asText("starttls").toLowerCase(Locale.ROOT);
    if (!Set.of("none", "starttls", "smtps").contains(security)) {
      problems.add("tollgate.alerts.email.security must be none, starttls or smtps");
    }
    String password = secret(email.get("password"), "tollgate.alerts.email.password", env, problems);
    to.stream().filter(a -> !isEmail(a)).forEach(a -> problems.add("tollgate.alerts.email.to: '" + a
        + "' is not one email address"));
    if (email.hasNonNull("from") && !isEmail(email.get("from").asText())) {
      problems.add("tollgate.alerts.email.from must be one email address");
    }
    if (!email.hasNonNull("host") || !email.hasNonNull("from") || to.isEmpty()) {
      problems.add("tollgate.alerts.email needs host, from and at least one 'to' address");
      return null;
    }
    return new EmailChannel.Smtp(email.get("host").asText(), email.path("port").asInt(587), security,
        email.path("user").asText(null), password, email.get("from").asText(), to);
  }

  private static long usd(JsonNode r, String field, boolean positive, String where, List<String> problems) {
    try {
      long nanos = new BigDecimal(r.path(field).asText("")).movePointRight(9).longValueExact();
      if (positive ? nanos <= 0 : nanos < 0) {
        problems.add(where + "." + field + " must be " + (positive ? "positive" : "zero or more"));
      }
      return nanos;
    } catch (NumberFormatException | ArithmeticException e) {
      problems.add(where + "." + field + " must be a USD amount with at most 9 decimals");
      return 0;
    }
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
  private static Duration duration(String text, String where, List<String> problems) {
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
      problems.add(where + " must be a duration like 30m, 6h or 2d, got '" + text + "'");
      return null;
    }
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String where, List<String> problems) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      problems.add(where + " must be one of " + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT)
          + ", got '" + value + "'");
      return null;
    }
  }

  private static String secret(JsonNode node, String where, Map<String, String> env, List<String> problems) {
    if (node == null || node.isNull()) {
      return null;
    }
    String v = node.asText();
    if (v.startsWith("os.environ/")) {
      String name = v.substring("os.environ/".length());
      String value = env.get(name);
      if (value == null || value.isBlank()) {
        problems.add(where + " refers to environment variable " + name + ", which is not set");
        return null;
      }
      return value;
    }
    return v;
  }
}
