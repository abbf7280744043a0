package io.tollgate.launcher;

import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.process.ChildJvm;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

/**
 * Aggregator instances of one Streams application, each its own JVM ({@code io.tollgate.aggregator.Main},
 * as in production) so one can be killed with SIGKILL, and what the group coordinator says about
 * them. Each instance names its clients after itself ({@code --kafka.client.id}), so a group
 * member tells which instance it is.
 */
final class AggregatorProcesses implements AutoCloseable {
  private final String bootstrap;
  private final String applicationId;
  private final ClickHouseSettings clickhouse;
  private final Path stateRoot;
  private final Admin admin;
  private final Map<String, Process> running = new LinkedHashMap<>();

  AggregatorProcesses(String bootstrap, String applicationId, ClickHouseSettings clickhouse, Path stateRoot, Admin admin) {
    this.bootstrap = bootstrap;
    this.applicationId = applicationId;
    this.clickhouse = clickhouse;
    this.stateRoot = stateRoot;
    this.admin = admin;
  }

  /** Starts the named instances side by side and returns once each printed its ready line. */
  void start(String... names) {
    List<CompletableFuture<Process>> starting = new ArrayList<>();
    for (String name : names) {
      starting.add(CompletableFuture.supplyAsync(() -> ChildJvm.start(command(name), "AGGREGATOR READY",
          Duration.ofSeconds(90), line -> System.out.println("[" + name + "] " + line)).process()));
    }
    for (int i = 0; i < names.length; i++) {
      synchronized (running) {
        running.put(names[i], starting.get(i).join());
      }
    }
  }

  private List<String> command(String name) {
    List<String> cmd = new ArrayList<>(ChildJvm.javaCommand("384m"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tollgate.aggregator.Main",
        "--bootstrap", bootstrap, "--clickhouse", clickhouse.url(), "--database", clickhouse.database(),
        "--application-id", applicationId, "--state-dir", stateRoot.resolve(name).toString(),
        "--metrics-port", Integer.toString(FreePorts.pick()),
        "--kafka.client.id", name,
        // What docs/scale-out.md recommends: a warm copy of every task's state on the other instance,
        // and a dead instance noticed in seconds (the default session timeout is 45 s).
        "--kafka.num.standby.replicas", "1",
        "--kafka.session.timeout.ms", "6000",
        "--kafka.heartbeat.interval.ms", "1500"));
    return cmd;
  }

  /** SIGKILL: no shutdown hook, no clean leave, open transactions stay open until they time out. */
  void kill(String name) throws InterruptedException {
    Process process;
    synchronized (running) {
      process = running.remove(name);
    }
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " survived SIGKILL");
    }
  }

  /**
   * Instance name → the partitions of {@code tollgate.usage.v1} it processes, for a stable group;
   * empty while the group rebalances.
   */
  Map<String, Set<Integer>> usagePartitions() throws Exception {
    ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId)).all()
        .get(10, TimeUnit.SECONDS).get(applicationId);
    Map<String, Set<Integer>> owners = new TreeMap<>();
    if (group.groupState() != GroupState.STABLE) {
      return owners;
    }
    for (MemberDescription member : group.members()) {
      // Streams' consumers are named <client.id>-StreamThread-<n>-consumer.
      String instance = member.clientId().replaceFirst("-StreamThread-.*$", "");
      Set<Integer> partitions = owners.computeIfAbsent(instance, k -> new TreeSet<>());
      for (TopicPartition tp : member.assignment().topicPartitions()) {
        if (tp.topic().equals(Topics.USAGE.name())) {
          partitions.add(tp.partition());
        }
      }
    }
    return owners;
  }

  /** Polls {@link #usagePartitions()} until {@code condition} holds; fails with the last view after {@code timeout}. */
  Map<String, Set<Integer>> awaitUsagePartitions(Predicate<Map<String, Set<Integer>>> condition, Duration timeout,
                                                 String what) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Set<Integer>> seen = usagePartitions();
    while (!condition.test(seen)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what + "; the group has " + seen);
      }
      Thread.sleep(200);
      seen = usagePartitions();
    }
    return seen;
  }

  /** Offsets the application committed on {@code tollgate.usage.v1}, by partition. */
  Map<Integer, Long> committedUsageOffsets() throws Exception {
    Map<Integer, Long> offsets = new TreeMap<>();
    admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
        .forEach((tp, offset) -> {
          if (tp.topic().equals(Topics.USAGE.name()) && offset != null) {
            offsets.put(tp.partition(), offset.offset());
          }
        });
    return offsets;
  }

  /** SIGTERM to every instance still running, SIGKILL to any that does not stop within 30 s. */
  @Override
  public void close() {
    List<Process> processes;
    synchronized (running) {
      processes = new ArrayList<>(running.values());
      running.clear();
    }
    processes.forEach(p -> p.toHandle().destroy());
    try {
      for (Process p : processes) {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      processes.forEach(Process::destroyForcibly); // never leave a child JVM behind
      Thread.currentThread().interrupt();
    }
  }
}
