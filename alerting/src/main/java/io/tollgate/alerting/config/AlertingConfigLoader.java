package io.tollgate.alerting.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.alerting.notify.EmailChannel;
import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.Scope;
import io.tollgate.alerting.rules.ThresholdRule;
import java.math.BigDecimal;
import java.util.ArrayList;
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
 *          channels: [slack, email]}
 * </pre>
 */
public final class AlertingConfigLoader {
  private AlertingConfigLoader() {
  }

  /** From the {@code alerts} node (missing = no rules); throws listing every problem. */
  public static AlertingConfig load(JsonNode alerts, Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    String slack = secret(alerts.path("slack").get("webhook_url"), "tollgate.alerts.slack.webhook_url", env, problems);
    EmailChannel.Smtp smtp = null;
    JsonNode email = alerts.path("email");
    if (email.isObject()) {
      List<String> to = new ArrayList<>();
      email.path("to").forEach(n -> to.add(n.asText()));
      String security = email.path("security").asText("starttls").toLowerCase(Locale.ROOT);
      if (!Set.of("none", "starttls", "smtps").contains(security)) {
        problems.add("tollgate.alerts.email.security must be none, starttls or smtps");
      }
      if (!email.hasNonNull("host") || !email.hasNonNull("from") || to.isEmpty()) {
        problems.add("tollgate.alerts.email needs host, from and at least one 'to' address");
      } else {
        smtp = new EmailChannel.Smtp(email.get("host").asText(), email.path("port").asInt(587), security,
            email.path("user").asText(null), secret(email.get("password"), "tollgate.alerts.email.password", env, problems),
            email.get("from").asText(), to);
      }
    }
    List<ThresholdRule> rules = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    int i = 0;
    for (JsonNode r : alerts.path("thresholds")) {
      String where = "tollgate.alerts.thresholds[" + i++ + "]";
      int before = problems.size();
      String id = r.path("id").asText(null);
      if (id == null || id.isBlank()) {
        problems.add(where + ".id is required");
      } else if (!ids.add(id)) {
        problems.add(where + ".id '" + id + "' is used twice");
      }
      Scope scope = enumValue(Scope.class, r.path("scope").asText(""), where + ".scope", problems);
      Period period = enumValue(Period.class, r.path("period").asText(""), where + ".period", problems);
      long nanos = 0;
      try {
        BigDecimal usd = new BigDecimal(r.path("amount_usd").asText(""));
        nanos = usd.movePointRight(9).longValueExact();
        if (nanos <= 0) {
          problems.add(where + ".amount_usd must be positive");
        }
      } catch (NumberFormatException | ArithmeticException e) {
        problems.add(where + ".amount_usd must be a USD amount with at most 9 decimals");
      }
      List<String> channels = new ArrayList<>();
      r.path("channels").forEach(n -> channels.add(n.asText()));
      for (String c : channels) {
        if (c.equals("slack") && slack == null || c.equals("email") && !email.isObject()) {
          problems.add(where + " uses channel '" + c + "', which is not configured");
        } else if (!Set.of("slack", "email", "log").contains(c)) {
          problems.add(where + ": unknown channel '" + c + "' (slack, email, log)");
        }
      }
      Integer soft = r.hasNonNull("soft_warning_percent") ? r.get("soft_warning_percent").asInt() : null;
      if (soft != null && (soft < 1 || soft > 99)) {
        problems.add(where + ".soft_warning_percent must be 1-99");
      }
      if (problems.size() == before) {
        rules.add(new ThresholdRule(id, scope, r.path("match").asText("*"), period, nanos, soft, channels));
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid alerting configuration:\n  - " + String.join("\n  - ", problems));
    }
    return new AlertingConfig(rules, slack, smtp, alerts.path("grafana_url").asText(null));
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String value, String where, List<String> problems) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      problems.add(where + " must be one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT)
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
