package io.tollgate.schemas.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * The Prometheus registry an app registers its metrics in, plus the one consumer-lag gauge
 * ({@code tollgate_consumer_lag_records{app}}) that several apps feed. One process may run several
 * apps (the all-in-one launcher): they share one instance, so {@code /metrics} shows everything and
 * no metric is registered twice.
 */
public final class MetricsRegistry {
  private final PrometheusRegistry registry;
  private final Map<String, DoubleSupplier> lagSources = new ConcurrentHashMap<>();

  public MetricsRegistry(PrometheusRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    GaugeWithCallback.builder().name("tollgate_consumer_lag_records")
        .help("Records a Tollgate consumer group is behind the end offsets of its input topics, over all their partitions")
        .labelNames("app")
        .callback(cb -> lagSources.forEach((app, metrics) -> cb.call(metrics.getAsDouble(), app)))
        .register(registry);
  }

  /** A registry of its own. */
  public MetricsRegistry() {
    this(new PrometheusRegistry());
  }

  public PrometheusRegistry prometheus() {
    return registry;
  }

  /**
   * Reports {@code lag} as the lag of {@code app}: the apps pass {@link GroupLag#records()} (the
   * group's lag against the end offsets, measured by an admin client), not a client's own
   * {@code records-lag}, which misses unassigned partitions and reads 0 during a rebalance.
   */
  public void trackLag(String app, DoubleSupplier lag) {
    lagSources.put(app, lag);
  }

  /** Stops reporting {@code app} (it was closed). */
  public void untrackLag(String app) {
    lagSources.remove(app);
  }

  /** Serves {@code GET /metrics} on a JDK HTTP server (apps without a Vert.x server of their own). */
  public void serveOn(HttpServer server) {
    server.createContext("/metrics", ex -> {
      try (ex) {
        byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("content-type", Prometheus.CONTENT_TYPE);
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
      }
    });
  }

  /** Everything registered, in the Prometheus text format. */
  public String scrape() {
    return Prometheus.scrape(registry);
  }
}
