package io.tollgate.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.serde.TollgateSerdes;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SpendWindowTotals} with a bound of open windows so small that every sum overflows it (each
 * touches three windows): the windows written earlier are forgotten and read back from their stores,
 * the changed ones written and emitted early — and the newest totals are exactly those of an
 * unbounded run, versions included. TopologyTestDriver commits after every record, so several sums
 * between two commits (where forgetting a changed window would lose it) are {@code AggregatorIT}'s.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SpendWindowTotalsTest {
  private static final long BASE = 1_764_547_200_000L; // 2025-12-01T00:00:00Z

  @Test
  void aFullMapOfOpenWindowsLosesNothing() throws Exception {
    Random random = new Random(5);
    long[] times = new long[2_000];
    String[] groups = new String[times.length];
    UsageSum[] sums = new UsageSum[times.length];
    for (int i = 0; i < times.length; i++) {
      times[i] = BASE + i * 5_000L - random.nextInt(600_000); // three hours, out of order by up to 10 minutes
      groups[i] = SpendKeys.group("c-" + random.nextInt(7), "m-" + random.nextInt(2), "t");
      sums[i] = new UsageSum(1 + random.nextInt(3), random.nextInt(2), 0, 0, random.nextInt(1_000),
          random.nextInt(100), 0, 0, 0, 0, 1 + random.nextInt(1_000_000), times[i]);
    }
    Map<String, SpendWindow> unbounded = run(SpendWindowTotals.MAX_LIVE, times, groups, sums, 0);
    assertThat(unbounded).hasSizeGreaterThan(300);
    for (long cache : new long[] {0, 10 * 1024 * 1024}) {
      assertThat(run(2, times, groups, sums, cache)).containsExactlyInAnyOrderEntriesOf(unbounded);
      assertThat(run(5, times, groups, sums, cache)).containsExactlyInAnyOrderEntriesOf(unbounded);
    }
  }

  private static Map<String, SpendWindow> run(int maxOpen, long[] times, String[] groups, UsageSum[] sums, long cache)
      throws Exception {
    Duration grace = Duration.ofHours(24);
    CommitHook hook = new CommitHook(SpendWindowTotals.HOOK_STORE);
    Topology topology = new Topology();
    topology.addSource("sums", Serdes.String().deserializer(), UsageSum.serde().deserializer(), "sums");
    topology.addProcessor("spend-windows", () -> new SpendWindowTotals(grace, TopologyMetrics.NONE, hook, maxOpen),
        "sums");
    for (var store : SpendWindowTotals.stores(grace, hook)) {
      topology.addStateStore(store, "spend-windows");
    }
    topology.addSink("out", "windows", Serdes.String().serializer(), TollgateSerdes.spendWindow().serializer(),
        "spend-windows");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "spend-window-totals-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("spend-window-totals").toString());
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, cache);
    try (TopologyTestDriver driver = new TopologyTestDriver(topology, props)) {
      var in = driver.createInputTopic("sums", Serdes.String().serializer(), UsageSum.serde().serializer());
      var out = driver.createOutputTopic("windows", Serdes.String().deserializer(),
          TollgateSerdes.spendWindow().deserializer());
      for (int i = 0; i < times.length; i++) {
        in.pipeInput(groups[i], sums[i], times[i]);
      }
      Map<String, SpendWindow> latest = new LinkedHashMap<>();
      for (TestRecord<String, SpendWindow> r : out.readRecordsToList()) {
        SpendWindow previous = latest.get(r.key());
        assertThat(previous == null || r.value().getVersion() > previous.getVersion()).as("versions only grow").isTrue();
        latest.put(r.key(), r.value());
      }
      return latest;
    }
  }
}
