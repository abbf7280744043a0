package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.schemas.config.ConfigException;
import io.tollgate.schemas.config.ConfigFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tollgate.aggregator}: typed, defaults in one place, every problem at once, unknown keys warned. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AggregatorConfigTest {
  @TempDir
  Path dir;

  private ConfigFile file(String yaml) throws Exception {
    Path f = dir.resolve("config.yaml");
    Files.writeString(f, yaml);
    return ConfigFile.load(f);
  }

  @Test
  void withoutAFileOrSectionTheDefaultsHold() throws Exception {
    assertThat(AggregatorConfig.from(null)).isEqualTo(AggregatorConfig.defaults());
    AggregatorConfig config = AggregatorConfig.from(file("tollgate:\n  port: 4000\n"));
    assertThat(config.sinkBatchRows()).isEqualTo(20_000);
    assertThat(config.sinkFlushInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.usageRetentionMonths()).isZero();
    assertThat(config.preAggregate()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.topology().preAggregate()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void theSectionSetsTheSinkAndTheRetention() throws Exception {
    AggregatorConfig config = AggregatorConfig.from(file("""
        tollgate:
          aggregator:
            sink_batch_rows: 50000
            sink_flush_interval_ms: 1000
            usage_retention_months: 13
            pre_aggregate_ms: 0
        """));
    assertThat(config.preAggregate()).as("0 = the per-event topology").isZero();
    assertThat(config.sinkBatchRows()).isEqualTo(50_000);
    assertThat(config.sinkFlushInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.usageRetentionMonths()).isEqualTo(13);
    assertThat(config.commitInterval()).as("the per-event topology keeps its 200 ms").isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void theCommitIntervalDefaultsToFiveSecondsPreAggregatedAndCanBeSet() throws Exception {
    assertThat(AggregatorConfig.defaults().commitInterval()).isEqualTo(Duration.ofSeconds(5));
    AggregatorConfig config = AggregatorConfig.from(file("""
        tollgate:
          aggregator:
            commit_interval_ms: 250
        """));
    assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.toString()).contains("commits at least every 250 ms");
  }

  @Test
  void everyBadValueIsReportedAtOnce() throws Exception {
    ConfigFile f = file("""
        tollgate:
          aggregator:
            sink_batch_rows: 0
            sink_flush_interval_ms: 3600000
            usage_retention_months: -1
            pre_aggregate_ms: 60001
            commit_interval_ms: 5
        """);
    assertThatThrownBy(() -> AggregatorConfig.from(f)).isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
            "tollgate.aggregator.sink_batch_rows must be 1..1000000",
            "tollgate.aggregator.sink_flush_interval_ms must be 1..60000",
            "tollgate.aggregator.usage_retention_months must be 0..1200",
            "tollgate.aggregator.pre_aggregate_ms must be 0..60000",
            "tollgate.aggregator.commit_interval_ms must be 10..60000"));
  }

  @Test
  void anUnknownKeyIsAWarningThatFailsValidate() throws Exception {
    ConfigFile f = file("tollgate:\n  aggregator:\n    sink_batch_row: 100\n");
    AggregatorConfig config = AggregatorConfig.from(f);
    assertThat(config.sinkBatchRows()).isEqualTo(20_000);
    assertThat(config.warnings()).singleElement().asString().contains("tollgate.aggregator.sink_batch_row");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = io.tollgate.schemas.config.Problems.validate(() -> AggregatorConfig.from(f), AggregatorConfig::warnings,
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("sink_batch_row");
  }
}
