package io.tollgate.launcher;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Waits until a consumer group has consumed every committed record of some topics, judged by
 * offsets rather than by the numbers downstream: waiting until the totals look right would stop
 * at the first moment they match and miss a record counted twice a moment later. Go stage by
 * stage in topology order: what a stage must reach is fixed when {@link #await} starts, so its
 * topics must be complete by then, i.e. the stage writing them must already be drained.
 */
final class PipelineDrain {
  private final String bootstrap;
  private final Admin admin;

  PipelineDrain(String bootstrap, Admin admin) {
    this.bootstrap = bootstrap;
    this.admin = admin;
  }

  /** The repartition topics Streams created for {@code applicationId}. */
  List<String> repartitionTopics(String applicationId) throws Exception {
    return admin.listTopics().names().get(10, TimeUnit.SECONDS).stream()
        .filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-repartition")).sorted().toList();
  }

  /**
   * Waits until {@code group}'s committed offsets are past the last committed record of every
   * partition of {@code topics} (as a read_committed reader sees them now).
   */
  void await(String group, Collection<String> topics, Duration timeout) throws Exception {
    Map<TopicPartition, Long> needed = pastLastRecord(topics);
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<TopicPartition, Long> behind = behind(group, needed);
    while (!behind.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(group + " has not consumed " + topics + " within " + timeout
            + "; partitions behind (needed offset): " + behind);
      }
      Thread.sleep(200);
      behind = behind(group, needed);
    }
  }

  private Map<TopicPartition, Long> behind(String group, Map<TopicPartition, Long> needed) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    Map<TopicPartition, Long> behind = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    needed.forEach((tp, offset) -> {
      OffsetAndMetadata c = committed.get(tp);
      if (c == null || c.offset() < offset) {
        behind.put(tp, offset);
      }
    });
    return behind;
  }

  /** Per partition with data: the offset just past its last committed record (aborted ones and markers skipped). */
  private Map<TopicPartition, Long> pastLastRecord(Collection<String> topics) {
    Map<TopicPartition, Long> past = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "isolation.level", "read_committed", "enable.auto.commit", false), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = topics.stream().flatMap(t -> consumer.partitionsFor(t).stream())
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // the last stable offsets
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          past.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max);
        }
      }
    }
    return past;
  }
}
