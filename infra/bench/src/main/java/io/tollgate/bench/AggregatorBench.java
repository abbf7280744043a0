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
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
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
  static final double GOAL_EVENTS_PER_SECOND = 60_000;
  static final double GOAL_P99_MILLIS = 2_000;
  private static final Map<String, Duration> VARIANTS = Map.of("per-event", Duration.ZERO,
      "pre-aggregated", io.tollgate.aggregator.topology.AggregatorSettings.DEFAULT_PRE_AGGREGATE,
      "pre-aggregated-200ms", io.tollgate.aggregator.topology.AggregatorSettings.DEFAULT_PRE_AGGREGATE,
      "pre-aggregated-write-through", io.tollgate.aggregator.topology.AggregatorSettings.DEFAULT_PRE_AGGREGATE,
      "pre-aggregated-1s", io.tollgate.aggregator.topology.AggregatorSettings.DEFAULT_PRE_AGGREGATE);
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

  private AggregatorBench() {
  }

  record Options(int events, List<Integer> rates, int seconds, List<String> variants, int scalePartitions,
                 boolean scale, boolean jfr, int maxMinutes, Map<String, String> streams, String command) {
    static Options parse(String[] args) {
      int events = 1_000_000;
      List<Integer> rates = List.of(5_000, 20_000);
      int seconds = 20;
      List<String> variants = List.of("per-event", "pre-aggregated");
      int partitions = 6;
      boolean scale = true;
      boolean jfr = true;
      int maxMinutes = 12;
      boolean quick = false;
      boolean eventsSet = false;
      boolean secondsSet = false;
      Map<String, String> streams = new TreeMap<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> quick = true;
          case "--no-scale" -> scale = false;
          case "--no-jfr" -> jfr = false;
          case "--events" -> {
            events = Integer.parseInt(value(args, ++i, a));
            eventsSet = true;
          }
          case "--seconds" -> {
            seconds = Integer.parseInt(value(args, ++i, a));
            secondsSet = true;
          }
          case "--rates" -> rates = java.util.Arrays.stream(value(args, ++i, a).split(",")).map(Integer::parseInt)
              .toList();
          case "--variants" -> variants = List.of(value(args, ++i, a).split(","));
          case "--scale-partitions" -> partitions = Integer.parseInt(value(args, ++i, a));
          case "--max-minutes" -> maxMinutes = Integer.parseInt(value(args, ++i, a));
          case "--streams" -> {
            for (String kv : value(args, ++i, a).split(",")) {
              int eq = kv.indexOf('=');
              if (eq < 1) {
                throw new IllegalArgumentException("--streams wants name=value[,name=value]: '" + kv + "'");
              }
              streams.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
          }
          default -> throw new IllegalArgumentException("unknown option '" + a + "' (--events N, --rates R1,R2, "
              + "--seconds S, --variants per-event,pre-aggregated-200ms,pre-aggregated-write-through,pre-aggregated-1s,pre-aggregated, --scale-partitions P, --no-scale, --no-jfr, "
              + "--max-minutes M, --streams name=value,..., --quick)");
        }
      }
      if (quick) {
        events = eventsSet ? events : 200_000;
        seconds = secondsSet ? seconds : 10;
      }
      for (String v : variants) {
        if (!VARIANTS.containsKey(v)) {
          throw new IllegalArgumentException("unknown variant '" + v + "' (per-event, pre-aggregated-200ms, pre-aggregated-write-through, pre-aggregated-1s, pre-aggregated)");
        }
      }
      if (events < 1 || seconds < 1 || partitions < 1 || maxMinutes < 1 || rates.stream().anyMatch(r -> r < 1)) {
        throw new IllegalArgumentException("events, seconds, rates, partitions and minutes must be positive");
      }
      return new Options(events, rates, seconds, variants, partitions, scale, jfr, maxMinutes, Map.copyOf(streams),
          "./tollgate bench aggregator" + (args.length == 0 ? "" : " " + String.join(" ", args)));
    }

    /**
     * A tenth of the backlog (at least 20,000 events), no freshness, no profile: run once before the
     * measured variants so that the first of them does not pay this JVM's JIT warm-up alone.
     */
    Options warmUp() {
      return new Options(Math.max(20_000, events / 10), List.of(), seconds, variants, scalePartitions, false, false,
          maxMinutes, streams, command);
    }

    private static String value(String[] args, int i, String flag) {
      if (i >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      return args[i];
    }
  }

  record Freshness(int rate, double achieved, double p50, double p99, double max, int markers, int unseen) {
  }

  /**
   * @param cpuMicros       CPU time of this JVM (broker, stream threads, sink) per backlog event, in µs:
   *                        steadier than the wall time on a shared machine
   * @param streamCpuMicros the same, of the stream threads only
   */
  record Backlog(String variant, int events, double seconds, boolean finished, Map<String, Double> perEvent,
                 String profile, List<Freshness> freshness, double cpuMicros, double streamCpuMicros) {
    double eventsPerSecond() {
      return events / seconds;
    }
  }

  record Scale(int instances, int partitions, int events, double seconds, boolean finished) {
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    String load = loadAverage();
    long t0 = System.nanoTime();
    long deadline = t0 + Duration.ofMinutes(o.maxMinutes()).toNanos();
    Instant startedAt = Instant.now();
    Path dir = Files.createTempDirectory("tollgate-agg-bench");
    List<Backlog> backlogs = new ArrayList<>();
    List<Scale> scales = new ArrayList<>();
    try (LocalClickHouse server = LocalClickHouse.start(LocalClickHouse.Options.in(dir.resolve("clickhouse")))) {
      Backlog warm = run(o.variants().get(o.variants().size() - 1), o.warmUp(), dir.resolve("warm-up"), server, deadline);
      System.out.printf("warm-up (not measured): %s, %,d events at %,.0f events/s%n", warm.variant(), warm.events(),
          warm.eventsPerSecond());
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
    String block = block(o, backlogs, scales, load, startedAt, Duration.ofNanos(System.nanoTime() - t0));
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
      UsageEvent e = event(random, "bulk-" + random.nextInt(1000), base.plusMillis(i * (3_600_000L / events)));
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

  private static Backlog run(String variant, Options o, Path dir, LocalClickHouse server, long deadline)
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
      Recording jfr = o.jfr() ? startJfr() : null;
      long started = System.nanoTime();
      long cpuBefore = processCpuNanos();
      MetricsRegistry registry = new MetricsRegistry();
      try (AggregatorApp app = AggregatorApp.start(kafka.bootstrapServers(), appId, dir.resolve("state"), ch,
          o.streams(), registry, config, config.topology().withWriteBack(!WRITE_THROUGH.contains(variant)))) {
        boolean finished = awaitExact(ch, o.events(), expected, deadline, app::healthy, variant);
        double bulkSeconds = (System.nanoTime() - started) / 1e9;
        double cpuMicros = (processCpuNanos() - cpuBefore) / 1e3 / o.events();
        double streamCpuMicros = streamThreadCpuNanos() / 1e3 / o.events();
        System.out.printf("%s: %.0f task commits, pre-aggregation flushes %s in %.1f s%n", variant, app.commits(),
            flushes(registry), bulkSeconds);
        String profile = jfr == null ? "not profiled (--no-jfr)" : profile(jfr, dir.resolve(variant + ".jfr"));
        Map<String, Double> perEvent = perEvent(app.recordsPerTopic(), appId);
        System.out.printf("%n%s: %d events (1 h of event time, one backlog) in %.1f s = %.0f events/s end to end%s%n"
            + "CPU per event: %.1f µs (this JVM), %.1f µs (stream threads)%n"
            + "records per input event: %s%nstream threads (JFR): %s%n", variant, o.events(), bulkSeconds,
            o.events() / bulkSeconds, finished ? "" : " (NOT finished: deadline)", cpuMicros, streamCpuMicros,
            perEvent, profile);
        List<Freshness> fresh = new ArrayList<>();
        Random random = new Random(2);
        for (int rate : o.rates()) {
          if (!finished || System.nanoTime() + (o.seconds() + 30) * 1_000_000_000L > deadline) {
            break;
          }
          Freshness f = freshness(producer, ch, random, rate, o.seconds());
          System.out.println(variant + ": " + f);
          fresh.add(f);
        }
        return new Backlog(variant, o.events(), bulkSeconds, finished, perEvent, profile, fresh, cpuMicros,
            streamCpuMicros);
      }
    }
  }

  /** Instances of the standalone aggregator, one JVM each, on a broker with {@code partitions} partitions. */
  private static Scale scale(int instances, Options o, Path dir, LocalClickHouse server, long deadline)
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

  private static Recording startJfr() {
    Recording r = new Recording();
    r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
    r.start();
    return r;
  }

  /** Where the stream threads spent their samples: top frames (self) and a few inclusive buckets. */
  static String profile(Recording recording, Path file) throws java.io.IOException {
    recording.stop();
    recording.dump(file);
    recording.close();
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> buckets = new LinkedHashMap<>();
    int samples = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
        continue;
      }
      var thread = e.getThread("sampledThread");
      if (thread == null || thread.getJavaName() == null || !thread.getJavaName().contains("StreamThread")) {
        continue;
      }
      samples++;
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      if (!frames.isEmpty()) {
        RecordedFrame top = frames.get(0);
        self.merge(simpleName(top.getMethod().getType().getName()) + "." + top.getMethod().getName(), 1, Integer::sum);
      }
      java.util.Set<String> hit = new java.util.HashSet<>();
      for (RecordedFrame f : frames) {
        String type = f.getMethod().getType().getName();
        String method = f.getMethod().getName();
        String b = bucket(type, method);
        if (b != null) {
          hit.add(b);
        }
      }
      hit.forEach(b -> buckets.merge(b, 1, Integer::sum));
    }
    if (samples == 0) {
      return "no stream-thread samples";
    }
    int n = samples;
    StringBuilder out = new StringBuilder(samples + " samples; inclusive: ");
    buckets.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(b -> out.append(String.format("%s %.0f%%, ", b.getKey(), 100.0 * b.getValue() / n)));
    out.append("top self: ");
    self.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(5)
        .forEach(s -> out.append(String.format("%s %.0f%%, ", s.getKey(), 100.0 * s.getValue() / n)));
    return out.substring(0, out.length() - 2);
  }

  private static String bucket(String type, String method) {
    if (type.startsWith("org.apache.avro.")) {
      return "Avro";
    }
    if (type.startsWith("org.rocksdb.")) {
      return "RocksDB";
    }
    if (type.endsWith("RecordCollectorImpl") && method.equals("send")) {
      return "record sends";
    }
    if (type.endsWith(".KafkaConsumer") || type.endsWith("ClassicKafkaConsumer") || type.endsWith("AsyncKafkaConsumer")) {
      return "consumer";
    }
    if (type.endsWith(".ThreadCache") || type.endsWith(".NamedCache")) {
      return "record cache";
    }
    if (type.startsWith("org.apache.kafka.common.metrics.") || type.endsWith("StreamsMetricsImpl")) {
      return "metrics";
    }
    if (type.endsWith("RecordHeaders") || type.endsWith("RecordHeader")) {
      return "headers";
    }
    if (type.endsWith("TaskManager") && method.equals("commit") || type.endsWith("StreamTask") && method.equals("prepareCommit")) {
      return "commit";
    }
    if (type.startsWith("io.tollgate.")) {
      return "tollgate code";
    }
    return null;
  }

  private static String simpleName(String type) {
    return type.substring(type.lastIndexOf('.') + 1);
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

  private static double sum(Map<String, Double> perEvent, String suffix) {
    return perEvent.entrySet().stream().filter(e -> e.getKey().endsWith(suffix)).mapToDouble(Map.Entry::getValue)
        .sum();
  }

  private static String goalThroughput(double eventsPerSecond, boolean finished) {
    if (!finished) {
      return "missed: not exact within --max-minutes";
    }
    return eventsPerSecond >= GOAL_EVENTS_PER_SECOND ? "met"
        : String.format("missed by %,.0f events/s (%.2f× of the goal)", GOAL_EVENTS_PER_SECOND - eventsPerSecond,
            eventsPerSecond / GOAL_EVENTS_PER_SECOND);
  }

  static String block(Options o, List<Backlog> backlogs, List<Scale> scales, String load, Instant startedAt,
                      Duration took) {
    StringBuilder out = new StringBuilder();
    String machine = "dev-" + Runtime.getRuntime().availableProcessors() + "c, load " + load + " at start";
    out.append(String.format("%n#### Run of %s (%s; %d min %d s)%n%nCommand: `%s`. Goals: ≥ %,.0f events/s end to end on "
            + "the backlog, freshness p99 ≤ %.0f s. The load is the 1-minute load average when the run started: above "
            + "~2 on this machine other work shared its cores and the numbers are upper bounds of the time.%n%n",
        startedAt.truncatedTo(java.time.temporal.ChronoUnit.MINUTES), machine, took.toMinutes(), took.toSecondsPart(),
        o.command(), GOAL_EVENTS_PER_SECOND, GOAL_P99_MILLIS / 1000));
    out.append("| topology | backlog | throughput (events/s, ratio) | goal ≥ 60k/s | CPU µs/event (JVM; stream threads) "
        + "| repartition rec/event | changelog rec/event | output rec/event | per topic "
        + "| stream threads (JFR): what limits it |\n"
        + "|---|---|---|---|---|---|---|---|---|---|\n");
    double baseline = backlogs.isEmpty() ? 0 : backlogs.get(0).eventsPerSecond();
    for (Backlog b : backlogs) {
      StringBuilder topics = new StringBuilder();
      b.perEvent().forEach((t, v) -> topics.append(topics.length() == 0 ? "" : ", ").append(t.replace("-repartition",
          "-rep").replace("-changelog", "-chl").replace("tollgate.", "")).append(String.format(" %.3f", v)));
      double output = b.perEvent().entrySet().stream().filter(e -> e.getKey().startsWith("tollgate."))
          .mapToDouble(Map.Entry::getValue).sum();
      out.append(String.format("| %s | %,d events, 1 h of event time | %,.0f (%.2f×) | %s | %.1f; %.1f | %.3f | %.3f "
              + "| %.3f | %s | %s |%n",
          b.variant(), b.events(), b.eventsPerSecond(), baseline == 0 ? 1 : b.eventsPerSecond() / baseline,
          goalThroughput(b.eventsPerSecond(), b.finished()), b.cpuMicros(), b.streamCpuMicros(),
          sum(b.perEvent(), "-repartition"),
          sum(b.perEvent(), "-changelog"), output, topics, b.profile()));
    }
    out.append("\n| topology | steady rate (achieved) | freshness p50 | p99 | max | markers (never seen) "
        + "| goal p99 ≤ 2 s |\n|---|---|---|---|---|---|---|\n");
    for (Backlog b : backlogs) {
      if (b.freshness().isEmpty()) {
        out.append(String.format("| %s | not measured (backlog unfinished or out of time) | | | | | missed: not measured |%n",
            b.variant()));
      }
      for (Freshness f : b.freshness()) {
        String goal = f.unseen() > 0 ? String.format("missed: %d markers not visible within 30 s", f.unseen())
            : f.p99() <= GOAL_P99_MILLIS ? "met"
            : String.format("missed by %,.0f ms%s", f.p99() - GOAL_P99_MILLIS,
                f.achieved() < f.rate() * 0.95 ? " (the producer fell short of the rate)" : "");
        out.append(String.format("| %s | %,d/s (%,.0f/s) for %d s | %.0f ms | %.0f ms | %.0f ms | %d (%d) | %s |%n",
            b.variant(), f.rate(), f.achieved(), o.seconds(), f.p50(), f.p99(), f.max(), f.markers(), f.unseen(), goal));
      }
    }
    if (!scales.isEmpty()) {
      out.append(String.format("%n| scale (pre-aggregated, separate JVMs of `io.tollgate.aggregator.Main`, -Xmx1g each, "
          + "one application id; time from launch) | partitions | backlog | throughput (events/s) | vs 1 instance "
          + "| goal ≥ 60k/s |%n|---|---|---|---|---|---|%n"));
      double one = scales.get(0).events() / scales.get(0).seconds();
      for (Scale s : scales) {
        double eps = s.events() / s.seconds();
        out.append(String.format("| %d instance%s | %d | %,d events | %,.0f | %.2f× | %s |%n", s.instances(),
            s.instances() == 1 ? "" : "s", s.partitions(), s.events(), eps, eps / one, goalThroughput(eps, s.finished())));
      }
    }
    out.append('\n');
    return out.toString();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  /**
   * A steady {@code rate} of events for {@code seconds} (paced by elapsed time), plus a marker every
   * 100 ms with a customer of its own; a second thread polls {@code spend_1m} for the markers.
   */
  private static Freshness freshness(KafkaProducer<String, UsageEvent> producer, ClickHouseClient ch, Random random,
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
          UsageEvent e = event(random, "steady-" + random.nextInt(1000), Instant.now());
          producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
        }
        if (System.nanoTime() >= nextMarker) {
          String id = run + marker++;
          UsageEvent e = event(random, id, Instant.now());
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

  private static UsageEvent event(Random random, String customer, Instant ts) {
    return UsageEvent.newBuilder().setEventId(new UUID(random.nextLong(), random.nextLong()).toString()).setTs(ts)
        .setDurationMs(5).setTtftMs(null)
        .setGatewayId("bench").setKeyHash("k").setKeyAlias(null).setCustomerId(customer).setCustomerSource("header_customer_id")
        .setTool(random.nextBoolean() ? "claude-code" : "codex").setToolVersion(null).setUserAgent(null).setSessionId(null)
        .setProvider("anthropic").setApi("messages").setModelRequested(random.nextBoolean() ? "claude-sonnet-4-5" : "gpt-5")
        .setModel(null).setStatusCode(200).setErrorType(null).setInputTokens(random.nextInt(5000))
        .setOutputTokens(random.nextInt(500)).setCostNanos(1 + random.nextInt(1_000_000)).setPriceKnown(true)
        .setUpstreamRequestId(null).build();
  }
}
