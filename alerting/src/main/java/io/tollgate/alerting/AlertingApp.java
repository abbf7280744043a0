package io.tollgate.alerting;

import io.tollgate.alerting.config.AlertingConfig;
import io.tollgate.alerting.notify.AlertLog;
import io.tollgate.alerting.notify.AlertingMetrics;
import io.tollgate.alerting.notify.Channel;
import io.tollgate.alerting.notify.ClickHouseAlertLog;
import io.tollgate.alerting.notify.EmailChannel;
import io.tollgate.alerting.notify.LogChannel;
import io.tollgate.alerting.notify.Notifier;
import io.tollgate.alerting.notify.SlackChannel;
import io.tollgate.alerting.topology.AlertTopology;
import io.tollgate.schemas.Alert;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
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
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/** The running alerting: the rule topology (exactly-once) and the notifier thread. Wiring only. */
public final class AlertingApp implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AlertingApp.class);
  private final KafkaStreams streams;
  private final Notifier notifier;
  private final Thread thread;
  private final AlertLog alertLog;
  private final SchemaAnnouncer announcer;
  private final SchemaTopicStore schemas;
  private final Admin admin;
  private final List<GroupLag> lags;
  private static final Duration LAG_INTERVAL = Duration.ofSeconds(2);

  private AlertingApp(KafkaStreams streams, Notifier notifier, Thread thread, AlertLog alertLog,
                      SchemaAnnouncer announcer, SchemaTopicStore schemas, Admin admin, List<GroupLag> lags) {
    this.admin = admin;
    this.lags = lags;
    this.streams = streams;
    this.notifier = notifier;
    this.thread = thread;
    this.alertLog = alertLog;
    this.announcer = announcer;
    this.schemas = schemas;
  }

  /** Same as the full {@code start}, without extra Kafka properties. */
  public static AlertingApp start(String bootstrap, String applicationId, Path stateDir, AlertingConfig config,
                                  MetricsRegistry metrics, ClickHouseClient clickhouse) {
    return start(bootstrap, applicationId, stateDir, config, metrics, clickhouse, Map.of());
  }

  /**
   * @param bootstrap     Kafka bootstrap servers
   * @param applicationId Streams application id; the notifier's consumer group is {@code <id>-notifier}
   * @param stateDir      where Streams keeps baselines and fired ids
   * @param config        rules and channels
   * @param metrics       where metrics are registered
   * @param clickhouse    the database whose {@code alerts} table records alerts and deliveries, or null for none
   * @param kafka         extra Kafka properties (SSL, SASL, tuning): all go to Streams, what each
   *                      client type knows to the notifier's clients, the schema topic's clients and
   *                      the topic setup; the exactly-once settings are refused
   *                      ({@link StreamsDefaults#OWN_PROPERTIES})
   * @throws IllegalArgumentException naming a refused property (never its value)
   */
  public static AlertingApp start(String bootstrap, String applicationId, Path stateDir, AlertingConfig config,
                                  MetricsRegistry metrics, ClickHouseClient clickhouse, Map<String, String> kafka) {
    StreamsDefaults.refuseOwnProperties(kafka, "alerting");
    Notifier.checkKafka(bootstrap, applicationId + "-notifier", kafka); // refuses before anything starts
    LOG.info("alerting {} on {}, extra Kafka properties: {}", applicationId, bootstrap, KafkaClientProperties.describe(kafka));
    // The security settings (and the rest every client type knows) for the schema topic's clients.
    Map<String, String> common = KafkaClientProperties.known(kafka, AdminClientConfig.configNames());
    TopicSetup.ensureAtStart(bootstrap, kafka);
    // This version's Alert schema (and the window and total schemas its repartition topics carry)
    // for readers one release behind; the schemas of a newer aggregator through the store.
    SchemaAnnouncer announcer = SchemaAnnouncer.start(bootstrap, applicationId + "-schemas", common,
        List.of(Alert.getClassSchema(), SpendWindow.getClassSchema(), SpendTotal.getClassSchema()));
    announcer.awaitPublished(Duration.ofSeconds(30));
    SchemaTopicStore schemas = SchemaTopicStore.connect(bootstrap, applicationId + "-schema-store", common);
    schemas.loadAtStart();
    Properties props = StreamsDefaults.exactlyOnce(applicationId, bootstrap, stateDir);
    props.putAll(kafka);
    KafkaStreams streams = new KafkaStreams(AlertTopology.buildTopology(config.thresholds(), config.anomalies(),
        config.cacheBreaks(), TollgateSerdes.spendWindow(schemas), TollgateSerdes.spendTotal(schemas)), props);
    streams.setUncaughtExceptionHandler(AlertingApp::onStreamThreadDeath);
    streams.start();
    Map<String, Channel> channels = new HashMap<>();
    channels.put("log", new LogChannel());
    if (config.slackWebhook() != null) {
      channels.put("slack", new SlackChannel(URI.create(config.slackWebhook()), config.grafanaUrl()));
    }
    if (config.smtp() != null) {
      channels.put("email", new EmailChannel(config.smtp(), config.emailTo()));
    }
    AlertingMetrics alertingMetrics = new AlertingMetrics(metrics.prometheus());
    AlertLog alertLog = clickhouse == null ? AlertLog.NONE
        : new ClickHouseAlertLog(clickhouse, Clock.systemUTC(), alertingMetrics);
    Notifier notifier = new Notifier(bootstrap, applicationId + "-notifier", kafka, channels, Clock.systemUTC(),
        alertingMetrics, alertLog, TollgateSerdes.alert(schemas));
    // Lag per group against the topics' end offsets (all partitions, also during a rebalance).
    Map<String, Object> adminConfig = new HashMap<>(common);
    adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    adminConfig.remove(AdminClientConfig.CLIENT_ID_CONFIG);
    Admin admin = Admin.create(adminConfig);
    GroupLag streamsLag = new GroupLag(admin, applicationId,
        List.of(Topics.SPEND_WINDOWS.name(), Topics.SPEND_TOTALS.name()), LAG_INTERVAL);
    GroupLag notifierLag = new GroupLag(admin, applicationId + "-notifier", List.of(Topics.ALERTS.name()), LAG_INTERVAL);
    notifier.lagFrom(notifierLag::records);
    metrics.trackLag("alerting", streamsLag::records);
    metrics.trackLag("notifier", notifier::lag);
    Thread thread = new Thread(notifier, "alert-notifier");
    thread.start();
    return new AlertingApp(streams, notifier, thread, alertLog, announcer, schemas, admin, List.of(streamsLag, notifierLag));
  }

  /**
   * A record whose schema could not be looked up (the schema topic unreadable) is retried by a fresh
   * stream thread — exactly-once rewinds it — rather than stopping alerting; anything else stops
   * the instance, as by default.
   */
  static StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onStreamThreadDeath(Throwable e) {
    if (SchemaStoreUnavailableException.isCauseOf(e)) {
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** False once Streams failed for good or the notifier thread died: the process should be restarted. */
  public boolean healthy() {
    return streams.state() != KafkaStreams.State.ERROR && streams.state() != KafkaStreams.State.NOT_RUNNING
        && thread.isAlive();
  }

  @Override
  public void close() {
    notifier.close();
    try {
      thread.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    alertLog.close();
    streams.close(Duration.ofSeconds(10));
    lags.forEach(GroupLag::close);
    admin.close(Duration.ofSeconds(5));
    announcer.close();
    schemas.close();
  }
}
