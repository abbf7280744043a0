package io.tollgate.schemas.topics;

import java.util.Map;
import java.util.Objects;

/**
 * One Kafka topic of the data contract: its name, what its key is, and the topic-level configs
 * that matter for correctness (cleanup policy, retention). Partition count and replication are
 * deployment choices and live in the runtime that creates the topic.
 *
 * @param name    topic name, versioned with {@code .vN} so an incompatible change gets a new topic
 * @param key     what the record key is, for the docs and for humans reading a topic dump
 * @param configs topic configs applied at creation
 */
public record TopicSpec(String name, String key, Map<String, String> configs) {
  public TopicSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(key, "key");
    configs = Map.copyOf(configs);
  }

  /** True when the topic keeps only the newest record per key. */
  public boolean compacted() {
    return configs.getOrDefault("cleanup.policy", "delete").contains("compact");
  }
}
