package io.tollgate.schemas.topics;

import java.nio.file.Path;
import java.util.Properties;

/**
 * How every Tollgate Kafka Streams app runs: exactly_once_v2, an explicit state directory, short
 * commits (freshness), the broker's own replication factor for internal topics, and a 10 s
 * session timeout so the partitions of a crashed instance move to the others in seconds rather
 * than the default 45 s. Plain config names, so this contract needs no Streams dependency here.
 */
public final class StreamsDefaults {
  private StreamsDefaults() {
  }

  public static Properties exactlyOnce(String applicationId, String bootstrapServers, Path stateDir) {
    Properties props = new Properties();
    props.put("application.id", applicationId);
    props.put("bootstrap.servers", bootstrapServers);
    props.put("processing.guarantee", "exactly_once_v2");
    props.put("state.dir", stateDir.toString());
    props.put("commit.interval.ms", 200);
    props.put("replication.factor", -1);
    // Unprefixed, so an instance's own session.timeout.ms (a plain property) still wins: a
    // "consumer."-prefixed default would silently take precedence over it.
    props.put("session.timeout.ms", SESSION_TIMEOUT_MS);
    props.put("heartbeat.interval.ms", HEARTBEAT_INTERVAL_MS);
    return props;
  }

  /** Group session timeout of every Tollgate consumer: a crashed member is replaced after this long. */
  public static final int SESSION_TIMEOUT_MS = 10_000;
  /** A third of the session timeout, as Kafka recommends. */
  public static final int HEARTBEAT_INTERVAL_MS = 3_000;
}
