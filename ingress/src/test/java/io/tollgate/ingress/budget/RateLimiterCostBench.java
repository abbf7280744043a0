package io.tollgate.ingress.budget;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cost of rate limiting on the request path: admit + release of a call limited on its key,
 * team and customer (rpm, tpm and parallel each), on one thread and on several threads sharing one
 * hot key or each its own; and the heap one tracked scope costs. A benchmark, not a test: run it by
 * hand (see BENCHMARKS.md, "Cost of rate limiting").
 */
public final class RateLimiterCostBench {
  private static final int CALLS = Integer.getInteger("calls", 2_000_000);
  private static final int THREADS = Integer.getInteger("threads", 2);
  private static final int SCOPES = Integer.getInteger("scopes", 50_000);

  private RateLimiterCostBench() {
  }

  public static void main(String[] args) throws Exception {
    System.out.println("BENCH | case | threads | ns per admit+release |");
    for (int round = 0; round < 2; round++) { // the first round warms the JIT
      boolean print = round == 1;
      report(print, "key+team+customer, one thread", 1, run(1, false));
      report(print, "one hot key+team+customer", THREADS, run(THREADS, false));
      report(print, "a key+team+customer per thread", THREADS, run(THREADS, true));
    }
    memory();
  }

  private static void report(boolean print, String what, int threads, double ns) {
    if (print) {
      System.out.printf("BENCH | %s | %d | %.0f |%n", what, threads, ns);
    }
  }

  private static List<ScopeLimits> scopes(String suffix) {
    return List.of(
        new ScopeLimits(Scope.KEY, "key" + suffix, "k", null, null, null, Long.MAX_VALUE, Long.MAX_VALUE, 1_000_000, 0, null),
        new ScopeLimits(Scope.TEAM, "team" + suffix, "t", null, null, null, Long.MAX_VALUE, Long.MAX_VALUE, 1_000_000, 0, null),
        new ScopeLimits(Scope.CUSTOMER, "cust" + suffix, "c", null, null, null, Long.MAX_VALUE, Long.MAX_VALUE,
            1_000_000, 0, null));
  }

  /** Nanoseconds per admit + release, averaged over every call of every thread. */
  private static double run(int threads, boolean ownScopes) throws Exception {
    RateLimiter limiter = new RateLimiter(Clock.systemUTC(), 1, 100_000, new RateLimitMetrics(new PrometheusRegistry()));
    CountDownLatch start = new CountDownLatch(1);
    AtomicLong refused = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    int perThread = CALLS / threads;
    for (int t = 0; t < threads; t++) {
      List<ScopeLimits> scopes = scopes(ownScopes ? "-" + t : "");
      workers.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perThread; i++) {
          RateLimitPermit p = limiter.admit(scopes, 1_000);
          if (p.refusal() != null) {
            refused.incrementAndGet();
          }
          p.release(900);
        }
      }));
    }
    long t0 = System.nanoTime();
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    long elapsed = System.nanoTime() - t0;
    if (refused.get() > 0 || limiter.inFlight() != 0) {
      throw new IllegalStateException("refused " + refused.get() + ", in flight " + limiter.inFlight());
    }
    return (double) elapsed * threads / ((long) perThread * threads);
  }

  /** Heap per tracked customer with rpm and tpm limits (ids as long as CustomerResolver allows: 256 chars). */
  private static void memory() throws Exception {
    for (int idLength : new int[] {36, 256}) {
      ManualClock clock = new ManualClock(1_800_000_000_000L);
      RateLimiter limiter = new RateLimiter(clock, 1, SCOPES, new RateLimitMetrics(new PrometheusRegistry()));
      long before = usedHeap();
      String pad = "x".repeat(idLength - 10);
      for (int i = 0; i < SCOPES; i++) {
        String id = String.format("%010d", i) + pad;
        limiter.admit(List.of(new ScopeLimits(Scope.CUSTOMER, id, id, null, null, null, 1_000L, 100_000L, null, 0, null)),
            100).release(90);
      }
      long after = usedHeap();
      System.out.printf("BENCH | heap per tracked scope (rpm+tpm, %d-char id) | %d scopes | %d bytes |%n", idLength,
          limiter.trackedScopes(), (after - before) / SCOPES);
    }
  }

  private static long usedHeap() throws InterruptedException {
    Runtime r = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100); // let the collector finish before reading the heap (a measurement, not a test)
    }
    return r.totalMemory() - r.freeMemory();
  }
}
