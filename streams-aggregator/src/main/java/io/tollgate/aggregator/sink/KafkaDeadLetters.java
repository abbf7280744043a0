package io.tollgate.aggregator.sink;

import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Dead letters on {@code tollgate.sink.dlq.v1}: the original key and bytes, headers
 * {@code tollgate.error}, {@code tollgate.source}, {@code tollgate.table}. Idempotent, acks=all;
 * {@link #send} waits for every acknowledgement.
 */
public final class KafkaDeadLetters implements DeadLetters, AutoCloseable {
  static final String ERROR_HEADER = "tollgate.error";
  static final String SOURCE_HEADER = "tollgate.source";
  static final String TABLE_HEADER = "tollgate.table";
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
  private final KafkaProducer<String, byte[]> producer;

  /** @param overrides the instance's client properties (security), as for the sink's consumer */
  public KafkaDeadLetters(String bootstrapServers, String clientId, Map<String, ?> overrides) {
    Map<String, Object> config = KafkaClientProperties.merge("the ClickHouse sink's dead-letter producer", Map.of(
        ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis(),
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000), producerProperties(overrides), Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.CLIENT_ID_CONFIG, clientId,
        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
    this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }

  private static Map<String, Object> producerProperties(Map<String, ?> overrides) {
    Map<String, Object> out = new java.util.HashMap<>();
    overrides.forEach((name, value) -> {
      if (ProducerConfig.configNames().contains(name) && !name.equals(ProducerConfig.CLIENT_ID_CONFIG)) {
        out.put(name, value);
      }
    });
    return out;
  }

  @Override
  public void send(List<DeadLetter> letters) {
    List<Future<RecordMetadata>> sent = new ArrayList<>(letters.size());
    for (DeadLetter letter : letters) {
      ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.SINK_DLQ.name(), letter.source().key(),
          letter.source().value());
      record.headers().add(ERROR_HEADER, letter.error().getBytes(StandardCharsets.UTF_8))
          .add(SOURCE_HEADER, (letter.source().topic() + "/" + letter.source().partition() + "@"
              + letter.source().offset()).getBytes(StandardCharsets.UTF_8))
          .add(TABLE_HEADER, letter.table().getBytes(StandardCharsets.UTF_8));
      sent.add(producer.send(record));
    }
    try {
      for (Future<RecordMetadata> f : sent) {
        f.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while dead-lettering", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException("dead letters not stored: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
