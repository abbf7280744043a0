package io.tollgate.ingress.budget;

import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.BudgetPeriodRef;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Stands in for the aggregator's budget-period totals (built on another branch) by their contract:
 * every UsageEvent's cost summed into each of its {@code budget_periods}, once per event_id, with
 * {@code by_gateway}, written to {@code tollgate.spend-totals.v1} under
 * {@code scope|scope_id|duration|period_start_millis}.
 */
final class TotalsAggregator implements AutoCloseable {
  private final KafkaConsumer<String, UsageEvent> consumer;
  private final KafkaProducer<String, SpendTotal> producer;
  private final Map<String, SpendTotal> totals = new HashMap<>();
  private final Set<String> seen = new HashSet<>();
  private final Thread thread;
  private volatile boolean running = true;
  private long version;

  TotalsAggregator(KafkaCluster kafka) {
    consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
        "group.id", "budget-it-totals-" + UUID.randomUUID(), "auto.offset.reset", "earliest",
        "isolation.level", "read_committed"), new StringDeserializer(), TollgateSerdes.usageEvent());
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all",
        "linger.ms", 0), new StringSerializer(), TollgateSerdes.spendTotal());
    consumer.subscribe(List.of(Topics.USAGE.name()));
    thread = new Thread(this::run, "test-totals-aggregator");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (running) {
      Set<String> changed = new HashSet<>();
      for (ConsumerRecord<String, UsageEvent> r : consumer.poll(Duration.ofMillis(100))) {
        UsageEvent e = r.value();
        if (e == null || !seen.add(e.getEventId())) {
          continue;
        }
        for (BudgetPeriodRef p : e.getBudgetPeriods()) {
          String key = p.getScope() + "|" + p.getScopeId() + "|" + p.getDuration() + "|" + p.getPeriodStart().toEpochMilli();
          SpendTotal old = totals.get(key);
          Map<String, Long> by = new HashMap<>(old == null ? Map.of() : old.getByGateway());
          by.merge(e.getGatewayId(), e.getCostNanos(), Long::sum);
          totals.put(key, SpendTotal.newBuilder().setScope(p.getScope()).setScopeId(p.getScopeId())
              .setDay(LocalDate.ofInstant(p.getPeriodStart(), ZoneOffset.UTC))
              .setRequests((old == null ? 0 : old.getRequests()) + 1)
              .setCostNanos((old == null ? 0 : old.getCostNanos()) + e.getCostNanos())
              .setVersion(++version).setUpdatedAt(Instant.now()).setDuration(p.getDuration())
              .setPeriodStart(p.getPeriodStart()).setByGateway(by).build());
          changed.add(key);
        }
      }
      for (String key : changed) {
        producer.send(new ProducerRecord<>(Topics.SPEND_TOTALS.name(), key, totals.get(key)));
      }
      producer.flush();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    consumer.close();
    producer.close();
  }
}
