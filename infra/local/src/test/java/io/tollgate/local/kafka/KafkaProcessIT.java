package io.tollgate.local.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker as a separate process: stopped, killed and restarted with its data intact. */
class KafkaProcessIT {
  private static final String TOPIC = "restart-test";

  @Test
  void brokerStopsAndRestartsWithItsDataIntact(@TempDir Path dir) throws Exception {
    KafkaProcess kafka = new KafkaProcess(EmbeddedKafka.Options.in(dir).withPartitions(2)).start();
    try {
      produce(kafka, 0, 500);
      kafka.stop();
      assertThat(kafka.isRunning()).isFalse();
      assertThat(FreePorts.inUse(kafka.port())).as("port free after stop").isFalse();

      kafka.start();
      assertThat(consumeAll(kafka, 500)).containsExactlyElementsOf(expected(0, 500));

      // A crash (SIGKILL) must not lose acknowledged records either.
      produce(kafka, 500, 1000);
      kafka.kill();
      kafka.start();
      assertThat(consumeAll(kafka, 1000)).containsExactlyElementsOf(expected(0, 1000));
    } finally {
      kafka.stop();
    }
    assertThat(FreePorts.inUse(kafka.port())).isFalse();
  }

  private static void produce(KafkaCluster kafka, int from, int to) throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new StringSerializer())) {
      for (int i = from; i < to; i++) {
        // One key keeps every record in one partition, so order is checkable.
        producer.send(new ProducerRecord<>(TOPIC, "k", "record-" + i)).get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static List<String> consumeAll(KafkaCluster kafka, int expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "restart-check-" + System.nanoTime(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }

  private static List<String> expected(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add("record-" + i);
    }
    return out;
  }
}
