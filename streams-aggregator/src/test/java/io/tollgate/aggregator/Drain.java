package io.tollgate.aggregator;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Waits until a consumer group has consumed a set of topics to the end, as a read_committed reader
 * sees them: committed offsets past the last committed record of each partition (a transactional
 * topic ends in a marker the group never commits past). So a test can tell "everything sent has
 * been processed" from "the totals happen to match already".
 */
final class Drain {
  private Drain() {
  }

  /** The group's committed offsets reach past the last record of every partition of {@code topics}. */
  static void await(String bootstrap, String group, Collection<String> topics, Duration timeout) throws Exception {
    Map<TopicPartition, Long> needed = pastLastRecord(bootstrap, topics);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      Map<TopicPartition, Long> behind = behind(admin, group, needed);
      while (!behind.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(group + " has not consumed " + topics + " within " + timeout + "; behind: " + behind);
        }
        Thread.sleep(200);
        behind = behind(admin, group, needed);
      }
    }
  }

  /**
   * Per partition of {@code topics}: the last stable offset (what a read_committed reader can reach)
   * and the high watermark; an LSO that stays behind means a transaction that stays open.
   */
  static String describeEnds(String bootstrap, Collection<String> topics) {
    try (KafkaConsumer<byte[], byte[]> committed = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "isolation.level", "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
         KafkaConsumer<byte[], byte[]> all = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
             "isolation.level", "read_uncommitted"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = topics.stream().flatMap(t -> committed.partitionsFor(t).stream())
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      return "last stable offsets " + new TreeMap<>(byName(committed.endOffsets(partitions))) + ", high watermarks "
          + new TreeMap<>(byName(all.endOffsets(partitions)));
    } catch (RuntimeException e) {
      return "ends not read (" + e + ")";
    }
  }

  private static Map<String, Long> byName(Map<TopicPartition, Long> offsets) {
    Map<String, Long> out = new HashMap<>();
    offsets.forEach((tp, o) -> out.put(tp.toString(), o));
    return out;
  }

  /** The repartition topics a Streams application has committed offsets on. */
  static Set<String> repartitionTopics(String bootstrap, String applicationId) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      return admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
          .keySet().stream().map(TopicPartition::topic).filter(t -> t.endsWith("-repartition"))
          .collect(Collectors.toSet());
    }
  }

  private static Map<TopicPartition, Long> behind(Admin admin, String group, Map<TopicPartition, Long> needed)
      throws Exception {
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

  /** Per partition with data: the offset just past its last committed record. */
  private static Map<TopicPartition, Long> pastLastRecord(String bootstrap, Collection<String> topics) {
    Map<TopicPartition, Long> past = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "isolation.level", "read_committed", "enable.auto.commit", false, "max.poll.records", 5_000),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = topics.stream().flatMap(t -> consumer.partitionsFor(t).stream())
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // the last stable offsets
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
      for (TopicPartition tp : partitions) {
        // The last record lies shortly before the end (markers only after it): read the tail.
        long from = Math.max(begin.get(tp), end.get(tp) - 1_000);
        consumer.seek(tp, from);
      }
      Map<TopicPartition, Long> open = new HashMap<>(end);
      open.entrySet().removeIf(e -> e.getValue() <= begin.get(e.getKey()));
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!open.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          past.merge(tp, r.offset() + 1, Math::max);
        }
        open.keySet().removeIf(tp -> consumer.position(tp) >= end.get(tp));
      }
      if (!open.isEmpty()) {
        throw new AssertionError("could not read to the end of " + open.keySet());
      }
    }
    return past;
  }
}
