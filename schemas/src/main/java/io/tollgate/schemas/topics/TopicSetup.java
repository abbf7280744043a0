package io.tollgate.schemas.topics;

import java.time.Duration;
import java.util.ArrayList;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the Tollgate topics that do not exist yet, with the configs of their {@link TopicSpec}
 * (compaction where the contract needs it). The apps call it at start, so a cluster with topic
 * auto-creation off — or on, with the wrong cleanup policy for compacted topics — gets the right
 * topics; existing topics are never changed.
 */
public final class TopicSetup {
  private TopicSetup() {
  }

  private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);

  /**
   * What an app does at start: creates the missing topics (30 s at most); if Kafka cannot be asked,
   * says so and goes on — Streams then reports a missing source topic itself.
   */
  public static void ensureAtStart(String bootstrapServers) {
    ensureAtStart(bootstrapServers, Map.of());
  }

  /** Same, the admin client taking the app's extra Kafka properties (SSL, SASL) that it knows. */
  public static void ensureAtStart(String bootstrapServers, Map<String, String> kafka) {
    try {
      List<String> created = ensure(bootstrapServers, Duration.ofSeconds(30), kafka);
      if (!created.isEmpty()) {
        LOG.info("created Kafka topics {}", created);
      }
    } catch (IllegalStateException e) {
      LOG.warn("could not check the Tollgate topics ({}); continuing", e.getMessage());
    }
  }

  /** With the broker's default partition count and replication factor. */
  public static List<String> ensure(String bootstrapServers, Duration timeout) {
    return ensure(bootstrapServers, timeout, Map.of());
  }

  /**
   * Same, with extra Kafka properties: those an admin client knows are applied on top of the
   * timeouts; {@code bootstrap.servers} is the given one.
   */
  public static List<String> ensure(String bootstrapServers, Duration timeout, Map<String, String> kafka) {
    int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    Map<String, Object> config = KafkaClientProperties.merge("the topic setup's admin client",
        Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms),
        KafkaClientProperties.known(kafka, AdminClientConfig.configNames()),
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    try (Admin admin = Admin.create(config)) {
      return ensure(admin, Topics.ALL, Optional.empty(), Optional.empty(), timeout);
    }
  }

  /**
   * Creates the missing topics of {@code specs}; empty partitions / replication = the broker's
   * defaults. Returns the names created. A topic another instance created meanwhile is fine.
   */
  public static List<String> ensure(Admin admin, List<TopicSpec> specs, Optional<Integer> partitions,
                                    Optional<Short> replication, Duration timeout) {
    try {
      Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (TopicSpec spec : specs) {
        if (!existing.contains(spec.name())) {
          missing.add(new NewTopic(spec.name(), partitions, replication).configs(spec.configs()));
        }
      }
      List<String> created = new ArrayList<>();
      for (var entry : admin.createTopics(missing).values().entrySet()) {
        try {
          entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          created.add(entry.getKey());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + entry.getKey() + ": " + e.getCause().getMessage(),
                e.getCause());
          }
        }
      }
      return created;
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot list topics: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer within " + timeout + " while checking the Tollgate topics", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the Tollgate topics", e);
    }
  }
}
