package io.tollgate.bench;

import io.tollgate.aggregator.AggregatorApp;
import io.tollgate.aggregator.AggregatorConfig;
import io.tollgate.local.clickhouse.LocalClickHouse;
import io.tollgate.local.kafka.EmbeddedKafka;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Aggregator end to end, the per-event topology (the baseline, {@code pre_aggregate_ms: 0}) and the
 * pre-aggregated one back to back in one run, each on a fresh embedded broker with the same events:
 * (1) throughput — N usage events already on the broker, time until ClickHouse holds all of them and
 * the exact day totals; (2) records the Streams producers wrote per topic per input event;
 * (3) freshness — a steady load, plus a marker event every 100 ms whose arrival in {@code spend_1m}
 * is timed. Loopback only, bounded. Appends its rows to BENCHMARKS.md (between {@link #BEGIN} and
 * {@link #END}) when run from the repository (the {@code ./tollgate} script does).
 * {@code java … io.tollgate.bench.AggregatorBench [events] [steady-rate] [steady-seconds] [variants]}
 * with variants a comma list of {@code per-event}, {@code pre-aggregated} (default both).
 */
public final class AggregatorBench {
  static final String BEGIN = "<!-- bench-aggregator:begin (rows appended by ./tollgate bench aggregator) -->";
  static final String END = "<!-- bench-aggregator:end -->";
  private static final Map<String, Duration> VARIANTS = Map.of("per-event", Duration.ZERO,
      "pre-aggregated", io.tollgate.aggregator.topology.AggregatorSettings.DEFAULT_PRE_AGGREGATE);

  private AggregatorBench() {
  }

  record Result(String variant, double eventsPerSecond, double seconds, Map<String, Double> perEvent,
                String freshness) {
  }

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    List<String> variants = List.of((args.length > 3 ? args[3] : "per-event,pre-aggregated").split(","));
    for (String v : variants) {
      if (!VARIANTS.containsKey(v)) {
        throw new IllegalArgumentException("unknown variant '" + v + "' (per-event, pre-aggregated)");
      }
    }
    String load = loadAverage();
    Path dir = Files.createTempDirectory("tollgate-agg-bench");
    List<Result> results = new ArrayList<>();
    try (LocalClickHouse server = LocalClickHouse.start(LocalClickHouse.Options.in(dir.resolve("clickhouse")))) {
      for (String variant : variants) {
        results.add(run(variant, events, rate, seconds, dir.resolve(variant), server));
      }
    }
    String rows = rows(results, events, rate, seconds, load);
    System.out.println();
    System.out.println(rows);
    Path md = Path.of("BENCHMARKS.md");
    if (Files.isRegularFile(md) && Files.readString(md).contains(BEGIN)) {
      String old = Files.readString(md);
      int end = old.indexOf(END);
      Files.writeString(md, old.substring(0, end) + rows + old.substring(end));
      System.out.println("rows appended to " + md.toAbsolutePath());
    }
  }

  private static Result run(String variant, int events, int rate, int seconds, Path dir, LocalClickHouse server)
      throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka")));
         KafkaProducer<String, UsageEvent> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
             kafka.bootstrapServers(), "acks", "all", "linger.ms", 20, "batch.size", 512 * 1024, "compression.type", "lz4",
             // An idempotent producer started with a fresh broker looped on OUT_OF_ORDER_SEQUENCE_NUMBER
             // (2026-12-02, loaded machine) and the run never ended; a retried send is a duplicate the
             // aggregator's dedupe drops, so the exact-totals condition still holds.
             "enable.idempotence", false, "max.in.flight.requests.per.connection", 1),
             new StringSerializer(), TollgateSerdes.usageEvent())) {
      ClickHouseClient ch = new ClickHouseClient(server.settings("bench_" + variant.replace('-', '_')));
      Random random = new Random(1); // the same events for every variant
      Instant base = Instant.now().minusSeconds(3600);
      long expected = 0;
      for (int i = 0; i < events; i++) {
        UsageEvent e = event(random, "bulk-" + random.nextInt(1000), base.plusMillis(i * (3_600_000L / events)));
        expected += e.getCostNanos();
        producer.send(new ProducerRecord<>(Topics.USAGE.name(), e.getEventId(), e));
      }
      producer.flush();
      AggregatorConfig config = new AggregatorConfig(AggregatorConfig.DEFAULT_BATCH_ROWS,
          AggregatorConfig.DEFAULT_FLUSH_INTERVAL, 0, VARIANTS.get(variant), List.of());
      String appId = "bench-" + UUID.randomUUID();
      long started = System.nanoTime();
      try (AggregatorApp app = AggregatorApp.start(kafka.bootstrapServers(), appId, dir.resolve("state"), ch,
          Map.of(), new MetricsRegistry(), config)) {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (ch.queryLong("SELECT count() FROM usage_events") < events
            || ch.queryLong("SELECT sum(cost_nanos) FROM spend_1d FINAL") != expected) {
          if (System.nanoTime() > deadline || !app.healthy()) {
            throw new IllegalStateException(variant + ": not exact within 30 minutes (or the aggregator failed)");
          }
          Thread.sleep(250);
        }
        double bulkSeconds = (System.nanoTime() - started) / 1e9;
        Map<String, Double> perEvent = perEvent(app.recordsPerTopic(), appId);
        System.out.printf("%n%s: %d events (1 h of event time, one backlog) in %.1f s = %.0f events/s end to end%n"
            + "records per input event: %s%n", variant, events, bulkSeconds, events / bulkSeconds, perEvent);
        String freshness = freshness(producer, ch, random, rate, seconds);
        System.out.println(variant + ": " + freshness);
        return new Result(variant, events / bulkSeconds, bulkSeconds, perEvent, freshness);
      }
    }
  }

  /** Sends per topic divided by the usage records consumed; internal topics by their short names. */
  private static Map<String, Double> perEvent(Map<String, Double> sent, String appId) {
    double consumed = Math.max(1, sent.getOrDefault("", 0.0));
    Map<String, Double> out = new java.util.TreeMap<>();
    sent.forEach((topic, n) -> {
      if (!topic.isEmpty()) {
        out.put(topic.startsWith(appId + "-") ? topic.substring(appId.length() + 1) : topic, n / consumed);
      }
    });
    return out;
  }

  private static String rows(List<Result> results, int events, int rate, int seconds, String load) {
    StringBuilder out = new StringBuilder();
    String date = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
    String machine = "dev-" + Runtime.getRuntime().availableProcessors() + "c, load " + load;
    double baseline = results.isEmpty() ? 0 : results.get(0).eventsPerSecond();
    for (Result r : results) {
      double repartition = r.perEvent().entrySet().stream().filter(e -> e.getKey().endsWith("-repartition"))
          .mapToDouble(Map.Entry::getValue).sum();
      double changelog = r.perEvent().entrySet().stream().filter(e -> e.getKey().endsWith("-changelog"))
          .mapToDouble(Map.Entry::getValue).sum();
      StringBuilder topics = new StringBuilder();
      r.perEvent().forEach((t, v) -> topics.append(topics.length() == 0 ? "" : ", ").append(t.replace("-repartition",
          "-rep").replace("-changelog", "-chl").replace("tollgate.", "")).append(String.format(" %.3f", v)));
      out.append(String.format("| %s | %s | %s | %,d | %,.0f (%.2f×) | %.3f | %.3f | %s | %s, %d/s for %d s |%n",
          date, machine, r.variant(), events, r.eventsPerSecond(), baseline == 0 ? 1 : r.eventsPerSecond() / baseline,
          repartition, changelog, topics, r.freshness(), rate, seconds));
    }
    return out.toString();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  private static String freshness(KafkaProducer<String, UsageEvent> producer, ClickHouseClient ch, Random random,
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
    return String.format("freshness p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d markers, %d never seen)",
        pct(sorted, 50), pct(sorted, 99), sorted.length == 0 ? 0.0 : sorted[sorted.length - 1] / 1e6, sorted.length,
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
