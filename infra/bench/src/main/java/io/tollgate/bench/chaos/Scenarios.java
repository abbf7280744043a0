package io.tollgate.bench.chaos;

import java.util.List;

/**
 * The faults. Each scenario runs on a fresh stack with its own ledger; the fault lengths come
 * from the {@link Scale} (full / quick). Scenarios needing helpers of their own (network, slow
 * clients, alert delivery, upstream failures) live in their classes.
 */
final class Scenarios {
  /** A scenario: an id (for {@code --only}), a title, and its body. */
  record Scenario(String id, String title, Body body) {
  }

  @FunctionalInterface
  interface Body {
    Result run(ChaosMain.Context ctx, String id, String title) throws Exception;
  }

  private Scenarios() {
  }

  static List<Scenario> all() {
    return List.of(
        new Scenario("kafka-stop", "Kafka stopped (SIGTERM) during traffic", Scenarios::kafkaStop),
        new Scenario("kafka-kill", "Kafka killed (SIGKILL) during traffic", Scenarios::kafkaKill),
        new Scenario("kafka-freeze", "Kafka frozen (SIGSTOP)", Scenarios::kafkaFreeze),
        new Scenario("gateway-kill", "gateway SIGKILL, Kafka healthy", Scenarios::gatewayKill),
        new Scenario("gateway-kill-kafka-down", "gateway SIGKILL during a Kafka outage", Scenarios::gatewayKillKafkaDown),
        new Scenario("gateway-kill-kafka-frozen", "gateway SIGKILL during a frozen broker", Scenarios::gatewayKillKafkaFrozen),
        new Scenario("aggregator-kill", "aggregator SIGKILL ×3", Scenarios::aggregatorKill),
        new Scenario("notifier-kill", "alerting (notifier) SIGKILL mid-delivery", NotifierKill::run),
        new Scenario("clickhouse-stop", "ClickHouse stopped", Scenarios::clickhouseStop),
        new Scenario("upstream-faults", "upstream 500 / 429 / reset mid-stream / cut JSON", UpstreamFaults::run),
        new Scenario("slow-clients", "slow clients (1 byte/s bodies) and slowloris headers", SlowClients::run),
        new Scenario("partition", "network partition gateway ↔ broker (netns + veth)", Partition::run),
        new Scenario("latency", "added latency to the broker (user-space delay proxy)", Latency::run));
  }

  private static Result kafkaStop(ChaosMain.Context ctx, String id, String title) throws Exception {
    try (Run run = ctx.run(id)) {
      run.begin(run.scale.freshRate()); // the freshness goal's traffic
      int down = run.scale.secs(30, 5);
      run.faultStart("SIGTERM Kafka for " + down + " s");
      run.stack.kafka.stop();
      run.observe(down, "Kafka down " + down + " s");
      run.stack.kafka.start(Stack.ready());
      run.faultEndFresh();
      return run.finish(title + " " + down + " s", ctx.command(id), true);
    }
  }

  private static Result kafkaKill(ChaosMain.Context ctx, String id, String title) throws Exception {
    try (Run run = ctx.run(id)) {
      run.begin(run.scale.freshRate()); // the freshness goal's traffic
      int down = run.scale.secs(30, 5);
      run.faultStart("SIGKILL Kafka, down " + down + " s");
      run.stack.kafka.kill();
      run.observe(down, "Kafka dead " + down + " s");
      run.stack.kafka.start(Stack.ready());
      run.faultEndFresh();
      return run.finish(title + ", down " + down + " s", ctx.command(id), true);
    }
  }

  private static Result kafkaFreeze(ChaosMain.Context ctx, String id, String title) throws Exception {
    try (Run run = ctx.run(id)) {
      run.begin();
      int frozen = run.scale.secs(10, 3);
      run.faultStart("SIGSTOP Kafka for " + frozen + " s");
      run.stack.kafka.freeze();
      run.observe(frozen, "Kafka frozen " + frozen + " s");
      run.stack.kafka.thaw();
      run.faultEnd();
      return run.finish(title + " " + frozen + " s", ctx.command(id), true);
    }
  }

  private static Result gatewayKill(ChaosMain.Context ctx, String id, String title) throws Exception {
    try (Run run = ctx.run(id)) {
      run.begin();
      int kills = run.scale.secs(2, 1);
      for (int i = 0; i < kills; i++) {
        run.faultStart("SIGKILL gateway (" + (i + 1) + " of " + kills + ")");
        restartGateway(run);
        if (i + 1 < kills) {
          run.pause(run.scale.beforeS());
        }
      }
      run.faultEnd();
      return run.finish(title + " ×" + kills, ctx.command(id), true);
    }
  }

  private static Result gatewayKillKafkaDown(ChaosMain.Context ctx, String id, String title) throws Exception {
    try (Run run = ctx.run(id)) {
      run.begin();
      int down = run.scale.secs(30, 6);
      int killAt = run.scale.secs(5, 2);
      run.faultStart("SIGTERM Kafka for " + down + " s, SIGKILL the gateway " + killAt + " s in");
      run.stack.kafka.stop();
      run.observe(killAt, "Kafka down, before the kill");
      restartGateway(run);
      run.observe(down - killAt, "Kafka down, after the gateway restarted");
      run.stack.kafka.start(Stack.ready());
      run.faultEnd();
      return run.finish(title + " (down " + down + " s, kill " + killAt + " s in)", ctx.command(id), true);
    }
  }

  private static Result gatewayKillKafkaFrozen(ChaosMain.Context ctx, String id, String title) throws Exception {
    try (Run run = ctx.run(id)) {
      run.begin();
      int frozen = run.scale.secs(10, 4);
      int killAt = run.scale.secs(5, 2);
      run.faultStart("SIGSTOP Kafka for " + frozen + " s, SIGKILL the gateway " + killAt + " s in");
      run.stack.kafka.freeze();
      run.observe(killAt, "Kafka frozen, before the kill");
      restartGateway(run);
      run.observe(frozen - killAt, "Kafka frozen, after the gateway restarted");
      run.stack.kafka.thaw();
      run.faultEnd();
      return run.finish(title + " (frozen " + frozen + " s, kill " + killAt + " s in)", ctx.command(id), true);
    }
  }

  /** SIGKILL the gateway, start the next one on the same spill dir and port; notes how long calls went unanswered. */
  static void restartGateway(Run run) {
    long t0 = System.nanoTime();
    int answered = run.ledger.answeredCount();
    run.stack.gateway.kill();
    run.stack.gateway.start(Stack.ready());
    run.notes.add("gateway SIGKILLed after " + answered + " answered calls, next one serving after "
        + (System.nanoTime() - t0) / 1_000_000 + " ms");
  }

  private static Result aggregatorKill(ChaosMain.Context ctx, String id, String title) throws Exception {
    try (Run run = ctx.run(id)) {
      run.begin();
      int every = run.scale.secs(8, 3);
      for (int i = 1; i <= 3; i++) {
        run.faultStart("SIGKILL aggregator (" + i + " of 3)");
        long t0 = System.nanoTime();
        run.stack.aggregator.kill();
        run.stack.aggregator.start(Stack.ready());
        run.notes.add("aggregator kill " + i + ": next one ready after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        if (i < 3) {
          run.pause(every);
        }
      }
      run.faultEnd();
      return run.finish(title + " (" + every + " s apart)", ctx.command(id), true);
    }
  }

  private static Result clickhouseStop(ChaosMain.Context ctx, String id, String title) throws Exception {
    try (Run run = ctx.run(id)) {
      run.begin();
      int down = run.scale.secs(60, 8);
      run.faultStart("stop ClickHouse for " + down + " s");
      run.clickhouse().stop();
      run.pause(down);
      run.clickhouse().start();
      run.faultEnd();
      return run.finish(title + " " + down + " s", ctx.command(id), true);
    }
  }
}
