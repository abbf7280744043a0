package io.tollgate.aggregator;

import io.tollgate.aggregator.retention.UsageRetention;
import io.tollgate.aggregator.sink.ClickHouseSink;
import io.tollgate.aggregator.sink.SinkMetrics;
import io.tollgate.aggregator.topology.AggregatorSettings;
import io.tollgate.aggregator.topology.SpendTopology;
import io.tollgate.aggregator.topology.TopologyMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseMigrations;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.metrics.MetricsRegistry;
import io.tollgate.schemas.metrics.GroupLag;
import io.tollgate.schemas.serde.SchemaAnnouncer;
import io.tollgate.schemas.serde.SchemaStoreUnavailableException;
import io.tollgate.schemas.serde.SchemaTopicStore;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.StreamsDefaults;
import io.tollgate.schemas.topics.TopicSetup;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

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
  private final SchemaAnnouncer announcer;
  private final SchemaTopicStore schemas;
  private final Admin admin;
  private final List<GroupLag> lags;
  private final java.util.concurrent.ScheduledExecutorService retention;
  /** How often the usage retention looks for months to drop (a partition drop is instant). */
  static final Duration RETENTION_INTERVAL = Duration.ofHours(1);
  /** How often group lag is measured (a few admin requests each time). */
  static final Duration LAG_INTERVAL = Duration.ofSeconds(2);

  private AggregatorApp(KafkaStreams streams, ClickHouseSink sink, Thread sinkThread, SchemaAnnouncer announcer,
                        SchemaTopicStore schemas, Admin admin, List<GroupLag> lags,
                        java.util.concurrent.ScheduledExecutorService retention) {
    this.retention = retention;
    this.admin = admin;
    this.lags = lags;
    this.streams = streams;
    this.sink = sink;
    this.sinkThread = sinkThread;
    this.announcer = announcer;
    this.schemas = schemas;
  }

  /** Same as {@link #start(String, String, Path, ClickHouseClient, Map, MetricsRegistry)} with defaults. */
  public static AggregatorApp start(String bootstrap, String applicationId, Path stateDir, ClickHouseClient clickhouse) {
    return start(bootstrap, applicationId, stateDir, clickhouse, Map.of(), new MetricsRegistry());
  }

  /** Same, with the metrics registered in {@code metrics}. */
  public static AggregatorApp start(String bootstrap, String applicationId, Path stateDir, ClickHouseClient clickhouse,
                                   MetricsRegistry metrics) {
    return start(bootstrap, applicationId, stateDir, clickhouse, Map.of(), metrics);
  }

  /**
   * @param bootstrap     Kafka bootstrap servers
   * @param applicationId Streams application id (instances with the same id share the work)
   * @param stateDir      where Streams keeps its state stores
   * @param clickhouse    client of the target database (migrated here)
   * @param kafka         extra Kafka properties of this instance: security ({@code security.protocol},
   *                      {@code ssl.*}, {@code sasl.*}) and tuning for operating several of them
   *                      ({@code num.standby.replicas}, {@code session.timeout.ms}, {@code client.id}, …):
   *                      all go to Streams; consumer properties also to the sink's consumer, admin
   *                      properties to the topic setup. Never logged (names only).
   * @param metrics       where the metrics are registered (sink rows and failures, consumer lag)
   */
  public static AggregatorApp start(String bootstrap, String applicationId, Path stateDir, ClickHouseClient clickhouse,
                                   Map<String, String> kafka, MetricsRegistry metrics) {
    return start(bootstrap, applicationId, stateDir, clickhouse, kafka, metrics, AggregatorConfig.defaults());
  }

  /** Same, with the aggregator's settings from the config file ({@code tollgate.aggregator}). */
  public static AggregatorApp start(String bootstrap, String applicationId, Path stateDir, ClickHouseClient clickhouse,
                                   Map<String, String> kafka, MetricsRegistry metrics, AggregatorConfig config) {
    java.util.Objects.requireNonNull(config, "config");
    return start(bootstrap, applicationId, stateDir, clickhouse, kafka, metrics, config, config.topology());
  }

  /** Same, with the topology's settings given (the benchmark's builds of before and after). */
  public static AggregatorApp start(String bootstrap, String applicationId, Path stateDir, ClickHouseClient clickhouse,
                                   Map<String, String> kafka, MetricsRegistry metrics, AggregatorConfig config,
                                   AggregatorSettings topology) {
    java.util.Objects.requireNonNull(config, "config");
    java.util.Objects.requireNonNull(topology, "topology");
    refuseOwnProperties(kafka);
    Map<String, String> sinkKafka = sinkConsumerProperties(kafka);
    ClickHouseSink.consumerConfig(bootstrap, applicationId + "-clickhouse-sink", sinkKafka); // refuses before anything starts
    LOG.info("aggregator {} on {}, extra Kafka properties: {}", applicationId, bootstrap, KafkaClientProperties.describe(kafka));
    new ClickHouseMigrations(clickhouse).apply();
    TopicSetup.ensureAtStart(bootstrap, kafka);
    // Schemas this version writes go out before Streams writes with them (readers one release behind
    // resolve them there); the schemas newer gateways wrote come in through the store.
    Map<String, String> clientProperties = sinkKafka;
    SchemaAnnouncer announcer = SchemaAnnouncer.start(bootstrap, applicationId + "-schemas", clientProperties,
        List.of(SpendWindow.getClassSchema(), SpendTotal.getClassSchema()));
    announcer.awaitPublished(Duration.ofSeconds(30));
    SchemaTopicStore schemas = SchemaTopicStore.connect(bootstrap, applicationId + "-schema-store", clientProperties);
    schemas.loadAtStart();
    Properties props = streamsProperties(bootstrap, applicationId, stateDir, config.commitInterval(), kafka);
    KafkaStreams streams = new KafkaStreams(SpendTopology.buildTopology(topology,
        TollgateSerdes.usageEvent(schemas), topologyMetrics(metrics)), props);
    streams.setUncaughtExceptionHandler(AggregatorApp::onStreamThreadDeath);
    streams.start();
    LOG.info("{}", config);
    ClickHouseSink sink = new ClickHouseSink(bootstrap, applicationId + "-clickhouse-sink", clickhouse,
        config.sinkBatchRows(), config.sinkFlushInterval(), clientProperties, new SinkMetrics(metrics.prometheus()),
        TollgateSerdes.usageEvent(schemas), TollgateSerdes.spendWindow(schemas));
    // Lag per group against the topics' end offsets, measured from outside the group: the client's
    // own records-lag covers only assigned partitions and reads 0 while the group is rebalancing.
    Admin admin = Admin.create(adminProperties(bootstrap, clientProperties));
    GroupLag streamsLag = new GroupLag(admin, applicationId, List.of(Topics.USAGE.name()), LAG_INTERVAL);
    GroupLag sinkLag = new GroupLag(admin, applicationId + "-clickhouse-sink",
        List.of(Topics.USAGE.name(), Topics.SPEND_WINDOWS.name()), LAG_INTERVAL);
    metrics.trackLag("aggregator", streamsLag::records);
    metrics.trackLag("sink", sinkLag::records);
    Thread thread = new Thread(sink, "clickhouse-sink");
    thread.start();
    java.util.concurrent.ScheduledExecutorService retention = null;
    if (config.usageRetentionMonths() > 0) {
      UsageRetention dropper = new UsageRetention(clickhouse, config.usageRetentionMonths(), java.time.Clock.systemUTC(),
          metrics.prometheus());
      retention = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "usage-retention");
        t.setDaemon(true);
        return t;
      });
      retention.scheduleWithFixedDelay(dropper::run, 0, RETENTION_INTERVAL.toMillis(),
          java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    return new AggregatorApp(streams, sink, thread, announcer, schemas, admin, List.of(streamsLag, sinkLag), retention);
  }

  /** The topology's counters, in Prometheus: skipped budget-period entries and tags by reason (fixed sets). */
  static TopologyMetrics topologyMetrics(MetricsRegistry metrics) {
    Counter skipped = Counter.builder().name("tollgate_budget_periods_skipped_total")
        .help("Budget-period entries of usage events not summed, by reason (invalid, too many, late)")
        .labelNames("reason").register(metrics.prometheus());
    Counter tags = Counter.builder().name("tollgate_request_tags_skipped_total")
        .help("Request tags of usage events not summed into tag day totals, by reason (too many, too long, empty, repeated)")
        .labelNames("reason").register(metrics.prometheus());
    Counter lateDays = Counter.builder().name("tollgate_day_totals_late_total")
        .help("Day-total deltas dropped because their UTC day was past its end plus the grace (the total is purged)")
        .register(metrics.prometheus());
    Counter lateWindows = Counter.builder().name("tollgate_spend_windows_late_total")
        .help("Window sums dropped because their window was past its end plus the grace, by window size (1m, 1h, 1d)")
        .labelNames("window").register(metrics.prometheus());
    Counter flushes = Counter.builder().name("tollgate_aggregator_pre_aggregate_flushes_total")
        .help("Pre-aggregation flushes per state: caught_up (the newest event ended <= 1 s ago; a commit follows "
            + "at once) or behind (a backlog: commits wait for tollgate.aggregator.commit_interval_ms)")
        .labelNames("state").register(metrics.prometheus());
    return new TopologyMetrics() {
      @Override
      public void budgetPeriodSkipped(String reason, long count) {
        skipped.labelValues(reason).inc(count);
      }

      @Override
      public void tagSkipped(String reason, long count) {
        tags.labelValues(reason).inc(count);
      }

      @Override
      public void dayTotalLate(long count) {
        lateDays.inc(count);
      }

      @Override
      public void windowLate(String size) {
        lateWindows.labelValues(size).inc();
      }

      @Override
      public void preAggregateFlush(boolean caughtUp) {
        flushes.labelValues(caughtUp ? "caught_up" : "behind").inc();
      }
    };
  }

  /**
   * A usage record whose schema could not be looked up (the schema topic unreadable) is retried by a
   * fresh stream thread — exactly-once rewinds it — instead of being dead-lettered or skipped: it
   * may well be a good bill. Anything else stops the instance, as by default.
   */
  static StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onStreamThreadDeath(Throwable e) {
    if (SchemaStoreUnavailableException.isCauseOf(e)) {
      LOG.warn("retrying usage records whose schema could not be looked up: {}", e.getMessage());
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  /** The record cache of all stream threads together (Kafka Streams' default is 10 MB). */
  static final long CACHE_MAX_BYTES = 64L * 1024 * 1024;

  /** The Streams configuration: exactly-once defaults, the aggregator's tuning, then the instance's own. */
  static Properties streamsProperties(String bootstrap, String applicationId, Path stateDir, Duration commitInterval,
                                      Map<String, String> kafka) {
    Properties props = StreamsDefaults.exactlyOnce(applicationId, bootstrap, stateDir);
    // tollgate.aggregator.commit_interval_ms; an instance's own commit.interval.ms (below) still wins.
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitInterval.toMillis());
    // A transaction stays open for a whole commit interval: the coordinator must not abort it first.
    props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
        (int) Math.min(Integer.MAX_VALUE, transactionTimeout(commitInterval).toMillis()));
    // Shared by the stream threads. A commit interval's dirty entries of the cached stores (pending
    // sums, three window sizes, day totals) must fit: a full cache evicts, and an evicted dirty entry
    // flushes its whole store at once (changelog and downstream), between commits.
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, CACHE_MAX_BYTES);
    // One stream thread per core (at most 4): tasks are spread over them; more instances scale further.
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    props.putAll(kafka);
    return props;
  }

  /**
   * Kafka Streams' 10 s for exactly-once, or twice the commit interval if longer. Longer than
   * needed would hold back read_committed readers of a crashed instance's open transaction for as
   * long (until the coordinator aborts it).
   */
  static Duration transactionTimeout(Duration commitInterval) {
    Duration twice = commitInterval.multipliedBy(2);
    return twice.compareTo(Duration.ofSeconds(10)) > 0 ? twice : Duration.ofSeconds(10);
  }

  /** The exactly-once settings ({@link StreamsDefaults#OWN_PROPERTIES}) are the aggregator's own. */
  static void refuseOwnProperties(Map<String, String> kafka) {
    StreamsDefaults.refuseOwnProperties(kafka, "aggregator");
  }

  /** Bootstrap plus the admin client's share of the instance's properties (security settings and the like). */
  static Map<String, Object> adminProperties(String bootstrap, Map<String, String> clientProperties) {
    Map<String, Object> props = new HashMap<>();
    clientProperties.forEach((name, value) -> {
      if (AdminClientConfig.configNames().contains(name) && !name.equals(AdminClientConfig.CLIENT_ID_CONFIG)) {
        props.put(name, value);
      }
    });
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    return props;
  }

  /** The plain consumer properties among {@code kafka}; Streams-only ones would only draw warnings. */
  static Map<String, String> sinkConsumerProperties(Map<String, String> kafka) {
    Map<String, String> sink = new HashMap<>();
    kafka.forEach((name, value) -> {
      if (ConsumerConfig.configNames().contains(name)) {
        // Streams uses client.id as a prefix; the sink's consumer gets its own name under it.
        sink.put(name, name.equals(ConsumerConfig.CLIENT_ID_CONFIG) ? value + "-clickhouse-sink" : value);
      }
    });
    return sink;
  }

  /** The running Streams instance (tests stall it to prove the stall is visible). */
  KafkaStreams streams() {
    return streams;
  }

  /** Task commits of all stream threads so far (their {@code commit-total}): read by the benchmark. */
  public double commits() {
    return streams.metrics().entrySet().stream()
        .filter(m -> m.getKey().name().equals("commit-total") && m.getKey().group().equals("stream-thread-metrics"))
        .mapToDouble(m -> m.getValue().metricValue() instanceof Double v ? v : 0).sum();
  }

  /**
   * Records the Streams producers have sent so far per topic (their {@code record-send-total}), and
   * under {@code ""} the usage records its consumers fetched: issue 14's profile, read by the benchmark.
   */
  public Map<String, Double> recordsPerTopic() {
    Map<String, Double> out = new java.util.TreeMap<>();
    streams.metrics().forEach((name, metric) -> {
      String topic = name.tags().get("topic");
      if (topic == null || !(metric.metricValue() instanceof Double v)) {
        return;
      }
      if (name.name().equals("record-send-total") && name.group().equals("producer-topic-metrics")) {
        out.merge(topic, v, Double::sum);
      } else if (name.name().equals("records-consumed-total") && name.group().equals("consumer-fetch-manager-metrics")
          && topic.equals(io.tollgate.schemas.topics.Topics.USAGE.name())) {
        out.merge("", v, Double::sum);
      }
    });
    return out;
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** False once Streams failed for good or the sink stopped: a supervisor should restart the process. */
  public boolean healthy() {
    return streams.state() != KafkaStreams.State.ERROR && streams.state() != KafkaStreams.State.NOT_RUNNING
        && sinkThread.isAlive() && sink.healthy();
  }

  @Override
  public void close() {
    long started = System.nanoTime();
    if (retention != null) {
      retention.shutdownNow();
    }
    sink.close();
    try {
      sinkThread.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long sinkMs = (System.nanoTime() - started) / 1_000_000;
    streams.close(Duration.ofSeconds(10));
    lags.forEach(GroupLag::close);
    admin.close(Duration.ofSeconds(5));
    announcer.close();
    schemas.close();
    LOG.info("aggregator stopped (sink {} ms, streams {} ms)", sinkMs, (System.nanoTime() - started) / 1_000_000 - sinkMs);
  }
}
