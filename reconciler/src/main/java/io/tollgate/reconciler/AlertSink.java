package io.tollgate.reconciler;

import io.tollgate.schemas.Alert;

/** Where drift alerts go: {@code tollgate.alerts.v1} ({@link KafkaAlertSink}). */
@FunctionalInterface
public interface AlertSink {
  /** Returns once the alert is durably written; throws when it could not be. */
  void send(Alert alert);
}
