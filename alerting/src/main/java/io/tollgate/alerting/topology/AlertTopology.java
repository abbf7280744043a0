package io.tollgate.alerting.topology;

import io.tollgate.alerting.rules.AnomalyRule;
import io.tollgate.alerting.rules.CacheBreakRule;
import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.Scope;
import io.tollgate.alerting.rules.ThresholdRule;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The alerting topology, pure: running spend totals → threshold and anomaly rules → {@code
 * tollgate.alerts.v1} (key = deterministic alert id). Cache-break rules ride along in the branch of
 * their scope; minute windows enter a branch only when one of its cache-break rules reads them.
 *
 * <p>One branch per scope in use. Customer, model, tool and global scopes read {@code
 * tollgate.spend-windows.v1}; the key and tag scopes read the per-key and per-tag day totals of
 * {@code tollgate.spend-totals.v1} (windows carry neither). Each branch re-keys its input by scope id and
 * repartitions, so every total of one customer (or key, model, tool) meets in one task whatever
 * partition it was written to — which is what makes period sums and baselines right on any number
 * of instances.
 */
public final class AlertTopology {
  private AlertTopology() {
  }

  /** With serdes that read only the shipped schema history (tests). */
  public static Topology buildTopology(List<ThresholdRule> thresholds, List<AnomalyRule> anomalies) {
    return buildTopology(thresholds, anomalies, List.of());
  }

  /** With cache-break rules, and serdes that read only the shipped schema history (tests). */
  public static Topology buildTopology(List<ThresholdRule> thresholds, List<AnomalyRule> anomalies,
                                       List<CacheBreakRule> cacheBreaks) {
    return buildTopology(thresholds, anomalies, cacheBreaks, TollgateSerdes.spendWindow(), TollgateSerdes.spendTotal());
  }

  /** Without cache-break rules. */
  public static Topology buildTopology(List<ThresholdRule> thresholds, List<AnomalyRule> anomalies,
                                       AvroSerde<SpendWindow> windowSerde, AvroSerde<SpendTotal> totalSerde) {
    return buildTopology(thresholds, anomalies, List.of(), windowSerde, totalSerde);
  }

  /**
   * @param windowSerde reads spend windows — from the topic and from the repartition topics, which a
   *                    newer instance may have written during a rolling upgrade; the app passes one
   *                    backed by the schema topic
   * @param totalSerde  likewise for the day totals
   */
  public static Topology buildTopology(List<ThresholdRule> thresholds, List<AnomalyRule> anomalies,
                                       List<CacheBreakRule> cacheBreaks, AvroSerde<SpendWindow> windowSerde,
                                       AvroSerde<SpendTotal> totalSerde) {
    Objects.requireNonNull(windowSerde, "windowSerde");
    Objects.requireNonNull(totalSerde, "totalSerde");
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, SpendWindow> windows = null;
    KStream<String, SpendTotal> totals = null;
    for (Scope scope : Scope.values()) {
      List<ThresholdRule> t = thresholds.stream().filter(r -> r.scope() == scope).toList();
      List<AnomalyRule> a = anomalies.stream().filter(r -> r.scope() == scope).toList();
      List<CacheBreakRule> c = cacheBreaks.stream().filter(r -> r.scope() == scope).toList();
      if (t.isEmpty() && a.isEmpty() && c.isEmpty()) {
        continue;
      }
      boolean minutes = c.stream().anyMatch(r -> r.window() == Period.MINUTE);
      String suffix = "-" + scope.name().toLowerCase(Locale.ROOT);
      for (String store : ScopeProcessor.STORES) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store + suffix),
            Serdes.String(), Serdes.String()).withCachingDisabled());
      }
      KStream<String, SpendUpdate> updates;
      if (scope.fromTotals()) {
        if (totals == null) {
          totals = builder.stream(Topics.SPEND_TOTALS.name(),
              Consumed.with(Serdes.String(), totalSerde).withName("totals"));
        }
        updates = totals.filter((k, v) -> v != null && SpendUpdate.of(scope, v) != null, Named.as("has" + suffix))
            .selectKey((k, v) -> v.getScopeId(), Named.as("key" + suffix))
            .repartition(Repartitioned.with(Serdes.String(), totalSerde).withName("by" + suffix))
            .mapValues(v -> SpendUpdate.of(scope, v), Named.as("update" + suffix));
      } else {
        if (windows == null) {
          windows = builder.stream(Topics.SPEND_WINDOWS.name(),
              Consumed.with(Serdes.String(), windowSerde).withName("windows"));
        }
        updates = windows.filter((k, w) -> w != null && SpendUpdate.of(scope, w) != null
                && (minutes || !w.getWindowSize().equals("1m")), Named.as("has" + suffix))
            .selectKey((k, w) -> SpendUpdate.scopeId(scope, w), Named.as("key" + suffix))
            .repartition(Repartitioned.with(Serdes.String(), windowSerde).withName("by" + suffix))
            .mapValues(w -> SpendUpdate.of(scope, w), Named.as("update" + suffix));
      }
      updates.process(() -> new ScopeProcessor(t, a, c, suffix), Named.as("rules" + suffix),
              ScopeProcessor.STORES.stream().map(s -> s + suffix).toArray(String[]::new))
          .to(Topics.ALERTS.name(), Produced.with(Serdes.String(), TollgateSerdes.alert()).withName("alerts" + suffix));
    }
    return builder.build();
  }
}
