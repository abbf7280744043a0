package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Usage events through real Kafka Streams (exactly-once) into a real ClickHouse, totals exact. */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
class AggregatorIT {
  private static final int EVENTS = 20_000;

  @Test
  void totalsInClickHouseEqualTheIndependentlyComputedOnesDespiteDuplicates(KafkaCluster kafka,
                                                                           ClickHouseTestDatabase db) throws Exception {
    Random random = new Random(11);
    Instant base = Instant.parse("2026-11-24T08:00:00Z");
    String[] customers = {"acme", "globex", "initech", "umbrella"};
    String[] models = {"claude-sonnet-4-5", "gpt-5", "claude-haiku-4-5"};
    String[] tools = {"claude-code", "codex", "curl"};
    Map<String, Long> expectedByCustomer = new HashMap<>();
    long expectedTotal = 0;
    List<UsageEvent> unique = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      String customer = customers[random.nextInt(customers.length)];
      long cost = 1 + random.nextInt(50_000_000);
      UsageEvent e = UsageEvent.newBuilder().setEventId(UUID.randomUUID().toString())
          // Three hours of traffic in time order, with up to 5 s of disorder. The whole backlog is
          // consumed at once, as after an outage, so the input partitions drift apart in event time
          // by far more than minutes: every minute window must still be exact (long grace).
          .setTs(base.plusMillis(i * (3 * 3_600_000L / EVENTS) + random.nextInt(5_000))).setDurationMs(5).setTtftMs(null).setGatewayId("gw")
          .setKeyHash("k-" + customer).setKeyAlias(null).setCustomerId(customer).setCustomerSource("header_customer_id")
          .setTool(tools[random.nextInt(tools.length)]).setToolVersion(null).setUserAgent(null).setSessionId(null)
          .setProvider("anthropic").setApi("messages").setModelRequested(models[random.nextInt(models.length)])
          .setModel(null).setStatusCode(200).setErrorType(null).setInputTokens(random.nextInt(5000))
          .setOutputTokens(random.nextInt(900)).setCostNanos(cost).setPriceKnown(true).setUpstreamRequestId(null).build();
      unique.add(e);
      expectedByCustomer.merge(customer, cost, Long::sum);
      expectedTotal += cost;
    }
    try (KafkaProducer<String, UsageEvent> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers(), "acks", "all", "linger.ms", 5), new StringSerializer(), TollgateSerdes.usageEvent())) {
      int duplicates = 0;
      for (UsageEvent e : unique) {
        producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
        if (random.nextInt(100) == 0) { // 1 % sent twice, as a retry or spill replay would
          producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
          duplicates++;
        }
      }
      producer.flush();
      assertThat(duplicates).isPositive();
    }

    try (AggregatorApp app = AggregatorApp.start(kafka.bootstrapServers(), "agg-it-" + UUID.randomUUID(),
        Files.createTempDirectory("agg-it-state"), db.client())) {
      long deadline = System.nanoTime() + 120_000_000_000L;
      long inDay = -1;
      while (System.nanoTime() < deadline) {
        inDay = db.client().queryLong("SELECT sum(cost_nanos) FROM spend_1d FINAL");
        long inHours = db.client().queryLong("SELECT sum(cost_nanos) FROM spend_1h FINAL");
        long inMinutes = db.client().queryLong("SELECT sum(cost_nanos) FROM spend_1m FINAL");
        long logged = db.client().queryLong("SELECT count() FROM usage_events FINAL");
        if (inDay == expectedTotal && inHours == expectedTotal && inMinutes == expectedTotal && logged == EVENTS) {
          break;
        }
        Thread.sleep(500);
      }
      assertThat(inDay).isEqualTo(expectedTotal);
      assertThat(db.client().queryLong("SELECT count() FROM usage_events FINAL")).isEqualTo(EVENTS);
      assertThat(db.client().queryLong("SELECT sum(cost_nanos) FROM usage_events FINAL")).isEqualTo(expectedTotal);
      assertThat(db.client().queryLong("SELECT sum(cost_nanos) FROM spend_1h FINAL")).isEqualTo(expectedTotal);
      assertThat(db.client().queryLong("SELECT sum(cost_nanos) FROM spend_1m FINAL")).isEqualTo(expectedTotal);
      assertThat(db.client().queryLong("SELECT sum(requests) FROM spend_1d FINAL")).isEqualTo(EVENTS);
      for (Map.Entry<String, Long> c : expectedByCustomer.entrySet()) {
        assertThat(db.client().queryLong("SELECT sum(cost_nanos) FROM spend_1d FINAL WHERE customer_id = '"
            + c.getKey() + "'")).as(c.getKey()).isEqualTo(c.getValue());
      }
    }
  }
}
