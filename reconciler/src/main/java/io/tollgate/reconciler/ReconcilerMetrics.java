package io.tollgate.reconciler;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The reconciler's Prometheus metrics (docs/metrics.md); labels are fixed names, never report values. */
public final class ReconcilerMetrics {
  private final Counter polls;
  private final Counter drifts;
  private final Gauge lastSuccess;

  public ReconcilerMetrics(PrometheusRegistry registry) {
    polls = Counter.builder().name("tollgate_reconciler_polls_total")
        .help("Report polls per provider by outcome (ok, failed: the admin API refused or failed)")
        .labelNames("provider", "outcome").register(registry);
    drifts = Counter.builder().name("tollgate_reconciler_drift_alerts_total")
        .help("Drift alerts raised per provider and direction (over_metering, under_metering)")
        .labelNames("provider", "direction").register(registry);
    lastSuccess = Gauge.builder().name("tollgate_reconciler_last_success_seconds")
        .help("Unix time of the last poll that read and compared a provider's reports").labelNames("provider")
        .register(registry);
  }

  /** Metrics that go nowhere (tests). */
  public static ReconcilerMetrics none() {
    return new ReconcilerMetrics(new PrometheusRegistry());
  }

  void poll(String provider, boolean ok, long epochSecond) {
    polls.labelValues(provider, ok ? "ok" : "failed").inc();
    if (ok) {
      lastSuccess.labelValues(provider).set(epochSecond);
    }
  }

  void drift(String provider, boolean over) {
    drifts.labelValues(provider, over ? "over_metering" : "under_metering").inc();
  }
}
