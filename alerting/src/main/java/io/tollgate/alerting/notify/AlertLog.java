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
    public void outcome(Alert alert, String channel, boolean delivered, int attempts, String error) {
    }

    @Override
    public void close() {
    }
  };

  /** The notifier saw the alert. */
  void raised(Alert alert);

  /** One delivery attempt ended: delivered, or failed with {@code error} (retried later). */
  void outcome(Alert alert, String channel, boolean delivered, int attempts, String error);

  @Override
  void close();
}
