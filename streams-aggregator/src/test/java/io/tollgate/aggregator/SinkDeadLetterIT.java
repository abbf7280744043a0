package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.metrics.MetricsRegistry;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A row the real ClickHouse can never take (a negative count for a UInt64 column: ClickHouse's
 * own RowBinary writer refuses it) no longer stalls the sink: it lands on
 * {@code tollgate.sink.dlq.v1} with its error, is counted, and every other row is written.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
class SinkDeadLetterIT {

  @Test
  void aPermanentlyRefusedRowIsDeadLetteredAndTheOthersAreWritten(KafkaCluster kafka, ClickHouseTestDatabase db)
      throws Exception {
    String tag = "dlq-" + UUID.randomUUID().toString().substring(0, 8);
    TollgateSerdes.usageEvent(); // a serde first: it tells Avro to trust Tollgate's records (builder defaults need that)
    UsageEvent bad = event(tag + "-bad", -5);
    try (KafkaProducer<String, UsageEvent> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers(), "acks", "all"), new StringSerializer(), TollgateSerdes.usageEvent())) {
      for (int i = 0; i < 20; i++) {
        UsageEvent e = i == 7 ? bad : event(tag + "-good", 100);
        producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
      }
      producer.flush();
    }
    MetricsRegistry metrics = new MetricsRegistry();
    try (AggregatorApp app = AggregatorApp.start(kafka.bootstrapServers(), "dlq-it-" + UUID.randomUUID(),
        Files.createTempDirectory("dlq-it-state"), db.client(), Map.of(), metrics,
        new AggregatorConfig(50, Duration.ofMillis(100), 0, List.of()))) {
      Map<String, ConsumerRecord<String, byte[]>> dead = new HashMap<>();
      try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers(), "group.id", "dlq-check-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
          new StringDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of(Topics.SINK_DLQ.name()));
        long deadline = System.nanoTime() + 120_000_000_000L;
        String goodRows = "SELECT count() FROM usage_events FINAL WHERE customer_id = '" + tag + "-good'";
        while (System.nanoTime() < deadline && (!dead.containsKey(bad.getEventId()) || db.client().queryLong(goodRows) < 19)) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            dead.put(r.key(), r);
          }
        }
        assertThat(db.client().queryLong(goodRows)).isEqualTo(19);
      }
      ConsumerRecord<String, byte[]> letter = dead.get(bad.getEventId());
      assertThat(letter).as("the refused usage row on " + Topics.SINK_DLQ.name()).isNotNull();
      assertThat(TollgateSerdes.usageEvent().deserialize(Topics.USAGE.name(), letter.value())).isEqualTo(bad);
      assertThat(header(letter, "tollgate.table")).isEqualTo("usage_events");
      assertThat(header(letter, "tollgate.error")).contains("negative");
      assertThat(header(letter, "tollgate.source")).startsWith(Topics.USAGE.name() + "/");
      assertThat(db.client().queryLong("SELECT count() FROM usage_events WHERE customer_id = '" + tag + "-bad'")).isZero();
      assertThat(metrics.scrape()).contains("tollgate_sink_dead_letters_total{reason=\"refused\",table=\"usage_events\"} 1.0");
      assertThat(app.healthy()).isTrue();
    }
  }

  private static String header(ConsumerRecord<String, byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static UsageEvent event(String customer, long inputTokens) {
    return UsageEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setTs(Instant.parse("2026-11-24T09:00:00Z"))
        .setDurationMs(5).setTtftMs(null).setGatewayId("gw").setKeyHash(null).setKeyAlias(null).setCustomerId(customer)
        .setCustomerSource("header_customer_id").setTool("curl").setToolVersion(null).setUserAgent(null)
        .setSessionId(null).setProvider("anthropic").setApi("messages").setModelRequested("m").setModel(null)
        .setStatusCode(200).setErrorType(null).setInputTokens(inputTokens).setOutputTokens(1).setCostNanos(10)
        .setPriceKnown(true).setUpstreamRequestId(null).build();
  }
}
