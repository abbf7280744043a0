package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.config.IngressConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docker-compose cannot run here (no Docker), so its file is checked instead: every image pinned,
 * every service the apps need present, and ports, addresses and config consistent with the apps.
 */
class DockerComposeTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path INFRA = Path.of(System.getProperty("user.dir")).getParent();

  private static JsonNode yaml(String relative) throws Exception {
    return YAML.readTree(Files.readString(INFRA.resolve(relative)));
  }

  @Test
  void everyImageIsPinnedAndEveryNeededServiceExists() throws Exception {
    JsonNode services = yaml("docker-compose.yml").path("services");
    List<String> names = new ArrayList<>();
    services.fieldNames().forEachRemaining(names::add);
    assertThat(names).contains("kafka", "clickhouse", "gateway", "aggregator", "prometheus", "grafana");
    services.fields().forEachRemaining(s -> {
      String image = s.getValue().path("image").asText();
      assertThat(image).as(s.getKey() + " image").contains(":").doesNotEndWith(":latest");
    });
    assertThat(services.at("/kafka/image").asText()).startsWith("apache/kafka:");
    assertThat(services.at("/clickhouse/image").asText()).startsWith("clickhouse/clickhouse-server:");
    assertThat(services.at("/grafana/environment/GF_INSTALL_PLUGINS").asText()).contains("grafana-clickhouse-datasource");
  }

  @Test
  void theAppsPointAtTheServicesOfTheStack() throws Exception {
    JsonNode services = yaml("docker-compose.yml").path("services");
    assertThat(services.at("/gateway/environment/TOLLGATE_KAFKA").asText()).isEqualTo("kafka:9092");
    assertThat(services.at("/kafka/environment/KAFKA_ADVERTISED_LISTENERS").asText()).contains("kafka:9092");
    List<String> aggregator = new ArrayList<>();
    services.at("/aggregator/command").forEach(n -> aggregator.add(n.asText()));
    assertThat(aggregator).containsSubsequence("--bootstrap", "kafka:9092")
        .containsSubsequence("--clickhouse", "http://clickhouse:8123").contains("io.tollgate.aggregator.Main");
    assertThat(services.at("/aggregator/environment/CLICKHOUSE_PASSWORD").asText())
        .isEqualTo(services.at("/clickhouse/environment/CLICKHOUSE_PASSWORD").asText());
    assertThat(services.at("/gateway/ports/0").asText()).isEqualTo("4000:4000");

    // The gateway's mounted config is valid for the gateway itself, with the env compose passes.
    IngressConfig config = ConfigLoader.load(INFRA.resolve("config/tollgate.yaml"), Map.of(
        "ANTHROPIC_API_KEY", "x", "OPENAI_API_KEY", "y", "LITELLM_MASTER_KEY", "sk-compose"));
    assertThat(config.port()).isEqualTo(4000);
    assertThat(config.kafkaBootstrap()).isEqualTo("kafka:9092");

    JsonNode prometheus = yaml("prometheus/prometheus.yml");
    assertThat(prometheus.at("/scrape_configs/0/static_configs/0/targets/0").asText()).isEqualTo("gateway:4000");
    assertThat(yaml("prometheus/alerts.yml").at("/groups/0/rules")).isNotEmpty();
  }

  @Test
  void theImageRunsAsNonRootOnAJre() throws Exception {
    String dockerfile = Files.readString(INFRA.getParent().resolve("Dockerfile"));
    assertThat(dockerfile).contains("AS build").contains("-jre").contains("USER tollgate").doesNotContain(":latest");
  }
}
