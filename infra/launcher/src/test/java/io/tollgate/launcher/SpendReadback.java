package io.tollgate.launcher;

import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads back what the pipeline recorded — the usage topic and the ClickHouse tables — as {@link Totals}. */
final class SpendReadback {
  private SpendReadback() {
  }

  /** Every usage event on the topic, summed. */
  record TopicContent(int events, int distinctEventIds, Map<String, Totals> byKey, Map<String, Long> byGateway) {
  }

  /** Reads {@code tollgate.usage.v1} from the beginning to its current end, {@code read_committed}. */
  static TopicContent usageTopic(String bootstrap) {
    Map<String, Totals> byKey = new TreeMap<>();
    Map<String, Long> byGateway = new TreeMap<>();
    Set<String> ids = new HashSet<>();
    int events = 0;
    try (KafkaConsumer<String, UsageEvent> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "isolation.level", "read_committed", "enable.auto.commit", false), new StringDeserializer(),
        TollgateSerdes.usageEvent())) {
      List<TopicPartition> partitions = consumer.partitionsFor(Topics.USAGE.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, UsageEvent> r : consumer.poll(Duration.ofMillis(500))) {
          UsageEvent e = r.value();
          events++;
          ids.add(e.getEventId());
          byKey.merge(Totals.key(e.getCustomerId(), e.getModelRequested(), e.getTool()),
              new Totals(1, e.getInputTokens(), e.getOutputTokens(), e.getCostNanos()), Totals::plus);
          byGateway.merge(e.getGatewayId(), 1L, Long::sum);
        }
      }
    }
    return new TopicContent(events, ids.size(), byKey, byGateway);
  }

  /** {@code usage_events} or a {@code spend_*} table through FINAL, summed per (customer, model, tool). */
  static Map<String, Totals> table(ClickHouseClient ch, String table) {
    String sums = table.equals("usage_events")
        ? "model_requested AS m, toInt64(count()) AS n, "
        : "model AS m, toInt64(sum(requests)) AS n, ";
    String sql = "SELECT customer_id AS c, " + sums + "tool AS t, toInt64(sum(input_tokens)) AS i, "
        + "toInt64(sum(output_tokens)) AS o, toInt64(sum(cost_nanos)) AS cost FROM " + table + " FINAL GROUP BY c, m, t";
    Map<String, Totals> byKey = new TreeMap<>();
    for (Map<String, Object> row : ch.query(sql)) {
      byKey.put(Totals.key((String) row.get("c"), (String) row.get("m"), (String) row.get("t")),
          new Totals(number(row, "n"), number(row, "i"), number(row, "o"), number(row, "cost")));
    }
    return byKey;
  }

  /** Rows of {@code usage_events} per gateway id, through FINAL. */
  static Map<String, Long> gateways(ClickHouseClient ch) {
    Map<String, Long> byGateway = new TreeMap<>();
    for (Map<String, Object> row : ch.query("SELECT gateway_id AS g, toInt64(count()) AS n FROM usage_events FINAL GROUP BY g")) {
      byGateway.put((String) row.get("g"), number(row, "n"));
    }
    return byGateway;
  }

  static Map<String, Totals> perCustomer(Map<String, Totals> byKey) {
    Map<String, Totals> byCustomer = new TreeMap<>();
    byKey.forEach((key, totals) -> byCustomer.merge(Totals.customerOf(key), totals, Totals::plus));
    return byCustomer;
  }

  static Totals total(Map<String, Totals> byKey) {
    return byKey.values().stream().reduce(Totals.ZERO, Totals::plus);
  }

  private static long number(Map<String, Object> row, String column) {
    return ((Number) row.get(column)).longValue();
  }
}
