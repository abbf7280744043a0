package io.tollgate.alerting.notify;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The notifier's metrics: alerts seen, deliveries by channel and outcome, what waits, the alert log. */
public final class AlertingMetrics {
  private final Counter alerts;
  private final Counter deliveries;
  private final Counter possibleRepeats;
  private final Gauge pending;
  private final Counter logFailures;
  private final Counter logDropped;

  public AlertingMetrics(PrometheusRegistry registry) {
    alerts = Counter.builder().name("tollgate_alerts_total")
        .help("Alerts the notifier received, by kind and severity").labelNames("kind", "severity").register(registry);
    deliveries = Counter.builder().name("tollgate_alert_deliveries_total")
        .help("Delivery attempts by channel and outcome (delivered, failed = retried, dead_letter = given up, expired)").labelNames("channel", "outcome")
        .register(registry);
    possibleRepeats = Counter.builder().name("tollgate_alert_possible_repeats_total")
        .help("Deliveries sent again, marked as possible repeats, because a notifier died while sending them")
        .labelNames("channel").register(registry);
    pending = Gauge.builder().name("tollgate_alert_deliveries_pending")
        .help("Deliveries not finished yet (in flight or waiting for a retry)").register(registry);
    logFailures = Counter.builder().name("tollgate_alert_log_failures_total")
        .help("Failed writes of alert rows to ClickHouse (retried)").register(registry);
    logDropped = Counter.builder().name("tollgate_alert_log_dropped_total")
        .help("Alert rows dropped because ClickHouse stayed unreachable and the buffer was full").register(registry);
  }

  void alert(String kind, String severity) {
    alerts.labelValues(kind, severity).inc();
  }

  /** @param outcome delivered, failed (retried), dead_letter or expired (the alert was too old to send) */
  void delivery(String channel, String outcome) {
    deliveries.labelValues(channel, outcome).inc();
  }

  void possibleRepeat(String channel) {
    possibleRepeats.labelValues(channel).inc();
  }

  void pending(int count) {
    pending.set(count);
  }

  void alertLogFailed() {
    logFailures.inc();
  }

  void alertLogDropped() {
    logDropped.inc();
  }
}
