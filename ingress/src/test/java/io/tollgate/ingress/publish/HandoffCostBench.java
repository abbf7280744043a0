package io.tollgate.ingress.publish;

import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.kafka.KafkaProcess;
import io.tollgate.schemas.UsageEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cost of durability, publisher side: {@code EVENTS} usage events through
 * {@link KafkaUsagePublisher#publish} with {@code WINDOW} appends outstanding (as many calls
 * finishing at once), once per fsync policy, against a Kafka child process. Reports throughput and
 * the latency a response's last byte waits (publish → durable), p50/p99/p99.9, and fsyncs per
 * event. A benchmark, not a test (no {@code Test}/{@code IT} suffix): run it by hand, see BENCHMARKS.md.
 */
public final class HandoffCostBench {
  private static final int EVENTS = Integer.getInteger("events", 50_000);
  private static final int WINDOW = Integer.getInteger("window", 64);

  private HandoffCostBench() {
  }

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("handoff-cost");
    KafkaProcess kafka = new KafkaProcess(EmbeddedKafka.Options.in(dir.resolve("kafka"))).start();
    try {
      System.out.printf("BENCH handoff: %d events, %d outstanding, Kafka child process%n", EVENTS, WINDOW);
      System.out.println("BENCH | policy | events/s | p50 ms | p99 ms | p99.9 ms | fsyncs/event |");
      for (int round = 0; round < 2; round++) { // the first round warms the JIT and the broker
        for (HandoffOptions.Fsync policy : HandoffOptions.Fsync.values()) {
          run(kafka.bootstrapServers(), dir.resolve("spill-" + round + "-" + policy), policy, round == 1);
        }
      }
    } finally {
      kafka.stop();
    }
  }

  private static void run(String bootstrap, Path spill, HandoffOptions.Fsync policy, boolean print) throws Exception {
    long[] latency = new long[EVENTS];
    AtomicInteger done = new AtomicInteger();
    Semaphore window = new Semaphore(WINDOW);
    try (KafkaUsagePublisher publisher = new KafkaUsagePublisher(bootstrap, spill, "cost-" + policy,
        PublishMetrics.NONE, java.util.Map.of(), HandoffOptions.DEFAULTS.withFsync(policy))) {
      long fsyncsBefore = publisher.fsyncs();
      long start = System.nanoTime();
      for (int i = 0; i < EVENTS; i++) {
        window.acquire();
        int n = i;
        long t0 = System.nanoTime();
        publisher.publish(event(i)).whenComplete((ok, error) -> {
          latency[n] = System.nanoTime() - t0;
          done.incrementAndGet();
          window.release();
        });
      }
      if (!window.tryAcquire(WINDOW, 60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("appends did not complete in 60 s");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long fsyncs = publisher.fsyncs() - fsyncsBefore;
      Arrays.sort(latency);
      if (print) {
        System.out.printf("BENCH | %s | %.0f | %.3f | %.3f | %.3f | %.3f |%n", policy.wireName(), EVENTS / seconds,
            ms(latency, 0.50), ms(latency, 0.99), ms(latency, 0.999), (double) fsyncs / EVENTS);
      }
    }
  }

  private static double ms(long[] sorted, double q) {
    return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))] / 1e6;
  }

  private static UsageEvent event(int i) {
    return UsageEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setTs(Instant.now()).setDurationMs(120)
        .setGatewayId("gw-cost").setProvider("anthropic").setApi("messages").setModelRequested("claude-sonnet-4-5")
        .setModel("claude-sonnet-4-5-20250929").setStatusCode(200).setCustomerId("customer-" + (i % 50))
        .setTool("claude-code").setInputTokens(1_200).setOutputTokens(300).setCostNanos(8_100_000)
        .setPriceKnown(true).build();
  }
}
