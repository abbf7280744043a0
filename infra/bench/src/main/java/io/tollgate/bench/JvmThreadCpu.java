package io.tollgate.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of this JVM's Java threads by what they do ({@link AggregatorBench}: broker, stream
 * threads, their producers, the ClickHouse sink in one process), read from the {@link ThreadMXBean}
 * by full thread name ({@code /proc}'s 15-character names cannot tell a stream thread from its
 * producer). What no Java thread accounts for — GC, JIT, VM threads — is {@link #VM}: the process's
 * CPU minus the Java threads'. A thread that ended between two readings is in no group's delta but
 * in the process's, so it lands in {@link #VM}: the Java groups are lower bounds, VM an upper one.
 */
final class JvmThreadCpu {
  static final String STREAM = "stream threads";
  static final String STREAM_PRODUCER = "streams producers";
  static final String BROKER_HANDLER = "broker request handlers";
  static final String BROKER_NETWORK = "broker network";
  static final String BROKER_OTHER = "broker, other";
  static final String SINK = "ClickHouse sink";
  static final String OTHER = "other Java";
  static final String VM = "GC, JIT, VM";
  /** Table order. */
  static final List<String> GROUPS = List.of(STREAM, STREAM_PRODUCER, BROKER_HANDLER, BROKER_NETWORK, BROKER_OTHER,
      SINK, OTHER, VM);
  private static final List<String> BROKER_PREFIXES = List.of("kafka-", "group-coordinator", "quorum-controller",
      "broker-", "ExpirationReaper", "TxnMarkerSender", "AddPartitionsToTxn", "executor-", "share-coordinator",
      "transaction-", "LogDirFailureHandler", "ReplicaFetcher", "controller-", "raft-");

  private JvmThreadCpu() {
  }

  /** The group of a Java thread by its name. */
  static String group(String name) {
    if (name.startsWith("kafka-producer-network-thread") && name.contains("StreamThread")) {
      return STREAM_PRODUCER;
    } else if (name.contains("StreamThread")) {
      return STREAM;
    } else if (name.startsWith("data-plane-kafka-request-handler")) {
      return BROKER_HANDLER;
    } else if (name.startsWith("data-plane-kafka-network-thread") || name.startsWith("data-plane-kafka-socket")) {
      return BROKER_NETWORK;
    } else if (name.startsWith("clickhouse-sink")) {
      return SINK;
    } else if (name.startsWith("kafka-producer-network-thread") || name.startsWith("kafka-admin-client")
        || name.startsWith("kafka-coordinator-heartbeat")) {
      return OTHER; // clients of the bench and the sink
    }
    for (String p : BROKER_PREFIXES) {
      if (name.startsWith(p)) {
        return BROKER_OTHER;
      }
    }
    return OTHER;
  }

  /** CPU nanoseconds per group now, {@link #VM} included ({@code processCpuNanos} minus the Java threads). */
  static Map<String, Long> read(long processCpuNanos) {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<String, Long> out = new LinkedHashMap<>();
    GROUPS.forEach(g -> out.put(g, 0L));
    long java = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      long cpu = mx.getThreadCpuTime(t.threadId());
      if (cpu > 0) {
        out.merge(group(t.getName()), cpu, Long::sum);
        java += cpu;
      }
    }
    out.put(VM, Math.max(0, processCpuNanos - java));
    return out;
  }

  /** µs per event of each group between two readings (a group never negative: threads that ended read as 0). */
  static Map<String, Double> perEvent(Map<String, Long> before, Map<String, Long> after, long events) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String g : GROUPS) {
      long d = after.getOrDefault(g, 0L) - before.getOrDefault(g, 0L);
      out.put(g, Math.max(0, d) / 1e3 / Math.max(1, events));
    }
    return out;
  }
}
