package io.tollgate.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.local.kafka.BrokerTls;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.tls.SelfSignedCertificate;
import io.tollgate.schemas.Alert;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifier's three Kafka clients (alert consumer, delivery-log producer, delivery-log reader)
 * with nothing but a broker's SSL listener and the properties that trust its certificate: an
 * alert published on the plaintext listener is delivered once and its delivery recorded.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NotifierSslIT {

  @Test
  void anAlertIsDeliveredAndRecordedOverSsl(@TempDir Path dir) throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.generate(dir.resolve("tls"));
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka"))
        .withTls(new BrokerTls(cert, Map.of())))) {
      String id = "alert-" + UUID.randomUUID();
      try (KafkaProducer<String, Alert> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers(), "acks", "all"), new StringSerializer(), TollgateSerdes.alert())) {
        producer.send(new ProducerRecord<>(Topics.ALERTS.name(), id, alert(id))).get(30, TimeUnit.SECONDS);
      }
      List<String> delivered = new CopyOnWriteArrayList<>();
      Channel recording = new Channel() {
        @Override
        public String name() {
          return "log";
        }

        @Override
        public Result deliver(Alert alert) {
          delivered.add(alert.getAlertId());
          return Result.ok();
        }
      };
      Notifier notifier = new Notifier(kafka.sslBootstrapServers(), "notifier-ssl-" + UUID.randomUUID(),
          cert.kafkaSslClient(), Map.of("log", recording), Clock.systemUTC(),
          new AlertingMetrics(new PrometheusRegistry()), AlertLog.NONE);
      Thread thread = new Thread(notifier, "notifier-ssl");
      thread.start();
      Set<String> recorded;
      try {
        recorded = awaitDeliveryRecord(kafka.bootstrapServers(), id + "|log");
      } finally {
        notifier.close();
        thread.join(15_000);
      }
      assertThat(delivered).containsExactly(id);
      assertThat(recorded).contains(id + "|log");
    }
  }

  /** Reads the delivery log (plaintext listener) until {@code key} appears, 60 s at most. */
  private static Set<String> awaitDeliveryRecord(String bootstrap, String key) {
    Set<String> keys = new HashSet<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "enable.auto.commit", false), new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(Topics.ALERT_DELIVERIES.name(), Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!keys.contains(key) && System.nanoTime() < deadline) {
        c.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
      }
    }
    return keys;
  }

  private static Alert alert(String id) {
    Instant day = Instant.parse("2026-11-24T00:00:00Z");
    return Alert.newBuilder().setAlertId(id).setRuleId("daily-50").setKind("threshold").setSeverity("critical")
        .setScope("customer").setScopeId("acme").setPeriod("day").setWindowStart(day).setSpendNanos(51_000_000_000L)
        .setThresholdNanos(50_000_000_000L).setBaselineMeanNanos(null).setBaselineStddevNanos(null).setZScore(null)
        .setChannels(List.of("log")).setMessage("customer acme reached its day limit").setCreatedAt(day)
        .setDetails(Map.of()).build();
  }
}
