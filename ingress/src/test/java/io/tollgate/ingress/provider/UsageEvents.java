package io.tollgate.ingress.provider;

import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads usage events back from the real topic, for assertions. */
final class UsageEvents implements AutoCloseable {
  private final KafkaConsumer<String, UsageEvent> consumer;
  private final List<UsageEvent> seen = new ArrayList<>();

  UsageEvents(KafkaCluster kafka) {
    this(kafka.bootstrapServers(), Map.of());
  }

  /** Over a listener that needs {@code security} properties (SSL, SASL). */
  UsageEvents(String bootstrap, Map<String, String> security) {
    Map<String, Object> config = new HashMap<>(security);
    config.putAll(Map.of("bootstrap.servers", bootstrap,
        "group.id", "gateway-it-" + UUID.randomUUID(), "auto.offset.reset", "earliest",
        "isolation.level", "read_committed"));
    consumer = new KafkaConsumer<>(config, new StringDeserializer(), TollgateSerdes.usageEvent());
    consumer.subscribe(List.of(Topics.USAGE.name()));
  }

  /** All events matching {@code filter} once {@code count} of them arrived (or the timeout passed). */
  List<UsageEvent> await(Predicate<UsageEvent> filter, int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (seen.stream().filter(filter).count() < count && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, UsageEvent> r : consumer.poll(Duration.ofMillis(200))) {
        seen.add(r.value());
      }
    }
    return seen.stream().filter(filter).toList();
  }

  UsageEvent one(Predicate<UsageEvent> filter) {
    List<UsageEvent> events = await(filter, 1, Duration.ofSeconds(30));
    if (events.size() != 1) {
      throw new AssertionError("expected exactly one event, got " + events.size() + ": " + events);
    }
    return events.get(0);
  }

  /** Events for {@code customer} that arrive within a short quiet period (to prove there is no second one). */
  List<UsageEvent> settle(String customer) {
    await(e -> false, 1, Duration.ofSeconds(2));
    return seen.stream().filter(e -> customer.equals(e.getCustomerId())).toList();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
