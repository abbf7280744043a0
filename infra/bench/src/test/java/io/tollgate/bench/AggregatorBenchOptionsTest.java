package io.tollgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The aggregator benchmark's flags and its BENCHMARKS.md block, without running it. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AggregatorBenchOptionsTest {

  @Test
  void defaultsQuickAndExplicitFlags() {
    AggregatorBenchOptions d = AggregatorBenchOptions.parse(new String[0]);
    assertThat(d.events()).isEqualTo(1_000_000);
    assertThat(d.variants()).containsExactly("per-event", "pre-aggregated");
    assertThat(d.command()).isEqualTo("./tollgate bench aggregator");
    AggregatorBenchOptions q = AggregatorBenchOptions.parse(new String[] {"--quick", "--events", "5000",
        "--streams", "a=1,b=2", "--no-scale"});
    assertThat(q.events()).as("an explicit --events wins over --quick").isEqualTo(5_000);
    assertThat(q.seconds()).isEqualTo(10);
    assertThat(q.streams()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "b", "2"));
    assertThat(q.scale()).isFalse();
    assertThat(q.warmUp().events()).as("at least 20,000 warm-up events").isEqualTo(20_000);
  }

  @Test
  void badFlagsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> AggregatorBenchOptions.parse(new String[] {"--variants", "nope"}))
        .hasMessageContaining("unknown variant 'nope'");
    assertThatThrownBy(() -> AggregatorBenchOptions.parse(new String[] {"--events"}))
        .hasMessageContaining("--events needs a value");
    assertThatThrownBy(() -> AggregatorBenchOptions.parse(new String[] {"--streams", "=x"}))
        .hasMessageContaining("name=value");
    assertThatThrownBy(() -> AggregatorBenchOptions.parse(new String[] {"--seconds", "0"}))
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> AggregatorBenchOptions.parse(new String[] {"--variants", "pre-aggregated,pre-aggregated"}))
        .hasMessageContaining("each variant once");
  }

  @Test
  void theBlockSaysByHowMuchAGoalIsMissed() {
    AggregatorBenchOptions o = AggregatorBenchOptions.parse(new String[] {"--quick"});
    var fresh = new AggregatorBench.Freshness(5_000, 4_999, 800, 2_500, 2_600, 100, 0);
    var backlog = new AggregatorBench.Backlog("pre-aggregated", 200_000, 10, true, Map.of("x-repartition", 0.5),
        "no samples", List.of(fresh), 60, 40, Map.of(JvmThreadCpu.STREAM, 40.0, JvmThreadCpu.VM, 5.0,
            AggregatorBench.CLICKHOUSE, 3.5));
    String block = AggregatorBenchReport.block(o, List.of(backlog),
        List.of(new AggregatorBench.Scale(1, 6, 200_000, 2, true)), "0.10", Instant.parse("2026-12-03T19:00:00Z"),
        Duration.ofSeconds(75));
    assertThat(block).contains("#### Run of 2026-12-03T19:00:00Z (dev-")
        .contains("missed by 40,000 events/s (0.33× of the goal)") // 20k/s of the backlog
        .contains("missed by 500 ms")                              // p99 2.5 s
        .contains("| 100,000 | 1.00× | met |")                     // the scale row: 100k/s
        // the CPU by thread: stream threads first, ClickHouse last, then the total of the row
        .contains("| pre-aggregated | 40.0 | n/a | n/a | n/a | n/a | n/a | n/a | 5.0 | 3.5 | 48.5 |");
  }

  @Test
  void threadsAreGroupedByWhatTheyDo() {
    assertThat(JvmThreadCpu.group("bench-5f0c-StreamThread-1")).isEqualTo(JvmThreadCpu.STREAM);
    assertThat(JvmThreadCpu.group("kafka-producer-network-thread | bench-5f0c-StreamThread-1-producer"))
        .isEqualTo(JvmThreadCpu.STREAM_PRODUCER);
    assertThat(JvmThreadCpu.group("data-plane-kafka-request-handler-3")).isEqualTo(JvmThreadCpu.BROKER_HANDLER);
    assertThat(JvmThreadCpu.group("data-plane-kafka-network-thread-1-PLAINTEXT-PLAINTEXT-0"))
        .isEqualTo(JvmThreadCpu.BROKER_NETWORK);
    assertThat(JvmThreadCpu.group("group-coordinator-event-processor-0")).isEqualTo(JvmThreadCpu.BROKER_OTHER);
    assertThat(JvmThreadCpu.group("clickhouse-sink")).isEqualTo(JvmThreadCpu.SINK);
    assertThat(JvmThreadCpu.group("kafka-producer-network-thread | producer-1")).isEqualTo(JvmThreadCpu.OTHER);
    Map<String, Long> now = JvmThreadCpu.read(Long.MAX_VALUE / 2);
    assertThat(now.keySet()).containsExactlyElementsOf(JvmThreadCpu.GROUPS);
    assertThat(now.get(JvmThreadCpu.OTHER)).isPositive(); // this test's own thread
  }
}
