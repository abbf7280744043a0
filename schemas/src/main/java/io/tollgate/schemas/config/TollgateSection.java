package io.tollgate.schemas.config;

import java.util.List;
import java.util.Map;

/**
 * The {@code tollgate:} section: what LiteLLM's format has no place for. Defaults live with the
 * apps' typed configs ({@code IngressConfig}); here a missing key is null.
 *
 * @param upstreamTimeoutS      seconds without an upstream answer before 504
 * @param idleTimeoutS          seconds a client connection may stay silent
 * @param requestReadTimeoutS   seconds for a request's headers and body to arrive (else 408)
 * @param streamIdleTimeoutS    seconds an upstream answer may stall mid-body
 * @param handoff               the gateway's durable hand-off log (in {@code spill_dir})
 * @param aggregator            the aggregator's ClickHouse sink and retention
 */
public record TollgateSection(Integer port, String host, String gatewayId, Kafka kafka, String spillDir,
                              Integer maxRequestBodyMb, Integer upstreamTimeoutS, Integer idleTimeoutS,
                              Integer requestReadTimeoutS, Integer streamIdleTimeoutS, Cors cors, Tls tls,
                              List<Key> keys, AlertsSection alerts, Handoff handoff, Aggregator aggregator) {
  static final TollgateSection EMPTY = new TollgateSection(null, null, null, null, null, null, null, null, null, null,
      null, null, null, null, null, null);

  public TollgateSection {
    kafka = kafka == null ? new Kafka(null, null) : kafka;
    keys = ConfigTree.list(keys);
    handoff = handoff == null ? new Handoff(null, null, null, null, null) : handoff;
    aggregator = aggregator == null ? new Aggregator(null, null, null) : aggregator;
  }

  /**
   * {@code tollgate.aggregator}; defaults and range checks are the aggregator's ({@code AggregatorConfig}).
   *
   * @param sinkBatchRows        rows the ClickHouse sink collects before an insert
   * @param sinkFlushIntervalMs  longest a row waits in the sink before an insert
   * @param usageRetentionMonths calendar months of {@code usage_events} kept (0 = forever)
   */
  public record Aggregator(Integer sinkBatchRows, Integer sinkFlushIntervalMs, Integer usageRetentionMonths) {
  }

  /**
   * @param fsync           {@code group} (default: fdatasync per group commit, before the answer ends),
   *                        {@code interval_ms} (every {@code fsync_interval_ms}) or {@code none}
   * @param fsyncIntervalMs for {@code interval_ms}
   * @param segmentMb       size at which a segment file is rolled
   * @param memoryMb        unacknowledged events kept in memory; beyond, they are read back from disk
   * @param backlogLimitMb  readiness fails once this much waits for Kafka (0 = never)
   */
  public record Handoff(String fsync, Integer fsyncIntervalMs, Integer segmentMb, Integer memoryMb,
                        Integer backlogLimitMb) {
    static final java.util.Set<String> POLICIES = java.util.Set.of("group", "interval_ms", "none");
  }

  /**
   * @param bootstrapServers Kafka bootstrap servers
   * @param properties       extra client properties (SSL, SASL, …) for every Kafka client; values
   *                         may be {@code os.environ/NAME} and are never logged
   */
  public record Kafka(String bootstrapServers, Map<String, String> properties) {
    public Kafka {
      properties = ConfigTree.map(properties);
    }

    @Override
    public String toString() {
      return "Kafka[" + bootstrapServers + ", properties " + properties.keySet() + "]";
    }
  }

  /** @param allowedOrigins origins CORS allows ({@code *} = any) */
  public record Cors(List<String> allowedOrigins) {
  }

  /** PEM certificate chain and private key for TLS on the gateway port. */
  public record Tls(String certPath, String keyPath) {
  }

  /** A virtual key until the key store exists; {@code key} may be {@code os.environ/NAME}. */
  public record Key(String key, String alias, String customerId) {
    @Override
    public String toString() {
      return "Key[" + alias + ", customer " + customerId + "]";
    }
  }

  /** The checks that need no environment. */
  public void validate(Problems problems, String path) {
    if (port != null && (port < 0 || port > 65535)) {
      problems.error(path + ".port", "must be a port number (0-65535)");
    }
    atLeastOne(problems, path + ".max_request_body_mb", maxRequestBodyMb);
    atLeastOne(problems, path + ".upstream_timeout_s", upstreamTimeoutS);
    atLeastOne(problems, path + ".idle_timeout_s", idleTimeoutS);
    atLeastOne(problems, path + ".request_read_timeout_s", requestReadTimeoutS);
    atLeastOne(problems, path + ".stream_idle_timeout_s", streamIdleTimeoutS);
    if (handoff.fsync() != null && !Handoff.POLICIES.contains(handoff.fsync().trim().toLowerCase(java.util.Locale.ROOT))) {
      problems.error(path + ".handoff.fsync", "must be one of group, interval_ms, none");
    }
    atLeastOne(problems, path + ".handoff.fsync_interval_ms", handoff.fsyncIntervalMs());
    atLeastOne(problems, path + ".handoff.segment_mb", handoff.segmentMb());
    atLeastOne(problems, path + ".handoff.memory_mb", handoff.memoryMb());
    if (handoff.backlogLimitMb() != null && handoff.backlogLimitMb() < 0) {
      problems.error(path + ".handoff.backlog_limit_mb", "must be 0 (no limit) or more");
    }
    if (tls != null && (blank(tls.certPath()) || blank(tls.keyPath()))) {
      problems.error(path + ".tls", "needs both cert_path and key_path");
    }
    if (cors != null && cors.allowedOrigins() != null && cors.allowedOrigins().isEmpty()) {
      problems.error(path + ".cors.allowed_origins", "must name at least one origin (\"*\" = any)");
    }
    for (int i = 0; i < keys.size(); i++) {
      if (blank(keys.get(i).key())) {
        problems.error(path + ".keys[" + i + "].key", "is required");
      }
    }
  }

  private static void atLeastOne(Problems problems, String path, Integer value) {
    if (value != null && value < 1) {
      problems.error(path, "must be at least 1");
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
