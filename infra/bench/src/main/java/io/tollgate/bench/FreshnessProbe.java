package io.tollgate.bench;

import io.tollgate.bench.AggregatorBench.Freshness;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.topics.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Freshness of a steady load: call to {@code spend_1m}, timed by marker events ({@link AggregatorBench}). */
final class FreshnessProbe {
  private FreshnessProbe() {
  }

  /**
   * A steady {@code rate} of events for {@code seconds} (paced by elapsed time), plus a marker every
   * 100 ms with a customer of its own; a second thread polls {@code spend_1m} for the markers.
   */
  static Freshness measure(KafkaProducer<String, UsageEvent> producer, ClickHouseClient ch, Random random,
                                     int rate, int seconds) throws InterruptedException {
    String run = "fresh" + rate + "-";
    Map<String, Long> sent = new ConcurrentHashMap<>();
    List<Long> delays = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean polling = new AtomicBoolean(true);
    Thread poller = new Thread(() -> {
      while (polling.get()) {
        if (!sent.isEmpty()) {
          for (Map<String, Object> row : ch.query("SELECT DISTINCT customer_id FROM spend_1m WHERE customer_id LIKE '"
              + run + "%'")) {
            Long at = sent.remove((String) row.get("customer_id"));
            if (at != null) {
              delays.add(System.nanoTime() - at);
            }
          }
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "freshness-poller");
    poller.start();
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    long nextMarker = start;
    long produced = 0;
    int marker = 0;
    try {
      while (System.nanoTime() < end) {
        long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
        for (; produced < due; produced++) {
          UsageEvent e = BenchUsage.event(random, "steady-" + random.nextInt(1000), Instant.now());
          producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
        }
        if (System.nanoTime() >= nextMarker) {
          String id = run + marker++;
          UsageEvent e = BenchUsage.event(random, id, Instant.now());
          sent.put(id, System.nanoTime());
          producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
          nextMarker += 100_000_000L;
        }
        Thread.sleep(2);
      }
      double achieved = produced / ((System.nanoTime() - start) / 1e9);
      long drain = System.nanoTime() + 30_000_000_000L;
      while (!sent.isEmpty() && System.nanoTime() < drain) {
        Thread.sleep(50);
      }
      long[] sorted;
      synchronized (delays) {
        sorted = delays.stream().mapToLong(Long::longValue).sorted().toArray();
      }
      return new Freshness(rate, achieved, pct(sorted, 50), pct(sorted, 99),
          sorted.length == 0 ? 0.0 : sorted[sorted.length - 1] / 1e6, sorted.length, sent.size());
    } finally {
      polling.set(false);
      poller.join(10_000);
    }
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1));
    return sorted[i] / 1e6;
  }
}
