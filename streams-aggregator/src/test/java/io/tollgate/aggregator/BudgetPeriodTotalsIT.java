package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.BudgetPeriodRef;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.metrics.MetricsRegistry;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Budget-period totals (issue 12) through real Kafka Streams (exactly-once): every period's cost,
 * calls and spend per gateway equal the independently computed ones despite duplicates, and
 * entries the aggregator must not keep are skipped and counted while the stream goes on.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
class BudgetPeriodTotalsIT {

  @Test
  void periodTotalsAreExactAndInvalidEntriesAreCounted(KafkaCluster kafka, ClickHouseTestDatabase db) throws Exception {
    String tag = "periods-" + UUID.randomUUID().toString().substring(0, 8);
    UsageLoad load = new UsageLoad(41, 5_000, 3 * 3_600_000L, tag, 4);
    produceInvalid(kafka.bootstrapServers(), tag);
    assertThat(load.produce(kafka.bootstrapServers(), 0, load.events.size())).as("duplicates sent").isPositive();
    MetricsRegistry metrics = new MetricsRegistry();
    try (AggregatorApp app = AggregatorApp.start(kafka.bootstrapServers(), "periods-it-" + UUID.randomUUID(),
        Files.createTempDirectory("periods-it-state"), db.client(), Map.of(), metrics)) {
      PeriodTotalsCheck.assertExact(kafka.bootstrapServers(), load);
      Map<String, Long> expected = Map.of("scope", 1L, "scope_id", 1L, "duration", 1L, "period_start", 1L,
          "too_many", 2L);
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!skipped(metrics).equals(expected) && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertThat(skipped(metrics)).isEqualTo(expected);
      assertThat(app.healthy()).isTrue();
    }
  }

  /** One event per bad entry kind, and one with 10 entries (8 are kept). */
  private static void produceInvalid(String bootstrap, String tag) {
    Instant ts = Instant.parse("2026-11-24T08:30:00Z");
    Instant hour = Instant.parse("2026-11-24T08:00:00Z");
    List<List<BudgetPeriodRef>> bad = new ArrayList<>(List.of(
        List.of(ref("org", tag, "1h", hour)), List.of(ref("key", "x".repeat(300), "1h", hour)),
        List.of(ref("key", tag, "1 hour", hour)), List.of(ref("key", tag, "1h", Instant.parse("2020-01-01T00:00:00Z")))));
    List<BudgetPeriodRef> many = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      many.add(ref("customer", tag + "-many-" + i, "", Instant.EPOCH));
    }
    bad.add(many);
    try (KafkaProducer<String, UsageEvent> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap,
        "acks", "all"), new StringSerializer(), TollgateSerdes.usageEvent())) {
      for (List<BudgetPeriodRef> periods : bad) {
        UsageEvent e = UsageEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setTs(ts).setDurationMs(5)
            .setTtftMs(null).setGatewayId("gw-bad").setKeyHash(null).setKeyAlias(null).setCustomerId(null)
            .setCustomerSource("none").setTool("curl").setToolVersion(null).setUserAgent(null).setSessionId(null)
            .setProvider("anthropic").setApi("messages").setModelRequested("m").setModel(null).setStatusCode(200)
            .setErrorType(null).setInputTokens(1).setOutputTokens(1).setCostNanos(1).setPriceKnown(true)
            .setUpstreamRequestId(null).setBudgetPeriods(periods).build();
        producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
      }
      producer.flush();
    }
  }

  private static BudgetPeriodRef ref(String scope, String id, String duration, Instant start) {
    return BudgetPeriodRef.newBuilder().setScope(scope).setScopeId(id).setDuration(duration).setPeriodStart(start)
        .build();
  }

  private static final Pattern SKIPPED = Pattern.compile(
      "^tollgate_budget_periods_skipped_total\\{reason=\"([a-z_]+)\"} ([0-9.eE+]+)$", Pattern.MULTILINE);

  private static Map<String, Long> skipped(MetricsRegistry metrics) {
    Map<String, Long> out = new java.util.TreeMap<>();
    Matcher m = SKIPPED.matcher(metrics.scrape());
    while (m.find()) {
      out.put(m.group(1), (long) Double.parseDouble(m.group(2)));
    }
    return out;
  }
}
