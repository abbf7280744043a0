package io.tollgate.alerting.topology;

import io.tollgate.alerting.rules.Scope;
import io.tollgate.alerting.rules.ThresholdRule;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The alerting topology, pure: {@code tollgate.spend-windows.v1} → threshold rules → {@code
 * tollgate.alerts.v1} (key = deterministic alert id). Window keys start with size and window
 * start, not the scope, so all rules see all windows of one partition; each instance keeps the
 * spend of the scopes whose windows it owns — scale-out needs a repartition by scope first (noted
 * for the alerting issue). Anomaly rules join here next.
 */
public final class AlertTopology {
  private AlertTopology() {
  }

  public static Topology buildTopology(List<ThresholdRule> thresholds) {
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, SpendWindow> windows = builder.stream(Topics.SPEND_WINDOWS.name(),
        Consumed.with(Serdes.String(), TollgateSerdes.spendWindow()).withName("windows"));
    Map<Scope, List<ThresholdRule>> byScope = new EnumMap<>(Scope.class);
    thresholds.forEach(r -> byScope.computeIfAbsent(r.scope(), s -> new ArrayList<>()).add(r));
    for (Map.Entry<Scope, List<ThresholdRule>> entry : byScope.entrySet()) {
      Scope scope = entry.getKey();
      if (scope == Scope.KEY) {
        continue; // window totals carry no key; key budgets are the gateway's (spend-totals)
      }
      String suffix = "-" + scope.name().toLowerCase();
      builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ThresholdProcessor.WINDOWS + suffix),
          Serdes.String(), Serdes.String()).withCachingDisabled());
      for (String store : List.of(ThresholdProcessor.SPEND, ThresholdProcessor.FIRED)) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store + suffix),
            Serdes.String(), Serdes.Long()).withCachingDisabled());
      }
      List<ThresholdRule> rules = List.copyOf(entry.getValue());
      // All windows of one scope id must meet in one task, whatever partition they were written to.
      windows.filter((k, w) -> w != null && ThresholdProcessor.scopeId(scope, w) != null, Named.as("has" + suffix))
          .selectKey((k, w) -> ThresholdProcessor.scopeId(scope, w), Named.as("key" + suffix))
          .repartition(Repartitioned.with(Serdes.String(), TollgateSerdes.spendWindow()).withName("by" + suffix))
          .process(() -> new ThresholdProcessor(rules, suffix), Named.as("thresholds" + suffix),
              ThresholdProcessor.WINDOWS + suffix, ThresholdProcessor.SPEND + suffix, ThresholdProcessor.FIRED + suffix)
          .to(Topics.ALERTS.name(), Produced.with(Serdes.String(), TollgateSerdes.alert()).withName("alerts" + suffix));
    }
    return builder.build();
  }
}
