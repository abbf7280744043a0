package io.tollgate.schemas.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommandLineTest {

  @Test
  void readsKnownAndPrefixedOptions() {
    CommandLine c = CommandLine.parse(new String[] {"--bootstrap", "k:9092", "--kafka.num.standby.replicas", "1",
        "--api-port", "4101"}, Set.of("bootstrap", "api-port"), "kafka.");
    assertThat(c.get("bootstrap", "x")).isEqualTo("k:9092");
    assertThat(c.get("missing", "fallback")).isEqualTo("fallback");
    assertThat(c.port("api-port", 4001)).isEqualTo(4101);
    assertThat(c.prefixed()).isEqualTo(Map.of("num.standby.replicas", "1"));
  }

  @Test
  void everyProblemAtOnce() {
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--aplication-id", "x", "stray", "--kafka.", "v",
        "--bootstrap"}, Set.of("bootstrap", "application-id"), "kafka."))
        .hasMessageContaining("unknown option '--aplication-id'")
        .hasMessageContaining("unknown option 'stray'")
        .hasMessageContaining("unknown option '--kafka.'")
        .hasMessageContaining("--bootstrap needs a value")
        .hasMessageContaining("--application-id, --bootstrap, --kafka.<property>");
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--api-port", "http"}, Set.of("api-port"), null)
        .port("api-port", 1)).hasMessageContaining("--api-port must be a port number, got 'http'");
  }

  @Test
  void theValueOfAnUnknownOptionIsNeverEchoed() {
    assertThatThrownBy(() -> CommandLine.parse(new String[] {"--kafak.sasl.jaas.config", "password=s3cr3t"},
        Set.of("bootstrap"), "kafka."))
        .hasMessageContaining("unknown option '--kafak.sasl.jaas.config'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
  }
}
