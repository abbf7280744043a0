package io.tollgate.schemas.topics;

import java.nio.file.Path;
import java.util.Properties;

/**
 * How every Tollgate Kafka Streams app runs: exactly_once_v2, an explicit state directory, short
 * commits (freshness), and the broker's own replication factor for internal topics. Plain config
 * names, so this contract needs no Streams dependency here.
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
    return props;
  }
}
