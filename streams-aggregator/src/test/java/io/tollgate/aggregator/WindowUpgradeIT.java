package io.tollgate.aggregator;

import io.tollgate.aggregator.topology.AggregatorSettings;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.metrics.MetricsRegistry;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An aggregator whose windows were the DSL's windowed aggregations (the default), switched in place
 * (same application id, same state directory) to {@code SpendWindowTotals}: the open windows' totals
 * carry over from the same stores, so the 1 h and 1 d windows that span the upgrade stay exact.
 * (Had the new build started them from zero, its totals would carry a lower version than the old
 * build's last ones and miss half the spend: FINAL would keep a wrong one either way.)
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class WindowUpgradeIT {

  @Test
  void windowsOpenAtTheUpgradeKeepTheirTotals(KafkaCluster kafka, ClickHouseTestDatabase db, @TempDir Path state)
      throws Exception {
    String bootstrap = kafka.bootstrapServers();
    UsageLoad load = new UsageLoad(23, 4_000, 2 * 3_600_000L, "upgrade");
    String appId = "window-upgrade-" + UUID.randomUUID();
    AggregatorSettings after = AggregatorConfig.defaults().topology().withWindowWriteBack(true);

    load.produce(bootstrap, 0, load.events.size() / 2);
    try (AggregatorApp before = AggregatorApp.start(bootstrap, appId, state, db.client(), Map.of(),
        new MetricsRegistry(), AggregatorConfig.defaults(), after.withWindowWriteBack(false))) {
      Drain.await(bootstrap, appId, List.of(Topics.USAGE.name()), Duration.ofMinutes(2));
      Drain.await(bootstrap, appId, Drain.repartitionTopics(bootstrap, appId), Duration.ofMinutes(2));
    } // a clean stop: everything committed

    load.produce(bootstrap, load.events.size() / 2, load.events.size());
    try (AggregatorApp upgraded = AggregatorApp.start(bootstrap, appId, state, db.client(), Map.of(),
        new MetricsRegistry(), AggregatorConfig.defaults(), after)) {
      AggregatorIT.assertExact(db.client(), load, "upgrade");
    }
  }
}
