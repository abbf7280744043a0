package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** The per-instance Kafka properties of a scaled-out aggregator (docs/scale-out.md). */
class AggregatorAppTest {

  @Test
  void theSinkGetsOnlyConsumerPropertiesAndAClientIdOfItsOwn() {
    Map<String, String> sink = AggregatorApp.sinkConsumerProperties(Map.of("num.standby.replicas", "1",
        "session.timeout.ms", "10000", "heartbeat.interval.ms", "2000", "client.id", "agg-a"));
    assertThat(sink).containsExactlyInAnyOrderEntriesOf(Map.of("session.timeout.ms", "10000",
        "heartbeat.interval.ms", "2000", "client.id", "agg-a-clickhouse-sink"));
  }

  @Test
  void propertiesThatExactlyOnceDependsOnCannotBeOverridden() {
    assertThatThrownBy(() -> AggregatorApp.refuseOwnProperties(Map.of("processing.guarantee", "at_least_once",
        "num.standby.replicas", "1", "state.dir", "/tmp/x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[processing.guarantee, state.dir]");
    AggregatorApp.refuseOwnProperties(Map.of("num.standby.replicas", "1"));
  }

  @Test
  void anInstancesOwnSessionTimeoutWinsOverTheDefault() {
    Map<String, Object> defaults = new StreamsConfig(AggregatorApp.streamsProperties("k:9092", "agg", Path.of("/tmp/s"),
        Duration.ofSeconds(1), Map.of())).getMainConsumerConfigs("agg", "agg-1", 0);
    assertThat(defaults.get("session.timeout.ms")).isEqualTo(10_000);
    Map<String, Object> tuned = new StreamsConfig(AggregatorApp.streamsProperties("k:9092", "agg", Path.of("/tmp/s"),
        Duration.ofSeconds(1), Map.of("session.timeout.ms", "6000"))).getMainConsumerConfigs("agg", "agg-1", 0);
    assertThat(tuned.get("session.timeout.ms")).isEqualTo("6000");
  }

  @Test
  void theCommitIntervalIsTheConfiguredOneUnlessTheInstanceSetsItsOwn() {
    assertThat(new StreamsConfig(AggregatorApp.streamsProperties("k:9092", "agg", Path.of("/tmp/s"),
        Duration.ofMillis(1_500), Map.of())).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(1_500L);
    assertThat(new StreamsConfig(AggregatorApp.streamsProperties("k:9092", "agg", Path.of("/tmp/s"),
        Duration.ofMillis(1_500), Map.of("commit.interval.ms", "300"))).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG))
        .isEqualTo(300L);
  }

  @Test
  void transactionsMayStayOpenForTwoCommitIntervalsAndAtLeastTenSeconds() {
    String timeout = StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
    assertThat(AggregatorApp.streamsProperties("k:9092", "agg", Path.of("/tmp/s"), Duration.ofSeconds(5), Map.of())
        .get(timeout)).isEqualTo(10_000);
    assertThat(AggregatorApp.streamsProperties("k:9092", "agg", Path.of("/tmp/s"), Duration.ofSeconds(30), Map.of())
        .get(timeout)).isEqualTo(60_000);
    assertThat(AggregatorApp.streamsProperties("k:9092", "agg", Path.of("/tmp/s"), Duration.ofSeconds(30),
        Map.of(timeout, "90000")).get(timeout)).as("the instance's own wins").isEqualTo("90000");
  }

  @Test
  void theRecordCacheHoldsACommitIntervalOfChangesUnlessTheInstanceSetsItsOwn() {
    assertThat(new StreamsConfig(AggregatorApp.streamsProperties("k:9092", "agg", Path.of("/tmp/s"),
        Duration.ofSeconds(1), Map.of())).getLong(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG))
        .isEqualTo(64L * 1024 * 1024);
    assertThat(new StreamsConfig(AggregatorApp.streamsProperties("k:9092", "agg", Path.of("/tmp/s"),
        Duration.ofSeconds(1), Map.of("statestore.cache.max.bytes", "1048576")))
        .getLong(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG)).isEqualTo(1_048_576L);
  }

  @Test
  void preAggregationFlushesAreCountedPerState() {
    io.tollgate.schemas.metrics.MetricsRegistry registry = new io.tollgate.schemas.metrics.MetricsRegistry();
    var metrics = AggregatorApp.topologyMetrics(registry);
    metrics.preAggregateFlush(true);
    metrics.preAggregateFlush(true);
    metrics.preAggregateFlush(false);
    Map<String, Double> byState = new java.util.TreeMap<>();
    for (var snapshot : registry.prometheus().scrape()) {
      if (snapshot.getMetadata().getName().equals("tollgate_aggregator_pre_aggregate_flushes")
          && snapshot instanceof io.prometheus.metrics.model.snapshots.CounterSnapshot c) {
        c.getDataPoints().forEach(p -> byState.put(p.getLabels().get("state"), p.getValue()));
      }
    }
    assertThat(byState).containsExactly(Map.entry("behind", 1.0), Map.entry("caught_up", 2.0));
  }
}
