package io.tollgate.ingress.admin;

import io.tollgate.schemas.kafka.KafkaClientProperties;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes management records: idempotent, {@code acks=all}, so a management call answers only once
 * the change is durable in Kafka. Sends from a thread of its own (a send can block on metadata
 * while Kafka is unreachable; never on an event loop). The operator's Kafka properties (SSL,
 * SASL) apply; the settings durability needs cannot be overridden.
 */
final class DirectoryWriter implements AutoCloseable {
  /** Called with each acknowledged write before its future completes. */
  interface Acknowledged {
    void applied(String topic, String key, TopicPartition partition, long offset, byte[] value);
  }

  private final KafkaProducer<String, byte[]> producer;
  private final ExecutorService sender;
  private final Acknowledged acknowledged;

  DirectoryWriter(String bootstrap, Map<String, String> extra, String clientId, Acknowledged acknowledged) {
    this.acknowledged = acknowledged;
    this.producer = new KafkaProducer<>(config(bootstrap, extra, clientId));
    this.sender = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "management-state-writer");
      t.setDaemon(true);
      return t;
    });
  }

  static Map<String, Object> config(String bootstrap, Map<String, String> extra, String clientId) {
    return KafkaClientProperties.merge("the gateway's management-state producer",
        Map.of(ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
            ProducerConfig.CLIENT_ID_CONFIG, clientId),
        KafkaClientProperties.known(extra, ProducerConfig.configNames()),
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
  }

  /** Sends one record (null value = delete); completes once acknowledged and applied locally. */
  CompletableFuture<Void> send(String topic, String key, byte[] value) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      sender.execute(() -> {
        try {
          producer.send(new ProducerRecord<>(topic, key, value), (meta, error) -> {
            if (error != null) {
              done.completeExceptionally(error);
              return;
            }
            try {
              acknowledged.applied(topic, key, new TopicPartition(meta.topic(), meta.partition()), meta.offset(),
                  value);
              done.complete(null);
            } catch (RuntimeException e) {
              done.completeExceptionally(e);
            }
          });
        } catch (RuntimeException e) {
          done.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public void close() {
    sender.shutdown();
    try {
      sender.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close(Duration.ofSeconds(5));
  }
}
