package io.tollgate.alerting.notify;

import io.tollgate.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@link DeliveryLog} on the compacted {@code tollgate.alert-deliveries.v1}: value
 * {@code <at> <outcome> <kept by>}, outcome {@code delivered}, {@code dead_letter} or
 * {@code sending} (the intent before an attempt; the outcome replaces it under the same key); a
 * tombstone forgets a key, so compaction keeps the topic as small as the delivered set. Older
 * notifiers wrote the instant alone: such an entry is finished and kept for 32 days after it (the
 * end of any period its alert can be about lies before that).
 */
final class KafkaDeliveryLog implements DeliveryLog {
  private final Map<String, Object> readerConfig;
  private final KafkaProducer<String, String> producer;

  /** @param producerConfig {@link NotifierKafka#producer}, @param readerConfig {@link NotifierKafka#deliveriesReader} */
  KafkaDeliveryLog(Map<String, Object> producerConfig, Map<String, Object> readerConfig) {
    this.readerConfig = Map.copyOf(Objects.requireNonNull(readerConfig, "readerConfig"));
    this.producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer());
  }

  @Override
  public Map<String, Entry> readAll() {
    Map<String, Entry> out = new HashMap<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(readerConfig, new StringDeserializer(),
        new StringDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(Topics.ALERT_DELIVERIES.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        c.poll(Duration.ofMillis(200)).forEach(r -> {
          if (r.value() == null) {
            out.remove(r.key());
          } else {
            out.put(r.key(), entry(r.value(), Instant.ofEpochMilli(r.timestamp())));
          }
        });
      }
    }
    return out;
  }

  static Entry entry(String value, Instant written) {
    String[] parts = value.split(" ");
    return new Entry(keptBy(value, written), parts.length < 3 || !parts[1].equals(SENDING));
  }

  static Instant keptBy(String value, Instant written) {
    String[] parts = value.split(" ");
    try {
      return parts.length >= 3 ? Instant.parse(parts[2]) : Instant.parse(parts[0]).plus(LEGACY_KEEP);
    } catch (DateTimeParseException e) {
      return written.plus(LEGACY_KEEP);
    }
  }

  private static final Duration LEGACY_KEEP = Duration.ofDays(32);
  static final String SENDING = "sending";

  @Override
  public void sending(String key, Instant at, Instant reference) {
    send(key, at + " " + SENDING + " " + reference);
  }

  @Override
  public void record(String key, String outcome, Instant at, Instant reference) {
    send(key, at + " " + outcome + " " + reference);
  }

  @Override
  public void forget(String key) {
    producer.send(new ProducerRecord<>(Topics.ALERT_DELIVERIES.name(), key, null));
  }

  private void send(String key, String value) {
    try {
      producer.send(new ProducerRecord<>(Topics.ALERT_DELIVERIES.name(), key, value)).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaException("delivery of " + key + " not recorded", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("interrupted while recording " + key, e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
