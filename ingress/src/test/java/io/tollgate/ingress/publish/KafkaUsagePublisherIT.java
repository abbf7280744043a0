package io.tollgate.ingress.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A record Kafka refuses for good is quarantined, not retried: tested with a producer whose
 * {@code max.request.size} is tiny, on the live path and in the replay of the spill log.
 */
@ExtendWith(KafkaExtension.class)
class KafkaUsagePublisherIT {
  private static final Map<String, Object> TINY = Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_500);

  private static UsageEvent event(String id, int padding) {
    return UsageEvent.newBuilder().setEventId(id).setTs(Instant.now()).setDurationMs(1).setGatewayId("gw-q")
        .setProvider("anthropic").setApi("messages").setModelRequested("claude-sonnet-4-5").setStatusCode(200)
        .setUserAgent("x".repeat(padding)).build();
  }

  @Test
  void anOversizedRecordIsQuarantinedAndEverythingBehindItIsPublished(KafkaCluster kafka) throws Exception {
    Path dir = Files.createTempDirectory("publisher-quarantine");
    String big = UUID.randomUUID().toString();
    String small = UUID.randomUUID().toString();
    try (KafkaUsagePublisher publisher = new KafkaUsagePublisher(kafka.bootstrapServers(), dir, "q-live",
        PublishMetrics.NONE, TINY)) {
      publisher.publish(event(big, 5_000));
      publisher.publish(event(small, 10));
      assertThat(idsOnTopic(kafka, small)).containsExactly(small);
      assertThat(publisher.quarantinedRecords()).isEqualTo(1);
      assertThat(publisher.healthy()).as("one bad record says nothing about Kafka").isTrue();
      assertThat(publisher.spilledPending()).isZero();
    }
  }

  @Test
  void replayQuarantinesTheRecordItCannotSendAndDrainsTheRest(KafkaCluster kafka) throws Exception {
    Path dir = Files.createTempDirectory("publisher-replay-quarantine");
    String big = UUID.randomUUID().toString();
    String small = UUID.randomUUID().toString();
    var serde = TollgateSerdes.usageEvent();
    try (SpillLog spill = new SpillLog(dir)) { // what an earlier run left behind
      spill.append(serde.serialize(Topics.USAGE.name(), event(big, 5_000)));
      spill.append(serde.serialize(Topics.USAGE.name(), event(small, 10)));
    }
    try (KafkaUsagePublisher publisher = new KafkaUsagePublisher(kafka.bootstrapServers(), dir, "q-replay",
        PublishMetrics.NONE, TINY)) {
      assertThat(idsOnTopic(kafka, small)).containsExactly(small);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (publisher.spilledPending() != 0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(publisher.spilledPending()).as("the spill drained past the bad record").isZero();
      assertThat(publisher.quarantinedRecords()).isEqualTo(1);
      assertThat(publisher.healthy()).isTrue();
    }
  }

  /** Ids of usage events on the topic once {@code wanted} arrived (30 s at most). */
  private static List<String> idsOnTopic(KafkaCluster kafka, String wanted) {
    List<String> ids = new ArrayList<>();
    try (KafkaConsumer<String, UsageEvent> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers(), "group.id", "q-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
        new StringDeserializer(), TollgateSerdes.usageEvent())) {
      consumer.subscribe(List.of(Topics.USAGE.name()));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!ids.contains(wanted) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, UsageEvent> r : consumer.poll(Duration.ofMillis(200))) {
          ids.add(r.key());
        }
      }
    }
    return ids.stream().filter(wanted::equals).toList();
  }
}
