package io.tollgate.alerting.notify;

import io.tollgate.schemas.Alert;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells people what became of alerts and their deliveries: the metrics, the alert log (ClickHouse)
 * and the notifier's log lines. Decides nothing; the {@link Notifier} calls it as things happen.
 */
final class DeliveryOutcomes {
  /** The notifier's logger: these lines are its own. */
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

  private final AlertingMetrics metrics;
  private final AlertLog alertLog;

  DeliveryOutcomes(AlertingMetrics metrics, AlertLog alertLog) {
    this.metrics = metrics;
    this.alertLog = alertLog;
  }

  /** An alert about a period that ended more than {@code keep} ago: not sent. */
  void expired(Alert alert, Duration keep) {
    alert.getChannels().forEach(name -> metrics.delivery(name, "expired"));
    LOG.warn("alert {} is about a period that ended more than {} days ago: not sent", alert.getAlertId(), keep.toDays());
  }

  void unknownChannel(Alert alert, String name) {
    LOG.warn("alert {} names channel '{}', which is not configured", alert.getAlertId(), name);
  }

  /** An alert with deliveries to make that none of them was already making. */
  void raised(Alert alert) {
    metrics.alert(alert.getKind(), alert.getSeverity());
    alertLog.raised(alert);
  }

  /** A delivery is finished: delivered, or refused for good ({@code result.permanent()}). */
  void finished(ChannelWorkers.Delivery d, Channel.Result result, int attempts) {
    String status = result.delivered() ? AlertLog.DELIVERED : AlertLog.DEAD_LETTER;
    metrics.delivery(d.channel(), status);
    if (result.delivered() && d.possibleRepeat()) {
      metrics.possibleRepeat(d.channel());
      LOG.warn("alert {} sent to {} again, marked as a possible repeat: a notifier died while sending it",
          d.alert().getAlertId(), d.channel());
    }
    alertLog.outcome(d.alert(), d.channel(), status, attempts, result.error());
    if (result.permanent()) {
      LOG.error("alert {} to {} dead-lettered after {} attempt(s): {} (kept in the alerts table, status dead_letter)",
          d.alert().getAlertId(), d.channel(), attempts, result.error());
    }
  }

  /** An attempt failed; the delivery is retried in {@code wait}. */
  void failed(ChannelWorkers.Delivery d, Channel.Result result, int attempts, Duration wait) {
    metrics.delivery(d.channel(), AlertLog.FAILED);
    alertLog.outcome(d.alert(), d.channel(), AlertLog.FAILED, attempts, result.error());
    LOG.warn("alert {} to {} failed ({}), retry {} in {} ms", d.alert().getAlertId(), d.channel(), result.error(),
        attempts, wait.toMillis());
  }
}
