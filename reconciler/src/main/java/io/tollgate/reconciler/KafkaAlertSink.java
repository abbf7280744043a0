package io.tollgate.reconciler;

import io.tollgate.schemas.Alert;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes alerts to {@code tollgate.alerts.v1} (key = alert id, acks=all, idempotent), as the
 * gateway's soft-budget alerts do; the alerting notifier delivers them to their channels once per id.
 */
public final class KafkaAlertSink implements AlertSink, AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final AvroSerde<Alert> serde = TollgateSerdes.alert();

  public KafkaAlertSink(String bootstrap, Map<String, String> kafka) {
    Map<String, Object> config = KafkaClientProperties.merge("the reconciler's alert producer",
        Map.of(ProducerConfig.CLIENT_ID_CONFIG, "tollgate-reconciler", ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
            ProducerConfig.LINGER_MS_CONFIG, 0),
        KafkaClientProperties.known(kafka == null ? Map.of() : kafka, ProducerConfig.configNames()),
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
    this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }

  @Override
  public void send(Alert alert) {
    try {
      producer.send(new ProducerRecord<>(Topics.ALERTS.name(), alert.getAlertId(),
          serde.serialize(Topics.ALERTS.name(), alert))).get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing alert " + alert.getAlertId(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("alert " + alert.getAlertId() + " not written to " + Topics.ALERTS.name() + ": "
          + (e.getCause() == null ? e : e.getCause()), e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
