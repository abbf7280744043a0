package io.tollgate.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.local.compat.NewerUsageWriter;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.EventDecodingException;
import io.tollgate.schemas.serde.SchemaAnnouncer;
import io.tollgate.schemas.serde.SchemaTopicStore;
import io.tollgate.schemas.serde.TollgateSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A reader one release behind (this build: it ships {@code UsageEvent} v1 and v2) against a writer
 * one release ahead ("v3": this schema plus fields with defaults) on a real broker. The writer
 * announces its schema on {@code tollgate.schemas.v1}; the reader was already running, its store
 * loaded before the writer started, and resolves the new fingerprint from the topic.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ForwardCompatibilityIT {

  @Test
  void anOldReaderReadsANewerWritersEventsThroughTheSchemaTopic(KafkaCluster kafka) throws Exception {
    String topic = "usage-forward-" + UUID.randomUUID();
    Schema v3 = v3();
    try (SchemaTopicStore store = SchemaTopicStore.connect(kafka.bootstrapServers(), "old-reader")) {
      assertThat(store.loadAtStart()).isTrue();
      assertThat(store.fingerprints()).doesNotContain(AvroSerde.fingerprint(v3));

      // The newer gateway starts: schema first, acknowledged, then its events.
      try (SchemaAnnouncer announcer =
               SchemaAnnouncer.start(kafka.bootstrapServers(), "new-writer", Map.of(), List.of(v3))) {
        assertThat(announcer.awaitPublished(Duration.ofSeconds(60))).isTrue();
      }
      List<UsageEvent> sent = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        sent.add(event("e-" + i, i));
      }
      produce(kafka, topic, v3, sent);

      List<UsageEvent> received = consume(kafka, topic, TollgateSerdes.usageEvent(store), sent.size());
      assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    }
  }

  @Test
  void withoutTheSchemaTopicTheSameEventsAreRefused(KafkaCluster kafka) throws Exception {
    String topic = "usage-forward-" + UUID.randomUUID();
    Schema v3 = v3();
    try (SchemaAnnouncer announcer =
             SchemaAnnouncer.start(kafka.bootstrapServers(), "new-writer", Map.of(), List.of(v3))) {
      assertThat(announcer.awaitPublished(Duration.ofSeconds(60))).isTrue();
    }
    produce(kafka, topic, v3, List.of(event("e-0", 0)));

    assertThatThrownBy(() -> consume(kafka, topic, TollgateSerdes.usageEvent(), 1))
        .isInstanceOfSatisfying(RecordDeserializationException.class, e ->
            assertThat(e.getCause()).isInstanceOf(EventDecodingException.class)
                .hasMessageContaining("unknown schema fingerprint"));
  }

  @Test
  void aWriterThatDidNotPublishItsSchemaIsRefusedNamingTheSchemaTopic(KafkaCluster kafka) throws Exception {
    String topic = "usage-forward-" + UUID.randomUUID();
    Schema unpublished = v3();
    produce(kafka, topic, unpublished, List.of(event("e-0", 0)));

    try (SchemaTopicStore store = SchemaTopicStore.connect(kafka.bootstrapServers(), "old-reader")) {
      assertThatThrownBy(() -> consume(kafka, topic, TollgateSerdes.usageEvent(store), 1))
          .isInstanceOfSatisfying(RecordDeserializationException.class, e ->
              assertThat(e.getCause()).isInstanceOf(EventDecodingException.class)
                  .hasMessageContaining("nor in the schema topic tollgate.schemas.v1"));
    }
  }

  private static Schema v3() {
    return NewerUsageWriter.v3("carbon_" + UUID.randomUUID().toString().replace('-', '_'));
  }

  private static void produce(KafkaCluster kafka, String topic, Schema writer, List<UsageEvent> events)
      throws Exception {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(), new ByteArraySerializer())) {
      for (UsageEvent e : events) {
        producer.send(new ProducerRecord<>(topic, e.getEventId(), NewerUsageWriter.encode(writer, e)))
            .get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Polls until {@code expected} events arrived; fails after 60 s. */
  private static List<UsageEvent> consume(KafkaCluster kafka, String topic, AvroSerde<UsageEvent> serde,
                                          int expected) {
    List<UsageEvent> received = new ArrayList<>();
    try (KafkaConsumer<String, UsageEvent> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "forward-" + UUID.randomUUID(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), serde)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (received.size() < expected) {
        assertThat(System.nanoTime()).as("%d of %d events within 60 s", received.size(), expected).isLessThan(deadline);
        for (ConsumerRecord<String, UsageEvent> r : consumer.poll(Duration.ofMillis(500))) {
          received.add(r.value());
        }
      }
    }
    return received;
  }

  private static UsageEvent event(String id, int i) {
    return UsageEvent.newBuilder()
        .setEventId(id).setTs(Instant.parse("2026-12-01T10:00:00.123Z").plusSeconds(i)).setDurationMs(100 + i)
        .setTtftMs(null).setGatewayId("gw-new").setKeyHash("ab" + i).setKeyAlias(null)
        .setCustomerId("acme").setCustomerSource("header_customer_id")
        .setTool("codex").setToolVersion("0.46.0").setUserAgent("codex_cli_rs/0.46.0").setSessionId(null)
        .setProvider("openai").setApi("responses").setModelRequested("gpt-5").setModel("gpt-5-2025-08-07")
        .setStatusCode(200).setErrorType(null).setStreamed(true).setAborted(false)
        .setInputTokens(1000 + i).setOutputTokens(200).setCacheReadTokens(5000).setCacheWrite5mTokens(0)
        .setCacheWrite1hTokens(0).setReasoningTokens(64).setCostNanos(4_321_000L + i).setPriceKnown(true)
        .setUpstreamRequestId("req_" + i).setTags(Map.of()).setTeamId("team-7").setWebSearchRequests(2)
        .build();
  }
}
