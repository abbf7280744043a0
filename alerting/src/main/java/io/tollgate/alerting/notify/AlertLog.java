package io.tollgate.alerting.notify;

import io.tollgate.schemas.Alert;

/** Where the notifier records alerts and delivery outcomes for people to look at (Grafana). */
public interface AlertLog extends AutoCloseable {
  /** Records nothing. */
  AlertLog NONE = new AlertLog() {
    @Override
    public void raised(Alert alert) {
    }

    @Override
    public void outcome(Alert alert, String channel, String status, int attempts, String error) {
    }

    @Override
    public void close() {
    }
  };

  /** The notifier saw the alert. */
  void raised(Alert alert);

  /** Status of a delivery that was delivered. */
  String DELIVERED = "delivered";
  /** Status of a failed attempt that will be retried. */
  String FAILED = "failed";
  /** Status of a delivery given up on: a permanent failure, or retried for too long. */
  String DEAD_LETTER = "dead_letter";

  /**
   * One delivery attempt ended: {@link #DELIVERED}, {@link #FAILED} with {@code error} (retried
   * later) or {@link #DEAD_LETTER} (never retried; the row keeps the whole alert for a person to act on).
   */
  void outcome(Alert alert, String channel, String status, int attempts, String error);

  @Override
  void close();
}
