package io.tollgate.alerting.notify;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * Which alert offsets may be committed. Every alert record waits for its deliveries (keys
 * {@code alert id|channel}); a record is finished once each of them was delivered or
 * dead-lettered, and a partition's offset advances to its oldest unfinished record. So one
 * delivery that keeps being retried holds back only its own partition's commit from its record on
 * (a restart re-reads from there and skips what was delivered), while a permanently failing one no
 * longer holds anything. Not thread-safe: the notifier's poll thread owns it.
 */
final class DeliveryPlan {
  private record Position(TopicPartition partition, long offset) {
  }

  private final Map<TopicPartition, TreeMap<Long, Set<String>>> open = new HashMap<>();
  private final Map<String, Set<Position>> waitingFor = new HashMap<>();
  private final Map<TopicPartition, Long> seen = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();

  /** The record at {@code offset} needs {@code keys} delivered (none: it is finished already). */
  void add(TopicPartition partition, long offset, Collection<String> keys) {
    seen.merge(partition, offset + 1, Math::max);
    if (keys.isEmpty()) {
      return;
    }
    open.computeIfAbsent(partition, p -> new TreeMap<>()).computeIfAbsent(offset, o -> new HashSet<>()).addAll(keys);
    for (String key : keys) {
      waitingFor.computeIfAbsent(key, k -> new HashSet<>()).add(new Position(partition, offset));
    }
  }

  /**
   * The consumer's position on an assigned partition: it moves past the commit markers of the
   * transactions the alerts are written in, which no record reports; committing it lets a caught-up
   * group show lag 0.
   */
  void advance(TopicPartition partition, long position) {
    seen.merge(partition, position, Math::max);
  }

  /** {@code key} was delivered or dead-lettered: every record waiting for it is one step closer. */
  void done(String key) {
    Set<Position> positions = waitingFor.remove(key);
    if (positions == null) {
      return;
    }
    for (Position p : positions) {
      TreeMap<Long, Set<String>> records = open.get(p.partition());
      if (records == null) {
        continue;
      }
      Set<String> keys = records.get(p.offset());
      if (keys != null && keys.remove(key) && keys.isEmpty()) {
        records.remove(p.offset());
      }
    }
  }

  /** The offsets to commit now (the next record to read per partition), only where they moved. */
  Map<TopicPartition, Long> committable() {
    Map<TopicPartition, Long> out = new HashMap<>();
    seen.forEach((partition, next) -> {
      TreeMap<Long, Set<String>> records = open.get(partition);
      long offset = records == null || records.isEmpty() ? next : records.firstKey();
      if (committed.getOrDefault(partition, -1L) < offset) {
        out.put(partition, offset);
      }
    });
    return out;
  }

  /** Those offsets were committed. */
  void committed(Map<TopicPartition, Long> offsets) {
    offsets.forEach((p, o) -> committed.merge(p, o, Math::max));
  }

  /** The partitions moved to another instance: forget them (it re-reads from the last commit). */
  void revoke(Collection<TopicPartition> partitions) {
    for (TopicPartition p : partitions) {
      open.remove(p);
      seen.remove(p);
      committed.remove(p);
    }
    waitingFor.values().forEach(positions -> positions.removeIf(pos -> partitions.contains(pos.partition())));
    waitingFor.values().removeIf(Set::isEmpty);
  }

  /** Records not finished yet. */
  int openRecords() {
    return open.values().stream().mapToInt(Map::size).sum();
  }
}
