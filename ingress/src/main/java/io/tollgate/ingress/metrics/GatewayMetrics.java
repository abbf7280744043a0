package io.tollgate.ingress.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.ingress.publish.PublishMetrics;
import io.tollgate.schemas.metrics.Prometheus;

/**
 * The gateway's Prometheus metrics, in the registry it is given (no global state): requests by API
 * and status, latency, tokens and spend by model/tool, unpriced calls, client errors, publish path.
 * Customer is deliberately not a label (unbounded cardinality); per-customer spend lives in
 * ClickHouse. Model labels are configured model names only ({@code other} otherwise), so no client
 * can grow the series: callers pass the route's {@code model_name}, never a client's string.
 */
public final class GatewayMetrics implements PublishMetrics {
  private final PrometheusRegistry registry;
  private final Counter requests;
  private final Histogram latency;
  private final Counter tokens;
  private final Counter spend;
  private final Counter unpriced;
  private final Counter rejected;
  private final Counter publish;
  private final Counter usageSources;

  public GatewayMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    requests = Counter.builder().name("tollgate_requests_total")
        .help("Proxied requests by API and HTTP status").labelNames("api", "status").register(registry);
    latency = Histogram.builder().name("tollgate_request_duration_seconds")
        .help("Request duration through the gateway").labelNames("api", "streamed").register(registry);
    tokens = Counter.builder().name("tollgate_tokens_total")
        .help("Tokens by kind, model and tool").labelNames("kind", "model", "tool").register(registry);
    spend = Counter.builder().name("tollgate_spend_nanos_total")
        .help("Spend in nano-USD by model and tool").labelNames("model", "tool").register(registry);
    unpriced = Counter.builder().name("tollgate_unpriced_requests_total")
        .help("Calls to models without a price (cost recorded as 0, price_known=false)").labelNames("model")
        .register(registry);
    rejected = Counter.builder().name("tollgate_rejected_requests_total")
        .help("Requests the gateway answered itself with an error, by reason").labelNames("reason").register(registry);
    publish = Counter.builder().name("tollgate_usage_events_total")
        .help("Usage events by outcome: published, spilled, replayed, failed, quarantined (a record Kafka refuses "
            + "for good, kept in the dead-letter file), unbuilt (the event could not be built)")
        .labelNames("outcome").register(registry);
    usageSources = Counter.builder().name("tollgate_usage_source_total")
        .help("Metered calls by where their usage came from: response, stream, partial (a stream cut before its "
            + "final usage), none (no usage readable: cost 0 is not a real $0)").labelNames("source").register(registry);
  }

  public void usageSource(String source) {
    usageSources.labelValues(source).inc();
  }

  /** A usage event that could not be built (should never happen; alert on it). */
  public void eventFailed() {
    publish.labelValues("unbuilt").inc();
  }

  @Override
  public void quarantined() {
    publish.labelValues("quarantined").inc();
  }

  public void request(String api, int status, boolean streamed, double seconds) {
    requests.labelValues(api, Integer.toString(status)).inc();
    latency.labelValues(api, Boolean.toString(streamed)).observe(seconds);
  }

  public void usage(String model, String tool, long input, long output, long cacheRead, long cacheWrite, long costNanos,
                    boolean priceKnown) {
    String m = model == null ? "" : model;
    tokens.labelValues("input", m, tool).inc(input);
    tokens.labelValues("output", m, tool).inc(output);
    tokens.labelValues("cache_read", m, tool).inc(cacheRead);
    tokens.labelValues("cache_write", m, tool).inc(cacheWrite);
    spend.labelValues(m, tool).inc(costNanos);
    if (!priceKnown) {
      unpriced.labelValues(m).inc();
    }
  }

  public void rejected(String reason) {
    rejected.labelValues(reason).inc();
  }

  @Override
  public void published() {
    publish.labelValues("published").inc();
  }

  @Override
  public void spilled() {
    publish.labelValues("spilled").inc();
  }

  @Override
  public void replayed() {
    publish.labelValues("replayed").inc();
  }

  @Override
  public void failed() {
    publish.labelValues("failed").inc();
  }

  /** The Prometheus text exposition of everything in the registry. */
  public String scrape() {
    return Prometheus.scrape(registry);
  }
}
