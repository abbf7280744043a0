package io.tollgate.alerting.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.schemas.Alert;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * Slack incoming webhook with a Block Kit message: who, how much against what, which period, the
 * details behind it, a link to Grafana. 429 honours {@code Retry-After}; 5xx and network errors
 * are retried by the notifier; Slack's answers for a revoked webhook or an archived channel (and any
 * other 4xx) are permanent ({@link SlackResponses}). The webhook URL is a secret and appears in no log or error.
 */
public final class SlackChannel implements Channel {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final URI webhook;
  private final String grafanaUrl;
  /** Marks a message that may repeat one sent before a notifier restart. */
  static final String POSSIBLE_REPEAT = ":repeat: Possible repeat:";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public SlackChannel(URI webhook, String grafanaUrl) {
    this.webhook = Objects.requireNonNull(webhook, "webhook");
    this.grafanaUrl = grafanaUrl;
  }

  @Override
  public String name() {
    return "slack";
  }

  @Override
  public Result deliver(Alert alert) {
    return deliver(alert, false);
  }

  /** Incoming webhooks have no idempotency key: a possible repeat says so in the message instead. */
  @Override
  public Result deliver(Alert alert, boolean possibleRepeat) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(10))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(message(alert, possibleRepeat))).build(),
          HttpResponse.BodyHandlers.ofString());
      return SlackResponses.classify(r.statusCode(), r.body(), r.headers().firstValue("retry-after"));
    } catch (IOException e) {
      return Result.retry(null, "Slack unreachable (" + e.getClass().getSimpleName() + ")");
    } catch (RuntimeException e) { // never the message: it may quote the webhook URL
      return Result.retry(null, "Slack call failed (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.retry(null, "interrupted");
    }
  }

  /** The Block Kit payload. */
  String message(Alert a) {
    return message(a, false);
  }

  /** The Block Kit payload; a possible repeat carries {@link #POSSIBLE_REPEAT} in its fallback text and a context line. */
  String message(Alert a, boolean possibleRepeat) {
    ObjectNode root = JSON.createObjectNode();
    String headline = (a.getSeverity().equals("critical") ? ":rotating_light: " : ":warning: ") + a.getMessage();
    root.put("text", possibleRepeat ? POSSIBLE_REPEAT + " " + headline : headline);
    ArrayNode blocks = root.putArray("blocks");
    blocks.addObject().put("type", "header").putObject("text").put("type", "plain_text").put("text", headline);
    ArrayNode fields = blocks.addObject().put("type", "section").putArray("fields");
    field(fields, "Scope", a.getScope() + " `" + a.getScopeId() + "`");
    field(fields, "Spend", "$" + usd(a.getSpendNanos()) + " this " + a.getPeriod() + " (since " + a.getWindowStart() + ")");
    if (a.getThresholdNanos() != null) {
      field(fields, "Threshold", "$" + usd(a.getThresholdNanos()));
    }
    if (a.getBaselineMeanNanos() != null) {
      field(fields, "Baseline", "$" + usd(a.getBaselineMeanNanos()) + (a.getZScore() == null ? ""
          : String.format(" (%.1f σ above)", a.getZScore())));
    }
    field(fields, "Rule", a.getRuleId() + " · " + a.getKind() + " · " + a.getSeverity());
    if (!a.getDetails().isEmpty()) {
      StringBuilder d = new StringBuilder();
      a.getDetails().forEach((k, v) -> d.append(k).append(": ").append(v).append('\n'));
      blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("text", d.toString().strip());
    }
    if (possibleRepeat) {
      blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
          .put("text", POSSIBLE_REPEAT + " the notifier stopped while sending this alert, so it may have arrived"
              + " already (alert id `" + a.getAlertId() + "`).");
    }
    if (grafanaUrl != null && !grafanaUrl.isBlank()) {
      blocks.addObject().put("type", "context").putArray("elements").addObject().put("type", "mrkdwn")
          .put("text", "<" + grafanaUrl + "|Open the spend dashboard>");
    }
    return root.toString();
  }

  private static void field(ArrayNode fields, String name, String value) {
    fields.addObject().put("type", "mrkdwn").put("text", "*" + name + "*\n" + value);
  }

  static String usd(long nanos) {
    return BigDecimal.valueOf(nanos, 9).setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
  }

  @Override
  public String toString() {
    return "SlackChannel[webhook=****]";
  }
}
