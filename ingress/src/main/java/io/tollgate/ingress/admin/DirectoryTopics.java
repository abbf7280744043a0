package io.tollgate.ingress.admin;

import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.topics.TopicSetup;
import io.tollgate.schemas.topics.TopicSpec;
import io.tollgate.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The four management topics as the follower reads them: created when missing (compacted), every
 * partition assigned (no consumer group), the consumer built with the operator's Kafka properties.
 */
final class DirectoryTopics {
  static final List<TopicSpec> TOPICS = List.of(Topics.KEYS, Topics.TEAMS, Topics.CUSTOMERS, Topics.BUDGETS);
  private final String bootstrap;
  private final Map<String, String> kafkaProperties;
  private final String clientId;

  DirectoryTopics(String bootstrap, Map<String, String> kafkaProperties, String clientId) {
    this.bootstrap = bootstrap;
    this.kafkaProperties = kafkaProperties;
    this.clientId = clientId;
  }

  Map<String, Object> consumerConfig() {
    return KafkaClientProperties.merge("the gateway's management-state consumer",
        Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100, ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000,
            ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, ConsumerConfig.CLIENT_ID_CONFIG, clientId),
        KafkaClientProperties.known(kafkaProperties, ConsumerConfig.configNames()),
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
  }

  List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
    ensureTopics();
    List<TopicPartition> out = new ArrayList<>();
    for (TopicSpec spec : TOPICS) {
      List<PartitionInfo> infos = c.partitionsFor(spec.name(), Duration.ofSeconds(5));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("topic " + spec.name() + " does not exist");
      }
      infos.forEach(i -> out.add(new TopicPartition(i.topic(), i.partition())));
    }
    return out;
  }

  private void ensureTopics() {
    Map<String, Object> config = KafkaClientProperties.merge("the gateway's management-state admin client",
        Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000),
        KafkaClientProperties.known(kafkaProperties, AdminClientConfig.configNames()),
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    try (Admin admin = Admin.create(config)) {
      TopicSetup.ensure(admin, TOPICS, Optional.empty(), Optional.empty(), Duration.ofSeconds(5));
    }
  }

  static boolean caughtUp(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end) {
    for (var e : end.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
