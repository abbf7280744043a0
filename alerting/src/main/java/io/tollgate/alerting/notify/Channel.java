package io.tollgate.alerting.notify;

import io.tollgate.schemas.Alert;
import java.time.Duration;

/** A delivery channel (Slack, email). Implementations never log secrets (webhook URLs, passwords). */
public interface Channel {
  /** The name alerts use in their {@code channels} list. */
  String name();

  /** One delivery attempt. */
  Result deliver(Alert alert);

  /**
   * @param delivered  true when the channel accepted the alert
   * @param retryAfter when not delivered: the wait the channel asked for (e.g. Slack's Retry-After), or null
   * @param error      a short reason when not delivered
   */
  record Result(boolean delivered, Duration retryAfter, String error) {
    public static Result ok() {
      return new Result(true, null, null);
    }

    public static Result retry(Duration after, String error) {
      return new Result(false, after, error);
    }
  }
}
