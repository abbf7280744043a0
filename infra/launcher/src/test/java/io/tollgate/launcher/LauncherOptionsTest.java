package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LauncherOptionsTest {

  @Test
  void defaultsStartEverythingLocally() {
    LauncherOptions o = LauncherOptions.parse(new String[0], Map.of());
    assertThat(o.home()).isEqualTo(Path.of(".tollgate").toAbsolutePath().normalize());
    assertThat(o.kafkaBootstrap()).isNull();
    assertThat(o.clickhouseUrl()).isNull();
    assertThat(o.kafkaPort()).isEqualTo(9092);
    assertThat(o.clickhousePort()).isEqualTo(8123);
    assertThat(o.mockPort()).isEqualTo(4010);
    assertThat(o.mockProvider()).isTrue();
    assertThat(o.gatewayPort()).isEqualTo(4000);
    assertThat(o.config()).isNull();
  }

  @Test
  void environmentSetsHomeClickHouseAndProviderKeys() {
    LauncherOptions o = LauncherOptions.parse(new String[0], Map.of(
        "TOLLGATE_HOME", "/tmp/tg", "CLICKHOUSE_URL", "http://ch:8123", "ANTHROPIC_API_KEY", "sk-x"));
    assertThat(o.home()).isEqualTo(Path.of("/tmp/tg"));
    assertThat(o.clickhouseUrl()).isEqualTo("http://ch:8123");
    assertThat(o.mockProvider()).as("real provider keys given").isFalse();
  }

  @Test
  void flagsOverrideEnvironment() {
    LauncherOptions o = LauncherOptions.parse(new String[] {"--home", "/data", "--kafka", "k:9092",
        "--kafka-port", "19092", "--mock-port", "14010", "--partitions", "6", "--no-mock"},
        Map.of("TOLLGATE_HOME", "/tmp/tg"));
    assertThat(o.home()).isEqualTo(Path.of("/data"));
    assertThat(o.kafkaBootstrap()).isEqualTo("k:9092");
    assertThat(o.kafkaPort()).isEqualTo(19092);
    assertThat(o.mockPort()).isEqualTo(14010);
    assertThat(o.partitions()).isEqualTo(6);
    assertThat(o.mockProvider()).isFalse();
  }

  @Test
  void theOldSpendApiPortSaysWhereTheApiWent() {
    assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--api-port", "4001"}, Map.of()))
        .isInstanceOf(LauncherOptions.InvalidOptions.class)
        .hasMessageContaining("the spend API").hasMessageContaining("gateway port");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--kafka-port", "x", "--bogus",
        "--mock-port", "70000", "--clickhouse", "ch:8123", "--partitions", "0"}, Map.of()))
        .isInstanceOf(LauncherOptions.InvalidOptions.class)
        .hasMessageContaining("--kafka-port must be a port number")
        .hasMessageContaining("unknown option '--bogus'")
        .hasMessageContaining("--mock-port must be a port number")
        .hasMessageContaining("ClickHouse URL must look like http://host:8123")
        .hasMessageContaining("--partitions must be a positive number");
    assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--clickhouse-password", "s3cr3t"}, Map.of()))
        .hasMessageContaining("unknown option '--clickhouse-password'")
        .satisfies(e -> assertThat(e.getMessage()).as("its value may be a secret").doesNotContain("s3cr3t"));
    assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--config", "/nonexistent.yaml"}, Map.of()))
        .hasMessageContaining("config file '/nonexistent.yaml' cannot be read");
  }

  @Test
  void missingValueIsNamed() {
    assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--home"}, Map.of()))
        .hasMessageContaining("--home needs a value");
  }

  @Test
  void demoOnlyRunsAgainstTheMockProvider() {
    assertThat(LauncherOptions.parse(new String[] {"--demo"}, Map.of()).demoMinutes()).isEqualTo(3);
    assertThat(LauncherOptions.parse(new String[] {"--demo-minutes", "10"}, Map.of()).demoMinutes()).isEqualTo(10);
    assertThat(LauncherOptions.parse(new String[0], Map.of()).demoMinutes()).isZero();
    assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--demo"}, Map.of("OPENAI_API_KEY", "sk-real")))
        .hasMessageContaining("--demo sends its traffic to the mock provider");
    assertThatThrownBy(() -> LauncherOptions.parse(new String[] {"--demo", "--no-mock"}, Map.of()))
        .hasMessageContaining("--demo sends its traffic to the mock provider");
  }
}
