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
 * @param clickhouse            where the gateway's spend API reads the spend log
 * @param budgets               budget enforcement on the gateway
 * @param rateLimits            how the gateway enforces rpm/tpm/parallel limits (docs/rate-limits.md)
 * @param aggregator            the aggregator's ClickHouse sink and retention
 * @param reconciliation        the reconciler's comparison with the providers' cost reports (null = off)
 */
public record TollgateSection(Integer port, String host, String gatewayId, Kafka kafka, String spillDir,
                              Integer maxRequestBodyMb, Integer upstreamTimeoutS, Integer idleTimeoutS,
                              Integer requestReadTimeoutS, Integer streamIdleTimeoutS, Cors cors, Tls tls,
                              List<Key> keys, AlertsSection alerts, Handoff handoff, ClickHouse clickhouse, Budgets budgets,
                              RateLimits rateLimits, Aggregator aggregator, ReconciliationSection reconciliation) {
  static final TollgateSection EMPTY = new TollgateSection(null, null, null, null, null, null, null, null, null, null,
      null, null, null, null, null, null, null, null, null, null);

  public TollgateSection {
    kafka = kafka == null ? new Kafka(null, null) : kafka;
    keys = ConfigTree.list(keys);
    handoff = handoff == null ? new Handoff(null, null, null, null, null, null) : handoff;
    clickhouse = clickhouse == null ? new ClickHouse(null, null) : clickhouse;
    budgets = budgets == null ? new Budgets(null, null, null, null, null) : budgets;
    rateLimits = rateLimits == null ? new RateLimits(null, null) : rateLimits;
    aggregator = aggregator == null ? new Aggregator(null, null, null, null, null) : aggregator;
  }

  /**
   * @param url      ClickHouse HTTP(S) URL ({@code CLICKHOUSE_URL} wins); user and password come from
   *                 {@code CLICKHOUSE_USER} / {@code CLICKHOUSE_PASSWORD}
   * @param database the Tollgate database (default {@code tollgate})
   */
  public record ClickHouse(String url, String database) {
  }

  /**
   * @param instances        gateway instances behind the load balancer: each enforces
   *                         {@code ceil(limit / instances)} of every rpm, tpm and parallel limit
   * @param maxTrackedScopes keys, teams and customers with rate-limit state at once; beyond, they share one entry per kind
   */
  public record RateLimits(Integer instances, Integer maxTrackedScopes) {
  }

  /**
   * {@code tollgate.aggregator}; defaults and range checks are the aggregator's ({@code AggregatorConfig}).
   *
   * @param sinkBatchRows        rows the ClickHouse sink collects before an insert
   * @param sinkFlushIntervalMs  longest a row waits in the sink before an insert
   * @param usageRetentionMonths calendar months of {@code usage_events} kept (0 = forever)
   * @param preAggregateMs       how often per-partition sums go downstream (0 = per event, the old topology)
   * @param commitIntervalMs     longest time between exactly-once commits (a backlog's; caught up, the
   *                             pre-aggregated topology commits after every flush)
   */
  public record Aggregator(Integer sinkBatchRows, Integer sinkFlushIntervalMs, Integer usageRetentionMonths,
                           Integer preAggregateMs, Integer commitIntervalMs) {
  }

  /**
   * {@code tollgate.budgets}.
   *
   * @param enabled                false: budgets are not enforced (calls still count against their periods)
   * @param onStaleTotals          {@code open} (default: decide on this gateway's own view) or {@code closed}
   *                               (refuse calls that have a budget) while the spend totals are stale
   * @param maxStalenessS          totals older than this many seconds are stale (default 60)
   * @param softBudgetChannels     alert channels for soft_budget crossings (default [log])
   * @param defaultMaxOutputTokens reserved output for a request without max_tokens on a model whose
   *                               maximum output the price table does not know
   */
  public record Budgets(Boolean enabled, String onStaleTotals, Integer maxStalenessS, List<String> softBudgetChannels,
                        Integer defaultMaxOutputTokens) {
    static final java.util.Set<String> MODES = java.util.Set.of("open", "closed");
    static final java.util.Set<String> CHANNELS = java.util.Set.of("slack", "email", "log");
  }

  /**
   * @param fsync           {@code group} (default: fdatasync per group commit, before the answer ends),
   *                        {@code interval_ms} (every {@code fsync_interval_ms}) or {@code none}
   * @param fsyncIntervalMs for {@code interval_ms}
   * @param segmentMb       size at which a segment file is rolled
   * @param memoryMb        unacknowledged events kept in memory; beyond, they are read back from disk
   * @param backlogLimitMb  readiness fails once this much waits for Kafka (0 = never)
   * @param preallocate     zero-fill and force each segment ahead of use (default true), so an
   *                        fsync flushes only data; false for copy-on-write filesystems (ZFS,
   *                        btrfs), where writing over zeros allocates anew anyway
   */
  public record Handoff(String fsync, Integer fsyncIntervalMs, Integer segmentMb, Integer memoryMb,
                        Integer backlogLimitMb, Boolean preallocate) {
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
    atLeastOne(problems, path + ".rate_limits.instances", rateLimits.instances());
    atLeastOne(problems, path + ".rate_limits.max_tracked_scopes", rateLimits.maxTrackedScopes());
    atLeastOne(problems, path + ".handoff.segment_mb", handoff.segmentMb());
    atLeastOne(problems, path + ".handoff.memory_mb", handoff.memoryMb());
    if (handoff.backlogLimitMb() != null && handoff.backlogLimitMb() < 0) {
      problems.error(path + ".handoff.backlog_limit_mb", "must be 0 (no limit) or more");
    }
    if (budgets.onStaleTotals() != null
        && !Budgets.MODES.contains(budgets.onStaleTotals().trim().toLowerCase(java.util.Locale.ROOT))) {
      problems.error(path + ".budgets.on_stale_totals", "must be open or closed");
    }
    atLeastOne(problems, path + ".budgets.max_staleness_s", budgets.maxStalenessS());
    atLeastOne(problems, path + ".budgets.default_max_output_tokens", budgets.defaultMaxOutputTokens());
    if (budgets.softBudgetChannels() != null) {
      for (String c : budgets.softBudgetChannels()) {
        if (c == null || !Budgets.CHANNELS.contains(c)) {
          problems.error(path + ".budgets.soft_budget_channels", "'" + c + "' is not a channel (slack, email, log)");
        }
      }
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
