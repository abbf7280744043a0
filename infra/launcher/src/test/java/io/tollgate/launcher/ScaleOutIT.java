package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.topics.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production shape of docs/scale-out.md in one test: three gateways and two aggregator
 * instances (one Streams application id) on a broker whose Tollgate topics have six partitions.
 * A paced load goes through the gateways round-robin; mid-run one aggregator is killed with
 * SIGKILL, the survivor takes over its partitions, and the killed instance comes back and gets
 * its share again. Every call reaches the topic exactly once,
 * and {@code usage_events}, {@code spend_1m}, {@code spend_1h} and {@code spend_1d} (FINAL) hold
 * exactly the calls, tokens and nano-USD the requests imply — per customer, model and tool.
 */
@ExtendWith(ClickHouseExtension.class)
class ScaleOutIT {
  private static final String APPLICATION_ID = "scaleout-aggregator";
  private static final int PARTITIONS = 6;
  private static final int GATEWAYS = 3;
  private static final int CALLS = 3_000;
  private static final Duration LOAD_SPAN = Duration.ofSeconds(20);
  private static final Set<Integer> ALL_PARTITIONS = IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toSet());
  private static final List<String> SPEND_TABLES = List.of("spend_1m", "spend_1h", "spend_1d");
  private final long started = System.nanoTime();

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void totalsStayExactWithThreeGatewaysAndAnAggregatorKilledMidRun(ClickHouseTestDatabase db, @TempDir Path dir)
      throws Exception {
    ScaleOutLoad load = new ScaleOutLoad(20_261_124, CALLS, GATEWAYS);
    List<Gateway> gateways = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka")).withPartitions(PARTITIONS));
         Admin admin = kafka.admin();
         MockProvider mock = MockProvider.start(0);
         AggregatorProcesses aggregators = new AggregatorProcesses(kafka.bootstrapServers(), APPLICATION_ID,
             db.settings(), dir.resolve("streams"), admin)) {
      try {
        for (TopicDescription topic : admin.describeTopics(List.of(Topics.USAGE.name(), Topics.SPEND_WINDOWS.name()))
            .allTopicNames().get(30, TimeUnit.SECONDS).values()) {
          assertThat(topic.partitions()).as(topic.name()).hasSize(PARTITIONS);
        }
        log("Kafka up with " + PARTITIONS + " partitions per topic");
        aggregators.start("agg-a", "agg-b");
        for (int i = 1; i <= GATEWAYS; i++) {
          gateways.add(startGateway("gw-" + i, kafka.bootstrapServers(), mock.baseUrl(), dir.resolve("spill-" + i)));
        }
        Map<String, Set<Integer>> split = aggregators.awaitUsagePartitions(
            g -> g.keySet().equals(Set.of("agg-a", "agg-b")) && g.values().stream().noneMatch(Set::isEmpty)
                && union(g).equals(ALL_PARTITIONS), Duration.ofSeconds(60), "both instances share the partitions");
        log("aggregators share the usage partitions: " + split);

        load.start(gateways.stream().map(Gateway::port).toList(), 6, LOAD_SPAN);
        awaitProgressOnEveryPartition(load, aggregators);
        int answeredAtKill = load.completed();
        aggregators.kill("agg-a");
        log("SIGKILL agg-a (owned " + split.get("agg-a") + ") after " + answeredAtKill + " of " + CALLS + " calls");
        assertThat(answeredAtKill).as("the kill happens while the load runs").isLessThan(CALLS);

        Map<String, Set<Integer>> takeover = aggregators.awaitUsagePartitions(
            g -> g.keySet().equals(Set.of("agg-b")) && g.get("agg-b").equals(ALL_PARTITIONS),
            Duration.ofSeconds(45), "agg-b owns every partition after agg-a died");
        log("agg-b took over: " + takeover + " (" + load.completed() + " calls answered)");

        // The killed instance comes back on its old state dir and the group shares the work again.
        aggregators.start("agg-a");
        Map<String, Set<Integer>> rejoined = aggregators.awaitUsagePartitions(
            g -> g.keySet().equals(Set.of("agg-a", "agg-b")) && g.values().stream().noneMatch(Set::isEmpty)
                && union(g).equals(ALL_PARTITIONS), Duration.ofSeconds(45), "agg-a rejoins and gets partitions back");
        log("agg-a rejoined: " + rejoined + " (" + load.completed() + " calls answered)");

        assertThat(load.awaitDone(Duration.ofSeconds(60))).as("the load finishes").isTrue();
        assertThat(load.failures()).as("calls that failed at the client").isEmpty();
        assertThat(load.completed()).isEqualTo(CALLS);
        log("load done: " + CALLS + " calls answered 200");
        for (int i = 0; i < gateways.size(); i++) {
          Gateway g = gateways.get(i);
          long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while (g.handoffBacklog() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(50); // acknowledgements follow the last answers
          }
          assertThat(g.handoffBacklog()).as("gw-%d's unacknowledged hand-off backlog (Kafka never went away)", i + 1)
              .isZero();
        }
        closeAll(gateways);

        assertTopicHoldsEveryCallOnce(kafka.bootstrapServers(), load);
        // Compare only once everything went through, stage by stage in topology order (a stage's
        // input is complete only once the stage before it is consumed): Streams consumed the usage
        // topic, then its repartition topics (every window total is then on the window topic), then
        // the sink consumed the usage and window topics (it commits only after ClickHouse took the rows).
        PipelineDrain drain = new PipelineDrain(kafka.bootstrapServers(), admin);
        drain.await(APPLICATION_ID, List.of(Topics.USAGE.name()), Duration.ofSeconds(60));
        drain.await(APPLICATION_ID, drain.repartitionTopics(APPLICATION_ID), Duration.ofSeconds(60));
        drain.await(APPLICATION_ID + "-clickhouse-sink", List.of(Topics.USAGE.name(), Topics.SPEND_WINDOWS.name()),
            Duration.ofSeconds(60));
        log("Streams and the sink consumed every topic to its end");
        // Pre-aggregated sums are committed with the usage offsets that made them and sent at the
        // next flush (pre_aggregate_ms, or once a moved task is restored), so "usage consumed" can
        // come before they reach the repartition topics: wait, bounded, until the windows match,
        // then compare exactly (a lost or doubled sum never matches and fails below).
        long settle = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < settle && !SPEND_TABLES.stream()
            .allMatch(t -> SpendReadback.table(db.client(), t).equals(load.expected()))) {
          Thread.sleep(200);
        }
        assertClickHouseExact(db.client(), load);
        log("exact; whole test " + seconds() + " s");
      } finally {
        load.stop();
        closeAll(gateways);
      }
    }
  }

  /** Waits until the load is a third through and the application committed progress on every partition. */
  private void awaitProgressOnEveryPartition(ScaleOutLoad load, AggregatorProcesses aggregators) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Map<Integer, Long> committed = Map.of();
    while (System.nanoTime() < deadline) {
      committed = aggregators.committedUsageOffsets();
      if (load.completed() >= CALLS / 3 && committed.keySet().equals(ALL_PARTITIONS)
          && committed.values().stream().allMatch(offset -> offset > 0)) {
        log("committed usage offsets before the kill: " + committed);
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no committed progress on every partition within 60 s: " + committed);
  }

  private void assertTopicHoldsEveryCallOnce(String bootstrap, ScaleOutLoad load) {
    SpendReadback.TopicContent topic = SpendReadback.usageTopic(bootstrap);
    assertThat(topic.events()).as("usage events on the topic").isEqualTo(CALLS);
    assertThat(topic.distinctEventIds()).as("distinct event ids").isEqualTo(CALLS);
    assertThat(topic.byKey()).as("topic totals per customer|model|tool").isEqualTo(load.expected());
    assertThat(topic.byGateway()).as("events per gateway id").isEqualTo(callsPerGateway(load));
    log("topic: " + topic.events() + " events, " + topic.byGateway());
  }

  private void assertClickHouseExact(ClickHouseClient ch, ScaleOutLoad load) {
    Totals expected = SpendReadback.total(load.expected());
    log("usage_events holds " + ch.queryLong("SELECT count() FROM usage_events")
        + " rows before FINAL collapses replays of the killed sink's last batch");
    Map<String, Totals> expectedPerCustomer = SpendReadback.perCustomer(load.expected());
    // Every table's total before the first assertion stops the test: a loss in one window only points
    // at that window's store, the same loss in all three at the sums before the repartition.
    for (String table : List.of("spend_1m", "spend_1h", "spend_1d", "usage_events")) {
      Totals total = SpendReadback.total(SpendReadback.table(ch, table));
      log(table + " FINAL total: " + total + (total.equals(expected) ? " (exact)" : " (expected " + expected + ")"));
    }
    for (String table : SPEND_TABLES) {
      Map<String, Totals> actual = SpendReadback.table(ch, table);
      assertThat(SpendReadback.total(actual)).as(table + " FINAL in total").isEqualTo(expected);
      assertThat(SpendReadback.perCustomer(actual)).as(table + " FINAL per customer").isEqualTo(expectedPerCustomer);
      assertThat(actual).as(table + " FINAL per customer|model|tool").isEqualTo(load.expected());
    }
    assertThat(ch.queryLong("SELECT count() FROM usage_events FINAL")).as("usage_events FINAL rows").isEqualTo(CALLS);
    assertThat(SpendReadback.table(ch, "usage_events")).as("usage_events FINAL per customer|model|tool")
        .isEqualTo(load.expected());
    assertThat(SpendReadback.gateways(ch)).as("usage_events FINAL rows per gateway id").isEqualTo(callsPerGateway(load));
  }

  private static Map<String, Long> callsPerGateway(ScaleOutLoad load) {
    Map<String, Long> perGateway = new TreeMap<>();
    for (int i = 0; i < GATEWAYS; i++) {
      perGateway.put("gw-" + (i + 1), load.callsTo(i));
    }
    return perGateway;
  }

  private static Gateway startGateway(String id, String kafka, String mockUrl, Path spill) throws Exception {
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %1$s}
          - model_name: claude-haiku-4-5
            litellm_params: {model: anthropic/claude-haiku-4-5, api_base: %1$s}
          - model_name: gpt-5
            litellm_params: {model: openai/gpt-5, api_base: %1$s}
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: %2$s
          spill_dir: "%3$s"
          kafka: {bootstrap_servers: "%4$s"}
        """.formatted(mockUrl, id, spill, kafka);
    return Gateway.start(ConfigLoader.fromTree(new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of()));
  }

  private static void closeAll(List<Gateway> gateways) {
    gateways.forEach(Gateway::close);
    gateways.clear();
  }

  private static Set<Integer> union(Map<String, Set<Integer>> owners) {
    Set<Integer> all = new HashSet<>();
    owners.values().forEach(all::addAll);
    return all;
  }

  private String seconds() {
    return String.format("%.1f", (System.nanoTime() - started) / 1e9);
  }

  private void log(String message) {
    System.out.println("[scale-out +" + seconds() + " s] " + message);
  }
}
