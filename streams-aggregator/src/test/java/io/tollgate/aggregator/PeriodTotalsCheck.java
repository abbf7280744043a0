package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads {@code tollgate.spend-totals.v1} as ingress does (read_committed, newest record per key)
 * until the budget-period totals of a load are exactly the independently computed ones.
 */
final class PeriodTotalsCheck {
  private PeriodTotalsCheck() {
  }

  static void assertExact(String bootstrap, UsageLoad load) {
    assertThat(load.costByPeriod).as("the load names budget periods").isNotEmpty();
    Map<String, SpendTotal> latest = new HashMap<>();
    try (KafkaConsumer<String, SpendTotal> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "group.id", "period-check-" + UUID.randomUUID(), "isolation.level", "read_committed",
        "auto.offset.reset", "earliest", "enable.auto.commit", false), new StringDeserializer(),
        TollgateSerdes.spendTotal().deserializer())) {
      consumer.subscribe(List.of(Topics.SPEND_TOTALS.name()));
      long deadline = System.nanoTime() + 150_000_000_000L;
      while (System.nanoTime() < deadline && !matches(load, latest)) {
        for (ConsumerRecord<String, SpendTotal> r : consumer.poll(Duration.ofMillis(500))) {
          if (load.costByPeriod.containsKey(r.key())) {
            SpendTotal before = latest.get(r.key());
            assertThat(before == null || r.value() == null || r.value().getVersion() > before.getVersion())
                .as("versions only grow on " + r.key()).isTrue();
            latest.put(r.key(), r.value());
          }
        }
      }
    }
    for (Map.Entry<String, Long> e : load.costByPeriod.entrySet()) {
      SpendTotal t = latest.get(e.getKey());
      assertThat(t).as(e.getKey()).isNotNull();
      assertThat(t.getCostNanos()).as("cost of " + e.getKey()).isEqualTo(e.getValue());
      assertThat(t.getRequests()).as("calls of " + e.getKey()).isEqualTo(load.requestsByPeriod.get(e.getKey()));
      assertThat(t.getByGateway()).as("per gateway of " + e.getKey())
          .containsExactlyInAnyOrderEntriesOf(load.gatewaysByPeriod.get(e.getKey()));
    }
  }

  /**
   * Reads the newest total of every key in {@code cost} until each has that cost and the calls in
   * {@code requests} (day totals: tag, key or customer), then asserts them.
   */
  static void assertTotals(String bootstrap, Map<String, Long> cost, Map<String, Long> requests) {
    assertThat(cost).as("expected totals").isNotEmpty();
    Map<String, SpendTotal> latest = new HashMap<>();
    try (KafkaConsumer<String, SpendTotal> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "group.id", "totals-check-" + UUID.randomUUID(), "isolation.level", "read_committed",
        "auto.offset.reset", "earliest", "enable.auto.commit", false), new StringDeserializer(),
        TollgateSerdes.spendTotal().deserializer())) {
      consumer.subscribe(List.of(Topics.SPEND_TOTALS.name()));
      long deadline = System.nanoTime() + 150_000_000_000L;
      while (System.nanoTime() < deadline && !cost.entrySet().stream().allMatch(e -> latest.get(e.getKey()) != null
          && latest.get(e.getKey()).getCostNanos() == e.getValue()
          && latest.get(e.getKey()).getRequests() == requests.get(e.getKey()))) {
        for (ConsumerRecord<String, SpendTotal> r : consumer.poll(Duration.ofMillis(500))) {
          if (cost.containsKey(r.key())) {
            SpendTotal before = latest.get(r.key());
            assertThat(before == null || r.value().getVersion() > before.getVersion())
                .as("versions only grow on " + r.key()).isTrue();
            latest.put(r.key(), r.value());
          }
        }
      }
    }
    for (Map.Entry<String, Long> e : cost.entrySet()) {
      SpendTotal t = latest.get(e.getKey());
      assertThat(t).as(e.getKey()).isNotNull();
      assertThat(t.getCostNanos()).as("cost of " + e.getKey()).isEqualTo(e.getValue());
      assertThat(t.getRequests()).as("calls of " + e.getKey()).isEqualTo(requests.get(e.getKey()));
    }
  }

  private static boolean matches(UsageLoad load, Map<String, SpendTotal> latest) {
    for (Map.Entry<String, Long> e : load.costByPeriod.entrySet()) {
      SpendTotal t = latest.get(e.getKey());
      if (t == null || t.getCostNanos() != e.getValue() || !t.getByGateway().equals(load.gatewaysByPeriod.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
