package io.tollgate.ingress.admin;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The spend API's metrics: every request by route and outcome, and how long the answered ones
 * took. Routes and outcomes are fixed names, never client strings.
 */
public final class SpendMetrics {
  /** The outcomes counted. */
  public enum Outcome {
    OK, BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, METHOD_NOT_ALLOWED, BUSY, TIMEOUT, STORE_ERROR, NO_STORE, FAILED;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Counter requests;
  private final Histogram seconds;

  public SpendMetrics(PrometheusRegistry registry) {
    requests = Counter.builder().name("tollgate_spend_api_requests_total")
        .help("Spend API requests by route and outcome: ok, bad_request, unauthorized, forbidden, method_not_allowed, "
            + "busy (too many queries in flight), timeout, store_error (ClickHouse failed), no_store (none configured), "
            + "failed (a bug)")
        .labelNames("route", "outcome").register(registry);
    seconds = Histogram.builder().name("tollgate_spend_api_duration_seconds")
        .help("Spend API requests that reached ClickHouse, by route: time until answered")
        .labelNames("route").register(registry);
  }

  void count(SpendRequest.Route route, Outcome outcome) {
    requests.labelValues(route.path(), outcome.label()).inc();
  }

  void took(SpendRequest.Route route, double s) {
    seconds.labelValues(route.path()).observe(s);
  }
}
