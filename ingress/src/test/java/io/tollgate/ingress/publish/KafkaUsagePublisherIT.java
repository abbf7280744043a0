package io.tollgate.ingress.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A record Kafka refuses for good is quarantined, not retried: tested with a producer whose
 * {@code max.request.size} is tiny, on the live path and for what an older release left in its spill file.
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
      publisher.publish(event(big, 5_000)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      publisher.publish(event(small, 10)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(idsOnTopic(kafka, small)).containsExactly(small);
      HandoffLogTest.waitFor(() -> publisher.backlogRecords() == 0, "both records handled");
      assertThat(publisher.quarantinedRecords()).isEqualTo(1);
      assertThat(publisher.status().kafkaReachable()).as("one bad record says nothing about Kafka").isTrue();
      assertThat(publisher.status().ready()).isTrue();
    }
  }

  @Test
  void anOlderReleasesSpillIsAdoptedAndItsUnsendableRecordQuarantined(KafkaCluster kafka) throws Exception {
    Path dir = Files.createTempDirectory("publisher-replay-quarantine");
    String big = UUID.randomUUID().toString();
    String small = UUID.randomUUID().toString();
    var serde = TollgateSerdes.usageEvent();
    // What an earlier release left behind: usage-spill.log, 4-byte length + event per record.
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve("usage-spill.log")))) {
      for (UsageEvent e : List.of(event(big, 5_000), event(small, 10))) {
        byte[] bytes = serde.serialize(Topics.USAGE.name(), e);
        out.writeInt(bytes.length);
        out.write(bytes);
      }
    }
    try (KafkaUsagePublisher publisher = new KafkaUsagePublisher(kafka.bootstrapServers(), dir, "q-replay",
        PublishMetrics.NONE, TINY)) {
      assertThat(Files.exists(dir.resolve("usage-spill.log"))).as("moved into the hand-off log").isFalse();
      assertThat(idsOnTopic(kafka, small)).containsExactly(small);
      HandoffLogTest.waitFor(() -> publisher.backlogRecords() == 0, "the old spill drained past the bad record");
      assertThat(publisher.quarantinedRecords()).isEqualTo(1);
      assertThat(publisher.status().ready()).isTrue();
    }
  }

  @Test
  void withKafkaUnreachableThePublisherStaysReadyUntilItsBacklogPassesTheLimit() throws Exception {
    Path dir = Files.createTempDirectory("publisher-backlog-limit");
    String nowhere = "127.0.0.1:" + io.tollgate.local.kafka.FreePorts.pick(); // nothing listens there
    HandoffOptions limited = new HandoffOptions(HandoffOptions.Fsync.GROUP, 10, 1 << 20, 1 << 20, 1 << 20);
    try (KafkaUsagePublisher publisher = new KafkaUsagePublisher(nowhere, dir, "q-limit", PublishMetrics.NONE,
        Map.of(), limited)) {
      for (int i = 0; i < 20; i++) {
        publisher.publish(event(UUID.randomUUID().toString(), 1_000)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      HandoffLogTest.waitFor(() -> !publisher.status().kafkaReachable(), "Kafka reported unreachable");
      assertThat(publisher.status().ready()).as("Kafka down alone: still answering and recording").isTrue();
      for (int i = 0; i < 300; i++) { // ~5 KB each: past the 1 MB limit
        publisher.publish(event(UUID.randomUUID().toString(), 5_000)).toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      HandoffStatus status = publisher.status();
      assertThat(status.overBacklogLimit()).isTrue();
      assertThat(status.ready()).as("over the backlog limit: out of the load balancer").isFalse();
      assertThat(status.backlogRecords()).isEqualTo(320);
      assertThat(status.oldestUnackedSeconds()).isPositive();
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
