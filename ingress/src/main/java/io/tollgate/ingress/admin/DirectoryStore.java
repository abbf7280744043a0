package io.tollgate.ingress.admin;

import io.tollgate.ingress.identity.Directory;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import io.tollgate.schemas.topics.TopicSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Directory} of a gateway: keys, teams, customers and budgets read whole from their
 * compacted topics at start, then followed on a thread of its own (no consumer group: every
 * partition assigned, every gateway reads everything), so a change any gateway writes is enforced
 * here within a poll (100 ms) of Kafka having it. Writes go through {@link DirectoryWriter} and are
 * applied here as soon as Kafka acknowledged them (read-your-writes on this gateway). A local
 * snapshot ({@link DirectorySnapshot}) next to the hand-off log lets a gateway restarted while
 * Kafka is unreachable start with the state it last saw.
 */
public final class DirectoryStore implements Directory, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DirectoryStore.class);

  /** Where the state the gateway started with came from. */
  public enum Source { KAFKA, SNAPSHOT, NONE }

  /**
   * @param startTimeout how long {@link #awaitStart} waits for Kafka before falling back to the snapshot
   * @param pollTimeout  the follower's poll timeout: the delay before a change is enforced here
   * @param snapshotFile the snapshot's path
   */
  public record Settings(Duration startTimeout, Duration pollTimeout, Path snapshotFile) {
    public static Settings defaults(Path stateDir) {
      return new Settings(Duration.ofSeconds(10), Duration.ofMillis(100), stateDir.resolve(DirectorySnapshot.FILE_NAME));
    }
  }

  /** A write this gateway made and already applied, not yet read back from the topic. */
  private record Pending(String topic, String key, TopicPartition partition, long offset, byte[] value) {
  }

  private final Settings settings;
  private final Clock clock;
  private final Object lock = new Object();
  private final Map<String, Pending> pending = new HashMap<>();
  private final CountDownLatch kafkaLoaded = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Thread follower;
  private final DirectoryWriter writer;
  private final DirectoryTopics topics;
  private volatile DirectoryState state = new DirectoryState();
  private volatile Source source = Source.NONE;
  private volatile boolean closed;
  private volatile boolean dirty;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private long lastSnapshotMillis;

  private final String clientId;

  public DirectoryStore(String bootstrap, Map<String, String> kafkaProperties, String clientId, Settings settings,
                        Clock clock) {
    this.clientId = clientId + "-management";
    Map<String, String> extra = Map.copyOf(kafkaProperties == null ? Map.of() : kafkaProperties);
    Objects.requireNonNull(bootstrap, "bootstrap");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.topics = new DirectoryTopics(bootstrap, extra, this.clientId);
    this.writer = new DirectoryWriter(bootstrap, extra, this.clientId, this::applyLocal);
    this.follower = new Thread(this::run, "management-state-follower");
    follower.setDaemon(true);
  }

  /** Starts following the topics. */
  public DirectoryStore start() {
    follower.start();
    return this;
  }

  /**
   * Waits until the topics were read whole; if Kafka does not answer within the start timeout,
   * starts from the snapshot instead (the follower keeps trying and replaces it once it has read
   * the topics). Logs which source the gateway starts with.
   */
  public Source awaitStart() {
    try {
      kafkaLoaded.await(settings.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (lock) {
      if (source == Source.KAFKA) {
        LOG.info("management state read from Kafka: {}", state.counts());
        return source;
      }
      try {
        DirectorySnapshot.Loaded snap = DirectorySnapshot.read(settings.snapshotFile());
        if (snap != null) {
          state = snap.state();
          source = Source.SNAPSHOT;
          LOG.warn("Kafka did not answer within {} s: management state loaded from the local snapshot {} written at "
              + "{} ({}); it is replaced by the topics' state as soon as Kafka answers", settings.startTimeout()
              .toSeconds(), settings.snapshotFile(), java.time.Instant.ofEpochMilli(snap.writtenAtMillis()),
              state.counts());
          return source;
        }
        LOG.warn("Kafka did not answer within {} s and there is no snapshot {}: only the master key and keys of the "
            + "config work until the management state is read", settings.startTimeout().toSeconds(),
            settings.snapshotFile());
      } catch (java.io.IOException e) {
        LOG.error("Kafka did not answer within {} s and the snapshot cannot be used ({}): only the master key and "
            + "keys of the config work until the management state is read", settings.startTimeout().toSeconds(),
            e.getMessage());
      }
      return source;
    }
  }

  /** Whether the gateway has its management state (from Kafka or the snapshot). */
  public boolean ready() {
    return source != Source.NONE;
  }

  public Source source() {
    return source;
  }

  @Override
  public VirtualKey key(String keyHash) {
    return keyHash == null ? null : state.keys.get(keyHash);
  }

  @Override
  public Team team(String teamId) {
    return teamId == null ? null : state.teams.get(teamId);
  }

  @Override
  public Customer customer(String customerId) {
    return customerId == null ? null : state.customers.get(customerId);
  }

  @Override
  public Budget budget(String budgetId) {
    return budgetId == null ? null : state.budgets.get(budgetId);
  }

  Collection<VirtualKey> keys() {
    return state.keys.values();
  }

  Collection<Team> teams() {
    return state.teams.values();
  }

  Collection<Customer> customers() {
    return state.customers.values();
  }

  Collection<Budget> budgets() {
    return state.budgets.values();
  }

  /** Writes a record (null deletes); completes once Kafka acknowledged it and it is applied here. */
  CompletableFuture<Void> write(TopicSpec topic, String key, Object record) {
    byte[] value = record == null ? null : state.encode(topic.name(), record);
    return writer.send(topic.name(), key, value);
  }

  private void applyLocal(String topic, String key, TopicPartition partition, long offset, byte[] value) {
    synchronized (lock) {
      pending.put(topic + "|" + key, new Pending(topic, key, partition, offset, value));
      state.apply(topic, key, value);
      dirty = true;
    }
  }

  private void applyFollowed(DirectoryState target, ConsumerRecord<String, byte[]> r) {
    synchronized (lock) {
      String id = r.topic() + "|" + r.key();
      Pending p = pending.get(id);
      if (p != null) {
        if (r.offset() < p.offset()) {
          return; // older than what this gateway wrote and already shows
        }
        pending.remove(id);
      }
      if (!target.apply(r.topic(), r.key(), r.value())) {
        LOG.warn("record at {}-{}@{} cannot be read and is skipped", r.topic(), r.partition(), r.offset());
      }
      dirty = true;
    }
  }

  private void run() {
    long backoffMs = 500;
    while (!closed) {
      KafkaConsumer<String, byte[]> c = null;
      try {
        c = new KafkaConsumer<>(topics.consumerConfig());
        consumer = c;
        if (closed) {
          return;
        }
        List<TopicPartition> partitions = topics.partitions(c);
        c.assign(partitions);
        c.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = c.endOffsets(partitions, Duration.ofSeconds(5));
        DirectoryState fresh = new DirectoryState();
        while (!DirectoryTopics.caughtUp(c, end)) {
          for (ConsumerRecord<String, byte[]> r : c.poll(settings.pollTimeout())) {
            applyFollowed(fresh, r);
          }
        }
        synchronized (lock) {
          // Writes acknowledged after the end offsets were taken are not in the fresh copy yet.
          for (Pending p : pending.values()) {
            if (p.offset() >= c.position(p.partition())) {
              fresh.apply(p.topic(), p.key(), p.value());
            }
          }
          state = fresh;
          source = Source.KAFKA;
        }
        kafkaLoaded.countDown();
        snapshot();
        backoffMs = 500;
        while (!closed) {
          for (ConsumerRecord<String, byte[]> r : c.poll(settings.pollTimeout())) {
            applyFollowed(state, r);
          }
          if (dirty && clock.millis() - lastSnapshotMillis >= 1_000) {
            snapshot();
          }
        }
      } catch (WakeupException e) {
        if (closed) {
          return;
        }
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        LOG.warn("cannot read the management state from Kafka ({}); retrying", e.toString());
        try {
          if (stopped.await(backoffMs, TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException ie) {
          return;
        }
        backoffMs = Math.min(5_000, backoffMs * 2);
      } finally {
        consumer = null;
        if (c != null) {
          c.close(java.time.Duration.ofSeconds(2));
        }
      }
    }
  }

  private void snapshot() {
    dirty = false;
    lastSnapshotMillis = clock.millis();
    try {
      DirectorySnapshot.write(settings.snapshotFile(), state, lastSnapshotMillis);
    } catch (java.io.IOException | RuntimeException e) {
      dirty = true;
      LOG.warn("cannot write the management-state snapshot {}: {}", settings.snapshotFile(), e.toString());
    }
  }

  /** Stops following, saves the snapshot, closes the clients. */
  @Override
  public void close() {
    closed = true;
    stopped.countDown();
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    try {
      follower.join(10_000);
      if (follower.isAlive()) {
        follower.interrupt();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    writer.close();
    if (source == Source.KAFKA && dirty) {
      snapshot();
    }
  }
}
