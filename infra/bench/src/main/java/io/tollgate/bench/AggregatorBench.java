package io.tollgate.bench;

import io.tollgate.aggregator.AggregatorApp;
import io.tollgate.aggregator.AggregatorConfig;
import io.tollgate.local.clickhouse.LocalClickHouse;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.process.ChildJvm;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.metrics.MetricsRegistry;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import jdk.jfr.Recording;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Aggregator end to end (issue 14's goals), in one bounded run:
 * <ol>
 *   <li>backlog throughput — N usage events (default 1M) already on the broker, time until
 *       ClickHouse holds all of them and the exact day totals; per topology, the per-event one
 *       (the baseline, {@code pre_aggregate_ms: 0}) and the pre-aggregated one back to back, each on
 *       a fresh embedded broker with the same events, the aggregator in this JVM, its stream threads
 *       sampled by JFR (what limits it);</li>
 *   <li>records the Streams producers wrote per topic per input event, per topology;</li>
 *   <li>freshness — steady loads (default 5k and 20k events/s) plus a marker event every 100 ms
 *       whose minute is timed from its send until it is visible in {@code spend_1m};</li>
 *   <li>scale — the pre-aggregated aggregator as separate processes ({@code io.tollgate.aggregator.Main},
 *       one JVM each, one application id) on a 6-partition broker: 1 instance, then 2, same backlog.</li>
 * </ol>
 * Loopback only; every wait is bounded by what is left of {@code --max-minutes}. Appends its block
 * to BENCHMARKS.md (before {@link #END}) when run from the repository (the {@code ./tollgate}
 * script does). Flags: {@code --events N}, {@code --rates 5000,20000}, {@code --seconds S} (per
 * rate), {@code --variants per-event,pre-aggregated}, {@code --scale-partitions 6}, {@code --no-scale},
 * {@code --no-jfr}, {@code --max-minutes 12}, {@code --quick} (200k events, 10 s per rate).
 */
public final class AggregatorBench {
  static final String BEGIN = "<!-- bench-aggregator:begin (rows appended by ./tollgate bench aggregator) -->";
  static final String END = "<!-- bench-aggregator:end -->";
  static final Map<String, Duration> VARIANTS = Map.of("per-event", Duration.ZERO,
      "pre-aggregated", io.tollgate.aggregator.topology.AggregatorSettings.DEFAULT_PRE_AGGREGATE,
      "pre-aggregated-200ms", io.tollgate.aggregator.topology.AggregatorSettings.DEFAULT_PRE_AGGREGATE,
      "pre-aggregated-write-through", io.tollgate.aggregator.topology.AggregatorSettings.DEFAULT_PRE_AGGREGATE,
      "pre-aggregated-1s", io.tollgate.aggregator.topology.AggregatorSettings.DEFAULT_PRE_AGGREGATE,
      "pre-aggregated-own-windows", io.tollgate.aggregator.topology.AggregatorSettings.DEFAULT_PRE_AGGREGATE);
  /**
   * Variants whose 1m / 1h / 1d totals are {@code SpendWindowTotals}' (written and emitted once per
   * commit; {@code AggregatorSettings.windowWriteBack}, not the default), not the DSL's windows.
   */
  private static final java.util.Set<String> OWN_WINDOWS = java.util.Set.of("pre-aggregated-own-windows");
  /**
   * Variants whose pending sums are written through the store's record cache at every change, as
   * before the commit hook's write-back ({@code AggregatorSettings.writeBack}).
   */
  private static final java.util.Set<String> WRITE_THROUGH = java.util.Set.of("pre-aggregated-200ms",
      "pre-aggregated-write-through");
  /**
   * Variants with their own commit interval, else the topology's default: "pre-aggregated-200ms" is
   * the pre-aggregated topology as it committed before the lag-following commits (every 200 ms);
   * "pre-aggregated-write-through" the one before the write-back (1 s, writing through), and
   * "pre-aggregated-1s" the write-back with that build's 1 s.
   */
  private static final Map<String, Duration> COMMIT_INTERVALS = Map.of("pre-aggregated-200ms", Duration.ofMillis(200),
      "pre-aggregated-write-through", Duration.ofSeconds(1), "pre-aggregated-1s", Duration.ofSeconds(1));

  /** The ClickHouse server's CPU per event in {@link Backlog#cpuByThread} (a process of its own). */
  static final String CLICKHOUSE = "ClickHouse server";

  private AggregatorBench() {
  }

  record Freshness(int rate, double achieved, double p50, double p99, double max, int markers, int unseen) {
  }

  /**
   * @param cpuMicros       CPU time of this JVM (broker, stream threads, sink) per backlog event, in µs:
   *                        steadier than the wall time on a shared machine
   * @param streamCpuMicros the same, of the stream threads only
   * @param cpuByThread     the same by {@link JvmThreadCpu} group, and {@link #CLICKHOUSE} (its own process)
   */
  record Backlog(String variant, int events, double seconds, boolean finished, Map<String, Double> perEvent,
                 String profile, List<Freshness> freshness, double cpuMicros, double streamCpuMicros,
                 Map<String, Double> cpuByThread) {
    double eventsPerSecond() {
      return events / seconds;
    }
  }

  record Scale(int instances, int partitions, int events, double seconds, boolean finished) {
  }

  public static void main(String[] args) throws Exception {
    AggregatorBenchOptions o = AggregatorBenchOptions.parse(args);
    String load = loadAverage();
    long t0 = System.nanoTime();
    long deadline = t0 + Duration.ofMinutes(o.maxMinutes()).toNanos();
    Instant startedAt = Instant.now();
    Path dir = Files.createTempDirectory("tollgate-agg-bench");
    List<Backlog> backlogs = new ArrayList<>();
    List<Scale> scales = new ArrayList<>();
    try (LocalClickHouse server = LocalClickHouse.start(LocalClickHouse.Options.in(dir.resolve("clickhouse")))) {
      // Every variant once, unmeasured: warming only one left the first measured variant's own code
      // paths to the JIT during its run (both orders of one A/B pair favoured the second, 10-20 %).
      for (String variant : o.variants()) {
        Backlog warm = run(variant, o.warmUp(), dir.resolve("warm-up-" + variant), server, deadline);
        System.out.printf("warm-up (not measured): %s, %,d events at %,.0f events/s%n", warm.variant(), warm.events(),
            warm.eventsPerSecond());
      }
      for (String variant : o.variants()) {
        backlogs.add(run(variant, o, dir.resolve(variant), server, deadline));
      }
      if (o.scale()) {
        for (int instances : List.of(1, 2)) {
          if (System.nanoTime() > deadline) {
            break;
          }
          scales.add(scale(instances, o, dir.resolve("scale-" + instances), server, deadline));
        }
      }
    }
    String block = AggregatorBenchReport.block(o, backlogs, scales, load, startedAt, Duration.ofNanos(System.nanoTime() - t0));
    System.out.println();
    System.out.println(block);
    Path md = Path.of("BENCHMARKS.md");
    if (Files.isRegularFile(md) && Files.readString(md).contains(BEGIN)) {
      String old = Files.readString(md);
      int end = old.indexOf(END);
      Files.writeString(md, old.substring(0, end) + block + old.substring(end));
      System.out.println("block appended to " + md.toAbsolutePath());
    }
  }

  /** The pre-aggregation's flushes per state (caught_up, behind) so far. */
  private static Map<String, Double> flushes(MetricsRegistry registry) {
    Map<String, Double> out = new TreeMap<>();
    for (var snapshot : registry.prometheus().scrape()) {
      if (snapshot.getMetadata().getName().equals("tollgate_aggregator_pre_aggregate_flushes")
          && snapshot instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot c) {
        c.getDataPoints().forEach(p -> out.put(p.getLabels().get("state"), p.getValue()));
      }
    }
    return out;
  }

  /** The sink's inserts so far per table: [count, seconds] (what a freshness phase spent in ClickHouse). */
  static Map<String, double[]> sinkInserts(MetricsRegistry registry) {
    Map<String, double[]> out = new TreeMap<>();
    for (var snapshot : registry.prometheus().scrape()) {
      if (snapshot.getMetadata().getName().equals("tollgate_sink_insert_duration_seconds")
          && snapshot instanceof io.prometheus.metrics.model.snapshots.HistogramSnapshot h) {
        h.getDataPoints().forEach(p -> out.put(p.getLabels().get("table"), new double[] {p.getCount(), p.getSum()}));
      }
    }
    return out;
  }

  /** What happened between two readings: flushes by state, and per table inserts, mean ms per insert. */
  static String phase(Map<String, Double> flushesBefore, Map<String, double[]> insertsBefore, MetricsRegistry registry) {
    StringBuilder out = new StringBuilder("flushes");
    flushes(registry).forEach((state, n) -> out.append(' ').append(state).append('=')
        .append(Math.round(n - flushesBefore.getOrDefault(state, 0.0))));
    out.append("; inserts");
    sinkInserts(registry).forEach((table, now) -> {
      double[] before = insertsBefore.getOrDefault(table, new double[2]);
      double n = now[0] - before[0];
      out.append(String.format(" %s=%.0f (%.0f ms each)", table, n, n == 0 ? 0 : (now[1] - before[1]) * 1e3 / n));
    });
    return out.toString();
  }

  /** CPU time so far of the ClickHouse server this run started (0 off Linux; not called for a server it connected to). */
  private static long clickHouseCpuMicros(LocalClickHouse server) {
    try {
      return new io.tollgate.bench.peers.ProcStat(Path.of("/proc"), 100).read(server.pid()).cpuMicros();
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** CPU time so far of the live Kafka Streams stream threads (each app's are new: they start at zero). */
  private static long streamThreadCpuNanos() {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().contains("StreamThread")) {
        total += Math.max(0, threads.getThreadCpuTime(t.threadId()));
      }
    }
    return total;
  }

  private static KafkaProducer<String, UsageEvent> producer(EmbeddedKafka kafka) {
    return new KafkaProducer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers(), "acks", "all", "linger.ms", 20, "batch.size", 512 * 1024, "compression.type", "lz4",
        // An idempotent producer started with a fresh broker looped on OUT_OF_ORDER_SEQUENCE_NUMBER
        // (2026-12-02, loaded machine) and the run never ended; a retried send is a duplicate the
        // aggregator's dedupe drops, so the exact-totals condition still holds.
        "enable.idempotence", false, "max.in.flight.requests.per.connection", 1),
        new StringSerializer(), TollgateSerdes.usageEvent());
  }

  /** The backlog: the same N events (seed 1) over one hour of event time; returns their total cost. */
  private static long produceBacklog(KafkaProducer<String, UsageEvent> producer, int events) {
    Random random = new Random(1);
    Instant base = Instant.now().minusSeconds(3600);
    long expected = 0;
    for (int i = 0; i < events; i++) {
      UsageEvent e = BenchUsage.event(random, "bulk-" + random.nextInt(1000), base.plusMillis(i * (3_600_000L / events)));
      expected += e.getCostNanos();
      producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
    }
    producer.flush();
    return expected;
  }

  /** Waits until ClickHouse holds every event and the exact day totals; false if the deadline came first. */
  private static boolean awaitExact(ClickHouseClient ch, int events, long expected, long deadline,
                                    java.util.function.BooleanSupplier healthy, String what)
      throws InterruptedException {
    while (ch.queryLong("SELECT count() FROM usage_events") < events
        || ch.queryLong("SELECT sum(cost_nanos) FROM spend_1d FINAL") != expected) {
      if (!healthy.getAsBoolean()) {
        throw new IllegalStateException(what + ": the aggregator failed");
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(250);
    }
    return true;
  }

  private static Backlog run(String variant, AggregatorBenchOptions o, Path dir, LocalClickHouse server, long deadline)
      throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka")));
         KafkaProducer<String, UsageEvent> producer = producer(kafka)) {
      String database = "bench_" + dir.getFileName().toString().replaceAll("[^A-Za-z0-9]", "_"); // one per run
      ClickHouseClient ch = new ClickHouseClient(server.settings(database));
      long expected = produceBacklog(producer, o.events());
      AggregatorConfig config = new AggregatorConfig(AggregatorConfig.DEFAULT_BATCH_ROWS,
          AggregatorConfig.DEFAULT_FLUSH_INTERVAL, 0, VARIANTS.get(variant),
          COMMIT_INTERVALS.getOrDefault(variant, AggregatorConfig.defaultCommitInterval(VARIANTS.get(variant))),
          List.of());
      String appId = "bench-" + UUID.randomUUID();
      Recording jfr = o.jfr() ? StreamThreadProfile.start() : null;
      long started = System.nanoTime();
      long cpuBefore = processCpuNanos();
      Map<String, Long> threadsBefore = JvmThreadCpu.read(cpuBefore);
      long clickHouseBefore = clickHouseCpuMicros(server);
      MetricsRegistry registry = new MetricsRegistry();
      try (AggregatorApp app = AggregatorApp.start(kafka.bootstrapServers(), appId, dir.resolve("state"), ch,
          o.streams(), registry, config, config.topology().withWriteBack(!WRITE_THROUGH.contains(variant))
              .withWindowWriteBack(OWN_WINDOWS.contains(variant)))) {
        boolean finished = awaitExact(ch, o.events(), expected, deadline, app::healthy, variant);
        double bulkSeconds = (System.nanoTime() - started) / 1e9;
        long cpuAfter = processCpuNanos();
        double cpuMicros = (cpuAfter - cpuBefore) / 1e3 / o.events();
        Map<String, Double> byThread = new java.util.LinkedHashMap<>(
            JvmThreadCpu.perEvent(threadsBefore, JvmThreadCpu.read(cpuAfter), o.events()));
        if (server.owned()) { // a server this run connected to is not measured: its column reads n/a
          byThread.put(CLICKHOUSE, Math.max(0, clickHouseCpuMicros(server) - clickHouseBefore) / (double) o.events());
        }
        double streamCpuMicros = streamThreadCpuNanos() / 1e3 / o.events();
        System.out.printf("%s: %.0f task commits, pre-aggregation flushes %s in %.1f s%n", variant, app.commits(),
            flushes(registry), bulkSeconds);
        String profile = jfr == null ? "not profiled (--no-jfr)" : StreamThreadProfile.summary(jfr, dir.resolve(variant + ".jfr"));
        Map<String, Double> perEvent = perEvent(app.recordsPerTopic(), appId);
        System.out.printf("%n%s: %d events (1 h of event time, one backlog) in %.1f s = %.0f events/s end to end%s%n"
            + "CPU per event: %.1f µs (this JVM), %.1f µs (stream threads)%n"
            + "CPU µs per event by thread: %s%n"
            + "records per input event: %s%nstream threads (JFR): %s%n", variant, o.events(), bulkSeconds,
            o.events() / bulkSeconds, finished ? "" : " (NOT finished: deadline)", cpuMicros, streamCpuMicros,
            byThread, perEvent, profile);
        List<Freshness> fresh = new ArrayList<>();
        Random random = new Random(2);
        for (int rate : o.rates()) {
          if (!finished || System.nanoTime() + (o.seconds() + 30) * 1_000_000_000L > deadline) {
            break;
          }
          Map<String, Double> flushesBefore = flushes(registry);
          Map<String, double[]> insertsBefore = sinkInserts(registry);
          Freshness f = FreshnessProbe.measure(producer, ch, random, rate, o.seconds());
          System.out.println(variant + ": " + f + "; " + phase(flushesBefore, insertsBefore, registry));
          fresh.add(f);
        }
        return new Backlog(variant, o.events(), bulkSeconds, finished, perEvent, profile, fresh, cpuMicros,
            streamCpuMicros, byThread);
      }
    }
  }

  /** Instances of the standalone aggregator, one JVM each, on a broker with {@code partitions} partitions. */
  private static Scale scale(int instances, AggregatorBenchOptions o, Path dir, LocalClickHouse server, long deadline)
      throws Exception {
    List<Process> children = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka"))
        .withPartitions(o.scalePartitions()));
         KafkaProducer<String, UsageEvent> producer = producer(kafka)) {
      String database = "bench_scale_" + instances;
      ClickHouseClient ch = new ClickHouseClient(server.settings(database));
      long expected = produceBacklog(producer, o.events());
      String appId = "bench-scale-" + UUID.randomUUID();
      long started = System.nanoTime();
      List<CompletableFuture<Process>> starting = new ArrayList<>();
      for (int i = 0; i < instances; i++) {
        List<String> cmd = ChildJvm.javaCommand("1g");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tollgate.aggregator.Main",
            "--bootstrap", kafka.bootstrapServers(), "--clickhouse", server.settings(database).url(),
            "--database", database, "--application-id", appId, "--state-dir", dir.resolve("state-" + i).toString(),
            "--metrics-port", Integer.toString(FreePorts.pick())));
        starting.add(CompletableFuture.supplyAsync(() ->
            ChildJvm.start(cmd, "AGGREGATOR READY", Duration.ofSeconds(120), line -> { }).process()));
      }
      for (CompletableFuture<Process> s : starting) {
        children.add(s.join());
      }
      boolean finished = awaitExact(ch, o.events(), expected, deadline,
          () -> children.stream().allMatch(Process::isAlive), instances + " instances");
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf("%nscale: %d instance(s) on %d partitions: %d events in %.1f s = %.0f events/s%s%n",
          instances, o.scalePartitions(), o.events(), seconds, o.events() / seconds,
          finished ? "" : " (NOT finished: deadline)");
      return new Scale(instances, o.scalePartitions(), o.events(), seconds, finished);
    } finally {
      for (Process p : children) {
        p.destroy();
      }
      for (Process p : children) {
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  /** Sends per topic divided by the usage records consumed; internal topics by their short names. */
  private static Map<String, Double> perEvent(Map<String, Double> sent, String appId) {
    double consumed = Math.max(1, sent.getOrDefault("", 0.0));
    Map<String, Double> out = new TreeMap<>();
    sent.forEach((topic, n) -> {
      if (!topic.isEmpty()) {
        out.put(topic.startsWith(appId + "-") ? topic.substring(appId.length() + 1) : topic, n / consumed);
      }
    });
    return out;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

}
