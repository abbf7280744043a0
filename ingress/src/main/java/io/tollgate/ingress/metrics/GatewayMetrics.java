package io.tollgate.ingress.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.ingress.publish.HandoffStatus;
import io.tollgate.ingress.publish.PublishMetrics;
import io.tollgate.schemas.metrics.Prometheus;
import java.util.function.Supplier;

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
  private final Counter clampedUsage;
  private final Counter management;
  private final Counter droppedTags;

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
        .help("Usage events by outcome: published (acknowledged by Kafka), replayed (acknowledged, left by an "
            + "earlier run), retried (a send failed for now; resent from the hand-off log), failed (could not be "
            + "recorded), quarantined (a record Kafka refuses for good, kept in the dead-letter file), unbuilt (the "
            + "event could not be built)")
        .labelNames("outcome").register(registry);
    usageSources = Counter.builder().name("tollgate_usage_source_total")
        .help("Metered calls by where their usage came from: response, stream, partial (a stream cut before its "
            + "final usage), none (no usage readable: cost 0 is not a real $0)").labelNames("source").register(registry);
    clampedUsage = Counter.builder().name("tollgate_usage_clamped_total")
        .help("Calls whose token counts upstream reported out of range (negative, absurd, cached above prompt) "
            + "and were clamped (usage_clamped in the event)").register(registry);
    management = Counter.builder().name("tollgate_management_requests_total")
        .help("Management API calls (/key, /team, /customer, /budget) by route and outcome: ok, invalid, "
            + "unauthorized, forbidden, not_found, too_large, unavailable (Kafka did not acknowledge), error")
        .labelNames("route", "outcome").register(registry);
    droppedTags = Counter.builder().name("tollgate_request_tags_dropped_total")
        .help("Request tags not kept as sent, by reason: count (beyond 32 a call), length (cut to 128 chars), "
            + "invalid (not a string, or tags that are not an array)").labelNames("reason").register(registry);
  }

  /** Tags of a call not kept as the client sent them (the call itself goes on). */
  public void droppedTags(String reason, int n) {
    droppedTags.labelValues(reason).inc(n);
  }

  /** One management API answer; {@code route} is a route template (bounded), never a client's path. */
  public void management(String route, String outcome) {
    management.labelValues(route, outcome).inc();
  }

  /** The registry these metrics are in (for other parts of the gateway to add theirs). */
  public PrometheusRegistry registry() {
    return registry;
  }

  public void usageSource(String source, boolean clamped) {
    usageSources.labelValues(source).inc();
    if (clamped) {
      clampedUsage.inc();
    }
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
  public void retried() {
    publish.labelValues("retried").inc();
  }

  /**
   * Gauges of the durable hand-off, read from {@code status} at each scrape: backlog records and
   * bytes, age of the oldest unacknowledged event, whether Kafka acknowledges, whether the log is writable.
   */
  public void handoff(Supplier<HandoffStatus> status) {
    gauge("tollgate_handoff_backlog_records", "Usage events in the hand-off log not yet acknowledged by Kafka",
        () -> status.get().backlogRecords());
    gauge("tollgate_handoff_backlog_bytes", "Bytes of the hand-off log not yet acknowledged by Kafka",
        () -> status.get().backlogBytes());
    gauge("tollgate_handoff_oldest_unacked_seconds", "Age of the oldest usage event Kafka has not acknowledged "
        + "(0 when none waits)", () -> status.get().oldestUnackedSeconds());
    gauge("tollgate_handoff_kafka_reachable", "1 while Kafka acknowledges usage events promptly, else 0",
        () -> status.get().kafkaReachable() ? 1 : 0);
    gauge("tollgate_handoff_writable", "1 while the hand-off log can be written, else 0 (calls are then not recorded)",
        () -> status.get().writable() ? 1 : 0);
    counter("tollgate_handoff_groups", "Groups written to the hand-off log (events per group = the group commit's batching)",
        () -> status.get().groups());
    counter("tollgate_handoff_fsyncs", "fdatasync calls of the hand-off log", () -> status.get().fsyncs());
    counter("tollgate_handoff_preallocated_segments", "Hand-off segments that began preallocated (tollgate.handoff.preallocate)",
        () -> status.get().preallocatedSegments());
  }

  private void counter(String name, String help, java.util.function.DoubleSupplier value) {
    CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
  }

  private void gauge(String name, String help, java.util.function.DoubleSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
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
