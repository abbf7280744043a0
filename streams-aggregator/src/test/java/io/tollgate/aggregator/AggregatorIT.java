package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Usage events through real Kafka Streams (exactly-once) into a real ClickHouse, totals exact. */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
class AggregatorIT {

  /** Waits until every table holds exactly the load's totals (for its customers), then checks each. */
  static void assertExact(ClickHouseClient ch, UsageLoad load, String tag) throws InterruptedException {
    String mine = " FINAL WHERE customer_id LIKE '" + tag + "-%'";
    String[] sums = {"SELECT sum(cost_nanos) FROM spend_1d" + mine, "SELECT sum(cost_nanos) FROM spend_1h" + mine,
        "SELECT sum(cost_nanos) FROM spend_1m" + mine, "SELECT sum(cost_nanos) FROM usage_events" + mine};
    long deadline = System.nanoTime() + 150_000_000_000L;
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (String sql : sums) {
        all &= ch.queryLong(sql) == load.totalCost;
      }
      if (all && ch.queryLong("SELECT count() FROM usage_events" + mine) == load.events.size()) {
        break;
      }
      Thread.sleep(500);
    }
    for (String sql : sums) {
      assertThat(ch.queryLong(sql)).as(sql).isEqualTo(load.totalCost);
    }
    assertThat(ch.queryLong("SELECT count() FROM usage_events" + mine)).isEqualTo(load.events.size());
    assertThat(ch.queryLong("SELECT sum(requests) FROM spend_1d" + mine)).isEqualTo(load.events.size());
    for (Map.Entry<String, Long> c : load.costByCustomer.entrySet()) {
      assertThat(ch.queryLong("SELECT sum(cost_nanos) FROM spend_1d FINAL WHERE customer_id = '" + c.getKey() + "'"))
          .as(c.getKey()).isEqualTo(c.getValue());
    }
  }

  @Test
  void totalsInClickHouseEqualTheIndependentlyComputedOnesDespiteDuplicates(KafkaCluster kafka,
                                                                           ClickHouseTestDatabase db) throws Exception {
    // Three hours of traffic consumed as one backlog, as after an outage: the input partitions
    // drift apart in event time by far more than minutes, and every minute window must stay exact.
    UsageLoad load = new UsageLoad(11, 100_000, 3 * 3_600_000L, "exact");
    assertThat(load.produce(kafka.bootstrapServers(), 0, load.events.size())).as("duplicates sent").isPositive();
    try (AggregatorApp app = AggregatorApp.start(kafka.bootstrapServers(), "agg-it-" + UUID.randomUUID(),
        Files.createTempDirectory("agg-it-state"), db.client())) {
      assertExact(db.client(), load, "exact");
    }
  }

  /**
   * The same backlog through {@code SpendWindowTotals} (not the default yet) with room for only 8
   * open windows per task between commits: almost every sum
   * overflows it, so windows written at an earlier commit are forgotten and read back, and changed
   * ones are written and emitted before the commit (SpendWindowTotals' eviction) — every total exact.
   * (With Kafka Streams' commit between records, as TopologyTestDriver does, this path never runs.)
   */
  @Test
  void windowsStayExactWhenTheOpenWindowsOverflow(KafkaCluster kafka, ClickHouseTestDatabase db) throws Exception {
    UsageLoad load = new UsageLoad(12, 20_000, 3 * 3_600_000L, "bounded");
    load.produce(kafka.bootstrapServers(), 0, load.events.size());
    try (AggregatorApp app = AggregatorApp.start(kafka.bootstrapServers(), "agg-it-" + UUID.randomUUID(),
        Files.createTempDirectory("agg-it-state"), db.client(), Map.of(),
        new io.tollgate.schemas.metrics.MetricsRegistry(), AggregatorConfig.defaults(),
        AggregatorConfig.defaults().topology().withWindowWriteBack(true).withWindowOpenLimit(8))) {
      assertExact(db.client(), load, "bounded");
    }
  }
}
