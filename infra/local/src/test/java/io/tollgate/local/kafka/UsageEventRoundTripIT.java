package io.tollgate.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.EventDecodingException;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.TopicSpec;
import io.tollgate.schemas.topics.Topics;
import io.tollgate.local.junit.KafkaExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The data contract on a real broker: topics as specified, events through the Avro serde and back. */
@ExtendWith(KafkaExtension.class)
class UsageEventRoundTripIT {

  @Test
  void theTollgateTopicsExistWithTheirConfigs(KafkaCluster kafka) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      List<String> names = Topics.ALL.stream().map(TopicSpec::name).toList();
      Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
      assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(names);
      assertThat(topics.get(Topics.USAGE.name()).partitions()).hasSize(3);
      for (TopicSpec spec : Topics.ALL) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
        Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        assertThat(config.get("cleanup.policy").value()).as(spec.name())
            .isEqualTo(spec.configs().get("cleanup.policy"));
      }
    }
  }

  @Test
  void aUsageEventRoundTripsThroughTheBroker(KafkaCluster kafka) throws Exception {
    String topic = Topics.USAGE.name();
    List<UsageEvent> sent = new ArrayList<>();
    try (KafkaProducer<String, UsageEvent> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(),
        TollgateSerdes.usageEvent().serializer())) {
      for (int i = 0; i < 20; i++) {
        UsageEvent event = event(UUID.randomUUID().toString(), i);
        sent.add(event);
        producer.send(new ProducerRecord<>(topic, event.getEventId(), event)).get(30, TimeUnit.SECONDS);
      }
    }

    List<UsageEvent> received = new ArrayList<>();
    try (KafkaConsumer<String, UsageEvent> consumer = new KafkaConsumer<>(consumerConfig(kafka),
        new StringDeserializer(), TollgateSerdes.usageEvent().deserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (received.size() < sent.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, UsageEvent> r : consumer.poll(Duration.ofMillis(500))) {
          assertThat(r.key()).isEqualTo(r.value().getEventId());
          received.add(r.value());
        }
      }
    }
    assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
  }

  @Test
  void aCorruptRecordFailsWithItsTopicAndOffset(KafkaCluster kafka) throws Exception {
    String topic = "corrupt-usage-" + UUID.randomUUID();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
        new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, "k", "{\"not\":\"avro\"}".getBytes())).get(30, TimeUnit.SECONDS);
    }
    try (KafkaConsumer<String, UsageEvent> consumer = new KafkaConsumer<>(consumerConfig(kafka),
        new StringDeserializer(), TollgateSerdes.usageEvent().deserializer())) {
      consumer.subscribe(List.of(topic));
      assertThatThrownBy(() -> {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(500));
        }
      }).isInstanceOfSatisfying(RecordDeserializationException.class, e -> {
        assertThat(e.topicPartition().topic()).isEqualTo(topic);
        assertThat(e.offset()).isZero();
        assertThat(e.getCause()).isInstanceOf(EventDecodingException.class)
            .hasMessageContaining("topic " + topic)
            .hasMessageContaining("not single-object encoded");
      });
    }
  }

  private static Map<String, Object> consumerConfig(KafkaCluster kafka) {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "roundtrip-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
  }

  private static UsageEvent event(String id, int i) {
    return UsageEvent.newBuilder()
        .setEventId(id).setTs(Instant.parse("2026-11-24T10:00:00.123Z").plusSeconds(i)).setDurationMs(100 + i)
        .setTtftMs(null).setGatewayId("gw-test").setKeyHash("ab" + i).setKeyAlias(null)
        .setCustomerId(i % 2 == 0 ? "acme" : null).setCustomerSource(i % 2 == 0 ? "header_customer_id" : "none")
        .setTool("codex").setToolVersion("0.46.0").setUserAgent("codex_cli_rs/0.46.0").setSessionId(null)
        .setProvider("openai").setApi("responses").setModelRequested("gpt-5").setModel("gpt-5-2025-08-07")
        .setStatusCode(200).setErrorType(null).setStreamed(true).setAborted(false)
        .setInputTokens(1000 + i).setOutputTokens(200).setCacheReadTokens(5000).setCacheWrite5mTokens(0)
        .setCacheWrite1hTokens(0).setReasoningTokens(64).setCostNanos(4_321_000L + i).setPriceKnown(true)
        .setUpstreamRequestId("req_" + i).setTags(Map.of())
        .build();
  }
}
