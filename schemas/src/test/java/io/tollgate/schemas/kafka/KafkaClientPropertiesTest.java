package io.tollgate.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class KafkaClientPropertiesTest {
  private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
      + "username=\"gw\" password=\"hunter2\";";

  @Test
  void theOperatorsPropertiesWinOverDefaultsAndOwnedOnesStay() {
    Map<String, Object> config = KafkaClientProperties.merge("p", Map.of("linger.ms", 5, "client.id", "x"),
        Map.of("security.protocol", "SASL_SSL", "linger.ms", "20", "acks", "-1"), Map.of("acks", "all"));
    assertThat(config).containsEntry("security.protocol", "SASL_SSL").containsEntry("linger.ms", "20")
        .containsEntry("client.id", "x").containsEntry("acks", "all");
  }

  @Test
  void aConflictWithAnOwnedPropertyIsRefusedWithNamesButNoValues() {
    assertThatThrownBy(() -> KafkaClientProperties.merge("the gateway's usage producer", Map.of(),
        Map.of("enable.idempotence", "false", "sasl.jaas.config", JAAS, "acks", "1"),
        Map.of("enable.idempotence", true, "acks", "all", "sasl.jaas.config", "other")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the gateway's usage producer")
        .hasMessageContaining("enable.idempotence (Tollgate needs enable.idempotence=true)")
        .hasMessageContaining("acks (Tollgate needs acks=all)")
        .hasMessageNotContaining("hunter2");
    // Repeating the owned value is fine (case-insensitively).
    KafkaClientProperties.merge("p", Map.of(), Map.of("enable.idempotence", "TRUE"), Map.of("enable.idempotence", true));
  }

  @Test
  void aFileGivesPropertiesThatTheExplicitOnesOverride(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("kafka.properties");
    Files.writeString(file, "security.protocol=SSL\nssl.truststore.location=/etc/ts.p12\nclient.id=from-file\n");
    Map<String, String> all = KafkaClientProperties.withFile(Map.of("client.id", "cli"),
        Map.of(KafkaClientProperties.FILE_ENV, file.toString()));
    assertThat(all).containsExactlyInAnyOrderEntriesOf(Map.of("security.protocol", "SSL",
        "ssl.truststore.location", "/etc/ts.p12", "client.id", "cli"));
    assertThat(KafkaClientProperties.withFile(Map.of("a", "b"), Map.of())).isEqualTo(Map.of("a", "b"));
    assertThatThrownBy(() -> KafkaClientProperties.withFile(Map.of(),
        Map.of(KafkaClientProperties.FILE_ENV, dir.resolve("missing").toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing");
  }

  @Test
  void aDescriptionShowsNamesNeverValues() {
    String text = KafkaClientProperties.describe(Map.of("sasl.jaas.config", JAAS, "security.protocol", "sasl_ssl",
        "ssl.truststore.password", "s3cret"));
    assertThat(text).contains("sasl.jaas.config", "ssl.truststore.password", "SASL_SSL")
        .doesNotContain("hunter2", "s3cret");
    assertThat(KafkaClientProperties.describe(Map.of())).isEqualTo("none");
  }

  @Test
  void aClientGetsOnlyThePropertiesItKnows() {
    Map<String, String> admin = KafkaClientProperties.known(Map.of("security.protocol", "SSL",
        "num.standby.replicas", "1", "ssl.truststore.location", "/t"), AdminClientConfig.configNames());
    assertThat(admin).containsOnlyKeys("security.protocol", "ssl.truststore.location");
  }
}
