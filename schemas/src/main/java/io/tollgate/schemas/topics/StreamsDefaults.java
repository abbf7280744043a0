package io.tollgate.schemas.topics;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * How every Tollgate Kafka Streams app runs: exactly_once_v2, an explicit state directory, short
 * commits (freshness), the broker's own replication factor for internal topics, and a 10 s
 * session timeout so the partitions of a crashed instance move to the others in seconds rather
 * than the default 45 s. Plain config names, so this contract needs no Streams dependency here.
 */
public final class StreamsDefaults {
  private StreamsDefaults() {
  }

  /** How often every Tollgate Streams app commits (freshness); the aggregator sets its own ({@code commit_interval_ms}). */
  public static final int COMMIT_INTERVAL_MS = 200;

  public static Properties exactlyOnce(String applicationId, String bootstrapServers, Path stateDir) {
    Properties props = new Properties();
    props.put("application.id", applicationId);
    props.put("bootstrap.servers", bootstrapServers);
    props.put("processing.guarantee", "exactly_once_v2");
    props.put("state.dir", stateDir.toString());
    props.put("commit.interval.ms", COMMIT_INTERVAL_MS);
    props.put("replication.factor", -1);
    // Unprefixed, so an instance's own session.timeout.ms (a plain property) still wins: a
    // "consumer."-prefixed default would silently take precedence over it.
    props.put("session.timeout.ms", SESSION_TIMEOUT_MS);
    props.put("heartbeat.interval.ms", HEARTBEAT_INTERVAL_MS);
    props.put("max.poll.interval.ms", MAX_POLL_INTERVAL_MS);
    return props;
  }

  /**
   * Properties every Tollgate Streams app sets itself: another value would break exactly-once or
   * the wiring (the application id and state dir come from the app's own options).
   */
  public static final Set<String> OWN_PROPERTIES = Set.of("application.id", "bootstrap.servers", "state.dir",
      "processing.guarantee");

  /**
   * Refuses an operator's Kafka properties that name one of {@link #OWN_PROPERTIES}, whatever the
   * value (names only in the message: values may be secrets).
   */
  public static void refuseOwnProperties(Map<String, String> kafka, String app) {
    List<String> refused = kafka.keySet().stream().filter(OWN_PROPERTIES::contains).sorted().toList();
    if (!refused.isEmpty()) {
      throw new IllegalArgumentException("Kafka properties " + refused + " are set by the " + app + " itself");
    }
  }

  /** Group session timeout of every Tollgate consumer: a crashed member is replaced after this long. */
  public static final int SESSION_TIMEOUT_MS = 10_000;
  /**
   * Longest time between two polls of a Tollgate consumer before it is thrown out of its group; it
   * is also how long a rebalance waits for a member that stopped polling while its heartbeat thread
   * lives on (the incident of issue 11: a group sat in PreparingRebalance for minutes behind two
   * such members). Between polls a stream thread processes one poll's records (≤ 1,000 small
   * events: milliseconds) and commits every 200 ms; a sink or notifier loop takes a few seconds at
   * most. 60 s is ten times that with room for a slow broker, instead of Kafka's 5 minutes.
   */
  public static final int MAX_POLL_INTERVAL_MS = 60_000;
  /** A third of the session timeout, as Kafka recommends. */
  public static final int HEARTBEAT_INTERVAL_MS = 3_000;
}
