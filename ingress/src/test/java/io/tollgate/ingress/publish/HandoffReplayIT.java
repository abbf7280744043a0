package io.tollgate.ingress.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A gateway that starts on a hand-off log of 100k events an earlier run left behind drains it
 * pipelined, with no per-event wait. The rate is printed (and recorded in BENCHMARKS.md), not
 * asserted: it depends on the machine.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(300)
class HandoffReplayIT {
  private static final int EVENTS = 100_000;

  @Test
  void aBacklogOf100kEventsDrainsAtProducerSpeed(KafkaCluster kafka) throws Exception {
    Path dir = Files.createTempDirectory("handoff-replay");
    var serde = TollgateSerdes.usageEvent();
    String topic = Topics.USAGE.name();
    try (HandoffLog log = new HandoffLog(dir, HandoffOptions.DEFAULTS.withFsync(HandoffOptions.Fsync.NONE))) {
      log.start(records -> { });
      List<CompletableFuture<Void>> appended = new ArrayList<>(EVENTS);
      for (int i = 0; i < EVENTS; i++) {
        UsageEvent e = UsageEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setTs(Instant.now())
            .setDurationMs(120).setGatewayId("gw-replay").setProvider("anthropic").setApi("messages")
            .setModelRequested("claude-sonnet-4-5").setModel("claude-sonnet-4-5-20250929").setStatusCode(200)
            .setCustomerId("customer-" + (i % 50)).setTool("claude-code").setInputTokens(1_200).setOutputTokens(300)
            .setCostNanos(8_100_000).setPriceKnown(true).build();
        appended.add(log.append(e.getEventId(), serde.serialize(topic, e)));
      }
      CompletableFuture.allOf(appended.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    }
    long before = endOffsets(kafka);
    long start = System.nanoTime();
    try (KafkaUsagePublisher publisher = new KafkaUsagePublisher(kafka.bootstrapServers(), dir, "replay-100k",
        PublishMetrics.NONE)) {
      assertThat(publisher.backlogRecords()).isEqualTo(EVENTS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (publisher.backlogRecords() > 0) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the backlog did not drain in 240 s: " + publisher.backlogRecords() + " left");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("[HandoffReplayIT] replayed %d events in %.2f s: %.0f events/s%n", EVENTS, seconds,
          EVENTS / seconds);
    }
    assertThat(endOffsets(kafka) - before).as("every event on the topic").isGreaterThanOrEqualTo(EVENTS);
    try (var files = Files.list(dir)) {
      assertThat(files.filter(p -> Segment.baseOf(p.getFileName().toString()) >= 0)).as("all segments truncated")
          .isEmpty();
    }
  }

  private static long endOffsets(KafkaCluster kafka) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(Topics.USAGE.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
