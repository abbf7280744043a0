package io.tollgate.schemas.serde;

import io.tollgate.schemas.topics.TopicSetup;
import io.tollgate.schemas.topics.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A writer app's announcement of the schemas it writes with, on {@code tollgate.schemas.v1}, so that
 * readers one release behind can read its records. Publishes from a daemon thread and keeps trying
 * (Kafka may be down when a gateway starts — it spills then) until the broker acknowledged; the app
 * waits for that at start with {@link #awaitPublished}, as long as it can afford to.
 */
public final class SchemaAnnouncer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaAnnouncer.class);
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

  private final String bootstrapServers;
  private final String clientId;
  private final Map<String, ?> clientProperties;
  private final List<Schema> schemas;
  private final CountDownLatch published = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread thread;

  private SchemaAnnouncer(String bootstrapServers, String clientId, Map<String, ?> clientProperties,
                          List<Schema> schemas) {
    this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    this.clientId = Objects.requireNonNull(clientId, "clientId");
    this.clientProperties = Map.copyOf(clientProperties);
    this.schemas = List.copyOf(schemas);
    this.thread = new Thread(this::run, "schema-announcer");
    thread.setDaemon(true);
  }

  /**
   * Starts announcing the current schema of each of {@code current} (and its shipped history).
   *
   * @param clientId         the producer's {@code client.id}
   * @param clientProperties the app's extra Kafka client properties (SSL, SASL, …); its own settings win
   */
  public static SchemaAnnouncer start(String bootstrapServers, String clientId, Map<String, ?> clientProperties,
                                      List<Schema> current) {
    SchemaAnnouncer announcer = new SchemaAnnouncer(bootstrapServers, clientId, clientProperties,
        SchemaTopic.schemasOf(current));
    announcer.thread.start();
    return announcer;
  }

  /** True once every schema is on the topic; false, with a warning, if not within {@code timeout}. */
  public boolean awaitPublished(Duration timeout) {
    try {
      if (published.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.warn("schemas not yet on {} after {}; still trying. Until they are, readers older than this version "
        + "cannot read what it writes", Topics.SCHEMAS.name(), timeout);
    return false;
  }

  private void run() {
    long backoffMs = 1_000;
    while (stopped.getCount() > 0) {
      try {
        attempt();
        published.countDown();
        LOG.info("published {} schemas to {}", schemas.size(), Topics.SCHEMAS.name());
        return;
      } catch (RuntimeException e) {
        LOG.warn("cannot publish schemas to {} yet ({}); retrying in {} ms", Topics.SCHEMAS.name(), e.getMessage(),
            backoffMs);
      }
      try {
        if (stopped.await(backoffMs, TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
      // Capped low: a gateway that started with Kafka down replays its spilled events as soon as
      // Kafka answers, and its schema should be there first.
      backoffMs = Math.min(backoffMs * 2, 5_000);
    }
  }

  private void attempt() {
    int ms = (int) ATTEMPT_TIMEOUT.toMillis();
    // The topic must be compacted: auto-creation would give it the delete policy, and readers would
    // lose the schemas of writers that have not restarted within the retention.
    Map<String, Object> adminConfig = new HashMap<>(clientProperties);
    adminConfig.putAll(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.CLIENT_ID_CONFIG, clientId + "-admin",
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms));
    try (Admin admin = Admin.create(adminConfig)) {
      TopicSetup.ensure(admin, List.of(Topics.SCHEMAS), Optional.empty(), Optional.empty(), ATTEMPT_TIMEOUT);
    }
    Map<String, Object> producerConfig = new HashMap<>(clientProperties);
    producerConfig.putAll(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.CLIENT_ID_CONFIG, clientId,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.MAX_BLOCK_MS_CONFIG, ms,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, ms,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 5_000)));
    try (KafkaProducer<String, String> producer =
             new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
      SchemaTopic.publish(producer, Topics.SCHEMAS.name(), schemas, ATTEMPT_TIMEOUT);
    }
  }

  /** Stops trying (an unpublished announcement is given up: readers then dead-letter what they cannot read). */
  @Override
  public void close() {
    stopped.countDown();
    thread.interrupt(); // an attempt against an unreachable Kafka would otherwise hold the app's close
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
