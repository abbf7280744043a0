package io.tollgate.alerting.notify;

import io.tollgate.schemas.Alert;
import java.time.Duration;

/**
 * A delivery channel (Slack, email). Implementations never log secrets (webhook URLs, passwords).
 * {@link #deliver} may block (network calls): the notifier runs it on the channel's own thread.
 */
public interface Channel {
  /** The name alerts use in their {@code channels} list. */
  String name();

  /** One delivery attempt. */
  Result deliver(Alert alert);

  /**
   * One delivery attempt of an alert that may have reached this channel already: an earlier
   * notifier died while sending it (its intent is in the delivery log, its outcome is not). A
   * channel says so in the message, or uses the channel's own duplicate detection (email: the same
   * {@code Message-ID}); by default it is delivered as usual.
   */
  default Result deliver(Alert alert, boolean possibleRepeat) {
    return deliver(alert);
  }

  /**
   * @param delivered  true when the channel accepted the alert
   * @param permanent  when not delivered: true if retrying cannot help (a revoked webhook, a
   *                   rejected recipient); the delivery is then dead-lettered instead of retried
   * @param retryAfter when not delivered: the wait the channel asked for (e.g. Slack's Retry-After), or null
   * @param error      a short reason when not delivered (never a secret)
   */
  record Result(boolean delivered, boolean permanent, Duration retryAfter, String error) {
    public static Result ok() {
      return new Result(true, false, null, null);
    }

    /** A failure that may pass: retried with backoff (or after {@code after}, when given). */
    public static Result retry(Duration after, String error) {
      return new Result(false, false, after, error);
    }

    /** A failure retrying cannot fix: dead-lettered. */
    public static Result permanent(String error) {
      return new Result(false, true, null, error);
    }
  }
}
