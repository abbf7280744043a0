package io.tollgate.local.containers;

import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.topics.TopicSetup;
import io.tollgate.schemas.topics.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.testcontainers.kafka.KafkaContainer;

/** Kafka from the official {@code apache/kafka} image (KRaft), with the Tollgate topics created. */
public final class ContainerKafka implements KafkaCluster {
  /** Pinned like docker-compose: same major line as the embedded broker. */
  public static final String IMAGE = "apache/kafka:4.1.1";

  private final KafkaContainer container;

  private ContainerKafka(KafkaContainer container) {
    this.container = container;
  }

  /** Starts the container (requires Docker) and creates the topics of {@link Topics#ALL}. */
  public static ContainerKafka start(int partitions) {
    KafkaContainer container = new KafkaContainer(IMAGE);
    container.start();
    ContainerKafka kafka = new ContainerKafka(container);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      TopicSetup.ensure(admin, Topics.ALL, Optional.of(partitions), Optional.of((short) 1), Duration.ofSeconds(60));
    } catch (Exception e) {
      container.stop();
      throw new IllegalStateException("Kafka container not usable: " + e.getMessage(), e);
    }
    return kafka;
  }

  @Override
  public String bootstrapServers() {
    return container.getBootstrapServers();
  }

  @Override
  public void close() {
    container.stop();
  }
}
