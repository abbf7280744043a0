package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.metrics.GroupLag;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link GroupLag} against a real broker: a group with no member at all (as while it is stuck
 * rebalancing, or every instance is down) still shows what waits on every partition — those it
 * committed on and those it never did — where a client's assigned-partition lag has nothing to say.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(120)
class GroupLagIT {

  @Test
  void countsEveryPartitionOfTheInputAlsoUnassignedAndUncommittedOnes(KafkaCluster kafka) throws Exception {
    String topic = "lag-" + UUID.randomUUID();
    String group = "lag-group-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers(), "acks", "all"), new StringSerializer(), new StringSerializer())) {
        for (int p = 0; p < 3; p++) {
          for (int i = 0; i < 10 * (p + 1); i++) { // 10, 20 and 30 records
            producer.send(new ProducerRecord<>(topic, p, "k", "v"));
          }
        }
        producer.flush();
      }
      GroupLag lag = new GroupLag(admin, group, List.of(topic), Duration.ofHours(1));
      try {
        assertThat(lag.measure()).as("a group that never committed: everything waits").isEqualTo(60);
        // The group consumed partition 0 up to 7 and left: no member, nothing assigned.
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
            "group.id", group, "enable.auto.commit", false), new StringDeserializer(), new StringDeserializer())) {
          c.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(7)));
          assertThat(c.assignment()).isEqualTo(Set.of());
        }
        assertThat(lag.measure()).isEqualTo(3 + 20 + 30);
      } finally {
        lag.close();
      }
    }
  }
}
