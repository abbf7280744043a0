package io.tollgate.alerting.notify;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * What a Slack webhook's answer means for the delivery. Slack answers a revoked or deleted webhook
 * with 404 {@code no_service} or 403 {@code invalid_token}, a disabled app with 403
 * {@code action_prohibited}, an archived channel with 410 {@code channel_is_archived} and a payload
 * it cannot read with 400 {@code invalid_payload}: sending the same message again gives the same
 * answer, so these (and any other 4xx) are permanent. 429 (rate limited, with {@code Retry-After}),
 * 408 and 5xx pass by themselves and are retried.
 */
final class SlackResponses {
  private static final int MAX_REASON = 40;

  private SlackResponses() {
  }

  /**
   * @param status     the HTTP status
   * @param body       the answer's body (Slack's reason, such as {@code no_service}), may be null
   * @param retryAfter the {@code Retry-After} header, if any
   */
  static Channel.Result classify(int status, String body, Optional<String> retryAfter) {
    if (status / 100 == 2) {
      return Channel.Result.ok();
    }
    String error = "Slack answered HTTP " + status + reason(body);
    if (status == 429 || status == 408 || status / 100 == 5) {
      return Channel.Result.retry(retryAfter.flatMap(SlackResponses::seconds).orElse(null), error);
    }
    return Channel.Result.permanent(error);
  }

  /**
   * Slack's reasons are short snake_case words; anything else (an HTML error page, a proxy's text
   * that might quote the URL) is left out, so no secret can travel into logs or the alert log.
   */
  static String reason(String body) {
    if (body == null) {
      return "";
    }
    String b = body.strip().toLowerCase(Locale.ROOT);
    return !b.isEmpty() && b.length() <= MAX_REASON && b.matches("[a-z_]+") ? " " + b : "";
  }

  private static Optional<Duration> seconds(String value) {
    try {
      long s = Long.parseLong(value.trim());
      return s >= 0 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
