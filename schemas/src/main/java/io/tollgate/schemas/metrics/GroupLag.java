package io.tollgate.schemas.metrics;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer group's lag as the broker sees it: for every partition of its input topics, the end
 * offset (last stable offset: the groups read committed) minus the group's committed offset (the
 * earliest offset where it has none). Unlike a client's own {@code records-lag}, which covers only
 * the partitions it is assigned right now, this counts unassigned partitions and a group stuck in a
 * rebalance — the case where the client metric reads 0 while nothing moves. Measured by an admin
 * client on a thread of its own every {@code interval}; {@link #records()} is the last measurement,
 * NaN while the broker cannot be asked (unknown is not 0).
 */
public final class GroupLag implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GroupLag.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Admin admin;
  private final String group;
  private final Set<String> topics;
  private final ScheduledExecutorService timer;
  private volatile double records = Double.NaN;
  private volatile boolean warned;

  /**
   * @param admin  shared admin client (not closed here)
   * @param group  the consumer group (a Streams application id, or a consumer's group id)
   * @param topics its input topics; topics the group has committed offsets on (Streams'
   *               repartition topics) are added automatically
   */
  public GroupLag(Admin admin, String group, Collection<String> topics, Duration interval) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.group = Objects.requireNonNull(group, "group");
    this.topics = Set.copyOf(topics);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "group-lag-" + group);
      t.setDaemon(true);
      return t;
    });
    timer.scheduleWithFixedDelay(this::update, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Records behind the end of the input topics, summed over all their partitions; NaN if unknown. */
  public double records() {
    return records;
  }

  private void update() {
    try {
      records = measure();
      warned = false;
    } catch (Exception e) {
      records = Double.NaN;
      if (!warned) {
        warned = true;
        LOG.warn("lag of group {} cannot be measured: {}", group, e.toString());
      }
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One measurement (blocking, up to a few admin calls of at most 10 s each). */
  public long measure() throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
        .partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Set<String> all = new HashSet<>(topics);
    committed.keySet().forEach(tp -> all.add(tp.topic()));
    Map<String, TopicDescription> described = admin.describeTopics(all).allTopicNames()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    described.values().forEach(d -> d.partitions().forEach(p -> {
      TopicPartition tp = new TopicPartition(d.name(), p.partition());
      latest.put(tp, OffsetSpec.latest());
      earliest.put(tp, OffsetSpec.earliest());
    }));
    ListOffsetsOptions committedOnly = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = admin.listOffsets(latest, committedOnly).all()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start = admin.listOffsets(earliest, committedOnly).all()
        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    long lag = 0;
    for (TopicPartition tp : latest.keySet()) {
      OffsetAndMetadata c = committed.get(tp);
      long from = Math.max(start.get(tp).offset(), c == null ? 0 : c.offset());
      lag += Math.max(0, end.get(tp).offset() - from);
    }
    return lag;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
