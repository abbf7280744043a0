package io.tollgate.ingress.budget;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.IntSupplier;

/**
 * Rate-limit metrics, in the gateway's registry. Labels are bounded: scope is key, team or
 * customer and limit is rpm, tpm or parallel — never an id.
 */
public final class RateLimitMetrics {
  private final PrometheusRegistry registry;
  private final Counter refused;
  private final Counter overflow;

  public RateLimitMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    refused = Counter.builder().name("tollgate_rate_limited_requests_total")
        .help("Calls refused with 429 by a rate limit, by the scope whose limit tripped and the limit kind")
        .labelNames("scope", "limit").register(registry);
    overflow = Counter.builder().name("tollgate_rate_limit_overflow_total")
        .help("Calls of a scope that could not get its own rate-limit entry because the table was full "
            + "(max tracked scopes): they share one entry per scope kind, with that scope's limits")
        .labelNames("scope").register(registry);
    for (Scope s : Scope.values()) {
      overflow.labelValues(s.wire());
      for (RateLimitKind k : RateLimitKind.values()) {
        refused.labelValues(s.wire(), k.label());
      }
    }
  }

  void refused(Scope scope, RateLimitKind kind) {
    refused.labelValues(scope.wire(), kind.label()).inc();
  }

  void overflow(Scope scope) {
    overflow.labelValues(scope.wire()).inc();
  }

  /** Gauges read at each scrape: scopes tracked, and calls holding a parallel-request slot. */
  void watch(IntSupplier trackedScopes, IntSupplier inFlight) {
    GaugeWithCallback.builder().name("tollgate_rate_limit_tracked_scopes")
        .help("Scopes (keys, teams, customers) with rate-limit state on this instance")
        .callback(cb -> cb.call(trackedScopes.getAsInt())).register(registry);
    GaugeWithCallback.builder().name("tollgate_rate_limit_in_flight")
        .help("Rate-limited calls in flight on this instance (each holds its parallel-request slots until it ends)")
        .callback(cb -> cb.call(inFlight.getAsInt())).register(registry);
  }
}
