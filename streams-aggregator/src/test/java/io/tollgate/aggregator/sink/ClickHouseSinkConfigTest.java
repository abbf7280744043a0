package io.tollgate.aggregator.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the sink's consumer takes from the operator and what it keeps (docs/security.md). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ClickHouseSinkConfigTest {

  @Test
  void securityAndTuningPassButTheReadCommittedManualCommitSetupStays() {
    Map<String, Object> config = ClickHouseSink.consumerConfig("k:9093", "agg-clickhouse-sink", Map.of(
        "security.protocol", "SSL", "ssl.truststore.location", "/t.p12", "max.poll.records", "500",
        "session.timeout.ms", "6000", "isolation.level", "READ_COMMITTED"));
    assertThat(config).containsEntry("security.protocol", "SSL").containsEntry("ssl.truststore.location", "/t.p12")
        .containsEntry("max.poll.records", "500").containsEntry("session.timeout.ms", "6000")
        .containsEntry("isolation.level", "read_committed").containsEntry("enable.auto.commit", false)
        .containsEntry("group.id", "agg-clickhouse-sink").containsEntry("bootstrap.servers", "k:9093");
  }

  @Test
  void readingUncommittedOrAutoCommittingIsRefused() {
    assertThatThrownBy(() -> ClickHouseSink.consumerConfig("k:9093", "g", Map.of("isolation.level", "read_uncommitted",
        "enable.auto.commit", "true", "auto.offset.reset", "latest", "group.id", "other")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("isolation.level").hasMessageContaining("enable.auto.commit")
        .hasMessageContaining("auto.offset.reset").hasMessageContaining("group.id");
  }
}
