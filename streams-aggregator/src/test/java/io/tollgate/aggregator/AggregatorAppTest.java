package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
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
}
