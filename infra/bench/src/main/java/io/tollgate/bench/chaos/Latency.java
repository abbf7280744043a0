package io.tollgate.bench.chaos;

import io.tollgate.local.kafka.FreePorts;

/**
 * Latency between every Kafka client and the broker: the broker advertises a delay proxy's
 * address, the proxy adds nothing at first, then a fixed delay each way for the fault's length.
 * The gateway's answers must not wait for Kafka (its hand-off log is local), nothing is lost,
 * and spend catches up once the delay is gone.
 */
final class Latency {
  private Latency() {
  }

  static Result run(ChaosMain.Context ctx, String id, String title) throws Exception {
    int proxyPort = FreePorts.pick();
    try (Run run = ctx.run(id, null, proxyPort, null)) {
      int brokerPort = run.stack.kafkaPort();
      try (DelayProxy proxy = new DelayProxy(proxyPort, brokerPort)) {
        run.begin();
        long beforeFrom = System.nanoTime() - run.scale.beforeS() * 1_000_000_000L;
        long beforeTo = System.nanoTime();
        int span = run.scale.secs(30, 6);
        int delayMs = run.scale.secs(400, 200);
        run.faultStart(delayMs + " ms each way between Kafka clients and the broker for " + span + " s");
        proxy.delayMillis(delayMs);
        long duringFrom = System.nanoTime();
        run.observe(span, "+" + delayMs + " ms each way");
        long duringTo = System.nanoTime();
        proxy.delayMillis(0);
        run.faultEnd();
        long p99Before = run.ledger.percentileMicros(beforeFrom, beforeTo, 0.99);
        long p99During = run.ledger.percentileMicros(duringFrom, duringTo, 0.99);
        run.notes.add(String.format("gateway p99 %.1f ms before, %.1f ms with the delay", p99Before / 1000.0,
            p99During / 1000.0));
        return run.finish(title + " (+" + delayMs + " ms each way, " + span + " s)", ctx.command(id), true);
      }
    }
  }
}
