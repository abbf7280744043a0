package io.tollgate.aggregator;

import io.tollgate.aggregator.sink.ClickHouseSink;
import io.tollgate.aggregator.sink.SinkMetrics;
import io.tollgate.aggregator.topology.AggregatorSettings;
import io.tollgate.aggregator.topology.SpendTopology;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseMigrations;
import io.tollgate.schemas.metrics.MetricsRegistry;
import io.tollgate.schemas.metrics.Prometheus;
import io.tollgate.schemas.topics.StreamsDefaults;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The running aggregator: the spend topology under Kafka Streams with exactly_once_v2, and the
 * ClickHouse sink on its own thread. Wiring only; the logic lives in {@link SpendTopology} and
 * {@link ClickHouseSink}.
 */
public final class AggregatorApp implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AggregatorApp.class);
  private final KafkaStreams streams;
  private final ClickHouseSink sink;
  private final Thread sinkThread;

  private AggregatorApp(KafkaStreams streams, ClickHouseSink sink, Thread sinkThread) {
    this.streams = streams;
    this.sink = sink;
    this.sinkThread = sinkThread;
  }

  /**
   * @param bootstrap     Kafka bootstrap servers
   * @param applicationId Streams application id (instances with the same id share the work)
   * @param stateDir      where Streams keeps its state stores
   * @param clickhouse    client of the target database (migrated here)
   */
  public static AggregatorApp start(String bootstrap, String applicationId, Path stateDir, ClickHouseClient clickhouse) {
    return start(bootstrap, applicationId, stateDir, clickhouse, new MetricsRegistry());
  }

  /** Same, with the metrics registered in {@code metrics} (sink rows and failures, consumer lag). */
  public static AggregatorApp start(String bootstrap, String applicationId, Path stateDir, ClickHouseClient clickhouse,
                                   MetricsRegistry metrics) {
    new ClickHouseMigrations(clickhouse).apply();
    Properties props = StreamsDefaults.exactlyOnce(applicationId, bootstrap, stateDir);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 16 * 1024 * 1024);
    KafkaStreams streams = new KafkaStreams(SpendTopology.buildTopology(AggregatorSettings.defaults()), props);
    streams.start();
    ClickHouseSink sink = new ClickHouseSink(bootstrap, applicationId + "-clickhouse-sink", clickhouse, 20_000,
        Duration.ofMillis(500), new SinkMetrics(metrics.prometheus()));
    metrics.trackLag("aggregator", () -> Prometheus.consumerLag(streams.metrics()));
    metrics.trackLag("sink", sink::lag);
    Thread thread = new Thread(sink, "clickhouse-sink");
    thread.start();
    return new AggregatorApp(streams, sink, thread);
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  @Override
  public void close() {
    long started = System.nanoTime();
    sink.close();
    try {
      sinkThread.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long sinkMs = (System.nanoTime() - started) / 1_000_000;
    streams.close(Duration.ofSeconds(10));
    LOG.info("aggregator stopped (sink {} ms, streams {} ms)", sinkMs, (System.nanoTime() - started) / 1_000_000 - sinkMs);
  }
}
