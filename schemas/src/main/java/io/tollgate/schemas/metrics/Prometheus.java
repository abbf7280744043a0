package io.tollgate.schemas.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;

/**
 * What every Tollgate app shares about its Prometheus metrics: the text exposition, and consumer
 * lag read from a Kafka client's own metrics. Metric names are a contract too — the Grafana
 * dashboards and the Prometheus alert rules in {@code infra/} query them — so they are listed in
 * docs/metrics.md and checked by the dashboards' tests.
 */
public final class Prometheus {
  /** Prometheus text format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private Prometheus() {
  }

  /** Everything in {@code registry}, in the Prometheus text format. */
  public static String scrape(PrometheusRegistry registry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * Records a plain consumer is behind the end of its assigned partitions, as of its last poll.
   * Call it from the consumer's own thread (consumers are not thread-safe) and publish the number.
   */
  public static long assignedLag(Consumer<?, ?> consumer) {
    long lag = 0;
    for (TopicPartition tp : consumer.assignment()) {
      lag += consumer.currentLag(tp).orElse(0);
    }
    return lag;
  }

  /**
   * Records behind the end of the log, summed over the partitions a Kafka consumer (or a Kafka
   * Streams instance) is assigned: its per-partition {@code records-lag} metrics.
   */
  public static double consumerLag(Map<MetricName, ? extends Metric> metrics) {
    double lag = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      MetricName name = e.getKey();
      if (name.name().equals("records-lag") && name.group().equals("consumer-fetch-manager-metrics")
          && name.tags().containsKey("partition") && e.getValue().metricValue() instanceof Number n
          && !Double.isNaN(n.doubleValue())) {
        lag += n.doubleValue();
      }
    }
    return lag;
  }
}
