package io.tollgate.ingress.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What {@code tollgate.kafka.properties} may change in the gateway's producer (docs/security.md). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class KafkaUsagePublisherConfigTest {

  @Test
  void securityAndTuningComeThroughAndTheDurabilitySettingsStay() {
    Map<String, Object> config = KafkaUsagePublisher.producerConfig("k:9093", "tollgate-ingress-gw-1", Map.of(
        "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "linger.ms", "20",
        "client.id", "pod-7", "acks", "-1"));
    assertThat(config).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("linger.ms", "20").containsEntry("client.id", "pod-7").containsEntry("acks", "all")
        .containsEntry("enable.idempotence", true).containsEntry("bootstrap.servers", "k:9093")
        .containsEntry("compression.type", "lz4");
  }

  @Test
  void turningOffIdempotenceOrWeakeningAcksIsRefusedBeforeTheSpillDirIsLocked(@TempDir Path dir) {
    assertThatThrownBy(() -> new KafkaUsagePublisher("127.0.0.1:1", dir, "gw", PublishMetrics.NONE,
        Map.of("enable.idempotence", "false", "acks", "1", "sasl.jaas.config", "x password=\"hunter2\";")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("enable.idempotence").hasMessageContaining("acks")
        .hasMessageNotContaining("hunter2");
    // Nothing holds the directory: a corrected configuration can start on it.
    try (SpillLog log = new SpillLog(dir)) {
      assertThat(log.isEmpty()).isTrue();
    }
  }
}
