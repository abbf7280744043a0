package io.tollgate.bench;

import io.tollgate.aggregator.AggregatorApp;
import io.tollgate.local.clickhouse.LocalClickHouse;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Aggregator end to end: (1) throughput — N usage events already on the embedded broker, time until
 * ClickHouse holds all of them and the exact day totals; (2) freshness — a steady load, plus a
 * marker event every 100 ms whose arrival in {@code spend_1m} is timed. Loopback only, bounded.
 * {@code java … io.tollgate.bench.AggregatorBench [events] [steady-rate] [steady-seconds]}.
 */
public final class AggregatorBench {
  private AggregatorBench() {
  }

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    Path dir = Files.createTempDirectory("tollgate-agg-bench");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka")));
         LocalClickHouse server = LocalClickHouse.start(LocalClickHouse.Options.in(dir.resolve("clickhouse")));
         KafkaProducer<String, UsageEvent> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
             kafka.bootstrapServers(), "acks", "all", "linger.ms", 20, "batch.size", 512 * 1024, "compression.type", "lz4"),
             new StringSerializer(), TollgateSerdes.usageEvent())) {
      ClickHouseClient ch = new ClickHouseClient(server.settings("bench"));
      Random random = new Random(1);
      Instant base = Instant.now().minusSeconds(3600);
      long expected = 0;
      for (int i = 0; i < events; i++) {
        UsageEvent e = event(random, "bulk-" + random.nextInt(1000), base.plusMillis(i * (3_600_000L / events)));
        expected += e.getCostNanos();
        producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
      }
      producer.flush();
      long started = System.nanoTime();
      try (AggregatorApp app = AggregatorApp.start(kafka.bootstrapServers(), "bench-" + UUID.randomUUID(),
          dir.resolve("state"), ch)) {
        while (ch.queryLong("SELECT count() FROM usage_events") < events
            || ch.queryLong("SELECT sum(cost_nanos) FROM spend_1d FINAL") != expected) {
          Thread.sleep(250);
        }
        double bulkSeconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("%nthroughput: %d events (1 h of event time, one backlog) in %.1f s = %.0f events/s end to end "
            + "(Kafka → Streams EOS → ClickHouse, exact day totals), %d cores%n", events, bulkSeconds, events / bulkSeconds,
            Runtime.getRuntime().availableProcessors());
        freshness(producer, ch, random, rate, seconds);
      }
    }
  }

  private static void freshness(KafkaProducer<String, UsageEvent> producer, ClickHouseClient ch, Random random,
                                int rate, int seconds) throws InterruptedException {
    Map<String, Long> sent = new HashMap<>();
    List<Long> delays = new ArrayList<>();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long nextMarker = 0;
    int marker = 0;
    long perTick = Math.max(1, rate / 100);
    while (System.nanoTime() < end) {
      for (int i = 0; i < perTick; i++) {
        UsageEvent e = event(random, "steady-" + random.nextInt(1000), Instant.now());
        producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
      }
      if (System.nanoTime() >= nextMarker) {
        String id = "fresh-" + marker++;
        UsageEvent e = event(random, id, Instant.now());
        sent.put(id, System.nanoTime());
        producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
        nextMarker = System.nanoTime() + 100_000_000L;
      }
      collect(ch, sent, delays);
      Thread.sleep(10);
    }
    long drain = System.nanoTime() + 30_000_000_000L;
    while (!sent.isEmpty() && System.nanoTime() < drain) {
      collect(ch, sent, delays);
      Thread.sleep(50);
    }
    long[] sorted = delays.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("freshness at %d events/s for %d s: %d markers, p50 %.0f ms, p99 %.0f ms, max %.0f ms, %d never seen%n",
        rate, seconds, sorted.length, pct(sorted, 50), pct(sorted, 99), sorted.length == 0 ? 0.0 : sorted[sorted.length - 1] / 1e6,
        sent.size());
  }

  private static void collect(ClickHouseClient ch, Map<String, Long> sent, List<Long> delays) {
    if (sent.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    for (Map<String, Object> row : ch.query("SELECT DISTINCT customer_id FROM spend_1m WHERE customer_id LIKE 'fresh-%'")) {
      Long at = sent.remove((String) row.get("customer_id"));
      if (at != null) {
        delays.add(now - at);
      }
    }
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1));
    return sorted[i] / 1e6;
  }

  private static UsageEvent event(Random random, String customer, Instant ts) {
    return UsageEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setTs(ts).setDurationMs(5).setTtftMs(null)
        .setGatewayId("bench").setKeyHash("k").setKeyAlias(null).setCustomerId(customer).setCustomerSource("header_customer_id")
        .setTool(random.nextBoolean() ? "claude-code" : "codex").setToolVersion(null).setUserAgent(null).setSessionId(null)
        .setProvider("anthropic").setApi("messages").setModelRequested(random.nextBoolean() ? "claude-sonnet-4-5" : "gpt-5")
        .setModel(null).setStatusCode(200).setErrorType(null).setInputTokens(random.nextInt(5000))
        .setOutputTokens(random.nextInt(500)).setCostNanos(1 + random.nextInt(1_000_000)).setPriceKnown(true)
        .setUpstreamRequestId(null).build();
  }

}
