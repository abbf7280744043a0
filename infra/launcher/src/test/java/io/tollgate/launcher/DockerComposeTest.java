package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.alerting.config.AlertingConfig;
import io.tollgate.alerting.config.AlertingConfigLoader;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.config.IngressConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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

  static JsonNode compose() {
    try {
      return yaml("docker-compose.yml");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void everyImageIsPinnedAndEveryNeededServiceExists() throws Exception {
    JsonNode services = yaml("docker-compose.yml").path("services");
    List<String> names = new ArrayList<>();
    services.fieldNames().forEachRemaining(names::add);
    assertThat(names).contains("kafka", "clickhouse", "gateway", "aggregator", "alerting", "prometheus", "grafana");
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
    assertThat(services.at("/gateway/environment/TOLLGATE_HOST").asText()).isEqualTo("0.0.0.0");
    assertThat(services.at("/kafka/environment/KAFKA_ADVERTISED_LISTENERS").asText()).contains("kafka:9092");
    List<String> aggregator = new ArrayList<>();
    services.at("/aggregator/command").forEach(n -> aggregator.add(n.asText()));
    assertThat(aggregator).containsSubsequence("--bootstrap", "kafka:9092")
        .containsSubsequence("--clickhouse", "http://clickhouse:8123").contains("io.tollgate.aggregator.Main");
    assertThat(services.at("/aggregator/environment/CLICKHOUSE_PASSWORD").asText())
        .isEqualTo(services.at("/clickhouse/environment/CLICKHOUSE_PASSWORD").asText());
    assertThat(services.at("/gateway/ports/0").asText()).isEqualTo("4000:4000");
    assertThat(services.at("/gateway/environment/CLICKHOUSE_URL").asText()).isEqualTo("http://clickhouse:8123");
    assertThat(services.at("/gateway/environment/CLICKHOUSE_PASSWORD").asText())
        .isEqualTo(services.at("/clickhouse/environment/CLICKHOUSE_PASSWORD").asText());

    // The gateway's mounted config is valid for the gateway itself, with the env compose passes.
    IngressConfig config = ConfigLoader.load(INFRA.resolve("config/tollgate.yaml"), Map.of(
        "ANTHROPIC_API_KEY", "x", "OPENAI_API_KEY", "y", "LITELLM_MASTER_KEY", "sk-compose",
        "CLICKHOUSE_URL", services.at("/gateway/environment/CLICKHOUSE_URL").asText()));
    assertThat(config.port()).isEqualTo(4000);
    assertThat(config.clickhouse().url()).isEqualTo("http://clickhouse:8123");
    assertThat(config.clickhouse().database()).isEqualTo(services.at("/clickhouse/environment/CLICKHOUSE_DB").asText());
    assertThat(config.kafkaBootstrap()).isEqualTo("kafka:9092");
    // In a container the gateway must listen on every interface (the default is loopback), and the
    // file must be clean: a warning would make `--validate` fail.
    assertThat(config.host()).isEqualTo("0.0.0.0");
    assertThat(config.warnings()).isEmpty();

    List<String> alerting = new ArrayList<>();
    services.at("/alerting/command").forEach(n -> alerting.add(n.asText()));
    assertThat(alerting).contains("io.tollgate.alerting.Main").containsSubsequence("--bootstrap", "kafka:9092")
        .containsSubsequence("--config", "/etc/tollgate/tollgate.yaml").containsSubsequence("--metrics-port", "4002");
    // Alerting reads the same mounted file; its rules must be valid with the env compose passes.
    AlertingConfig alerts = AlertingConfigLoader.fromFile(INFRA.resolve("config/tollgate.yaml"), Map.of());
    assertThat(alerts.thresholds()).isNotEmpty();
    assertThat(alerts.anomalies()).isNotEmpty();
    assertThat(alerts.warnings()).isEmpty();

    // Prometheus scrapes every app where it serves /metrics.
    JsonNode prometheus = yaml("prometheus/prometheus.yml");
    List<String> targets = new ArrayList<>();
    prometheus.path("scrape_configs").forEach(c -> c.at("/static_configs/0/targets").forEach(t -> targets.add(t.asText())));
    assertThat(targets).containsExactlyInAnyOrder("gateway:4000", "aggregator:4001", "alerting:4002");
    JsonNode rules = yaml("prometheus/alerts.yml").at("/groups/0/rules");
    List<String> exprs = new ArrayList<>();
    rules.forEach(r -> exprs.add(r.path("expr").asText()));
    assertThat(String.join("\n", exprs)).contains("tollgate_consumer_lag_records").contains("tollgate_sink_failures_total")
        .contains("tollgate_requests_total").contains("tollgate_usage_events_total");
  }

  @Test
  void onlyTheGatewayIsPublishedBeyondTheHostsLoopback() throws Exception {
    JsonNode services = yaml("docker-compose.yml").path("services");
    services.fields().forEachRemaining(s -> s.getValue().path("ports").forEach(p -> {
      String port = p.asText();
      if (s.getKey().equals("gateway")) {
        assertThat(port).as("the gateway authenticates every caller").isEqualTo("4000:4000");
      } else {
        assertThat(port).as(s.getKey() + " has no authentication of its own: loopback only").startsWith("127.0.0.1:");
      }
      assertThat(port).as("the old unauthenticated spend API port").doesNotEndWith(":4001");
    }));
    assertThat(services.at("/aggregator/ports").isMissingNode()).as("the aggregator serves only /metrics").isTrue();
  }

  @Test
  void grafanaGetsTheProvisioningAndDashboardsOfThisRepo() throws Exception {
    JsonNode grafana = yaml("docker-compose.yml").at("/services/grafana");
    Map<String, String> mounts = new HashMap<>();
    grafana.path("volumes").forEach(v -> {
      String[] parts = v.asText().split(":");
      mounts.put(parts[1], parts[0]);
    });
    assertThat(mounts).containsEntry("/etc/grafana/provisioning", "./grafana/provisioning")
        .containsEntry("/var/lib/grafana/dashboards", "./grafana/dashboards");
    // Host paths are relative to the compose file, i.e. to infra/.
    Path provisioning = INFRA.resolve(mounts.get("/etc/grafana/provisioning")).normalize();
    Path dashboards = INFRA.resolve(mounts.get("/var/lib/grafana/dashboards")).normalize();
    assertThat(provisioning.resolve("datasources/datasources.yaml")).isRegularFile();
    assertThat(provisioning.resolve("dashboards/dashboards.yaml")).isRegularFile();
    assertThat(dashboards).isDirectory();
    assertThat(yaml("grafana/provisioning/dashboards/dashboards.yaml").at("/providers/0/options/path").asText())
        .isEqualTo("/var/lib/grafana/dashboards");
    String home = grafana.at("/environment/GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText();
    assertThat(home).startsWith("/var/lib/grafana/dashboards/");
    assertThat(dashboards.resolve(home.substring("/var/lib/grafana/dashboards/".length()))).isRegularFile();
    // "id version": Grafana 12 preinstalls exactly that version instead of whatever is newest.
    assertThat(grafana.at("/environment/GF_INSTALL_PLUGINS").asText())
        .matches("grafana-clickhouse-datasource \\d+\\.\\d+\\.\\d+");
  }

  @Test
  void theStandaloneGatewayStartsWithItsJvmOptionsFile() throws Exception {
    Path options = INFRA.resolve("gateway-jvm.options");
    List<String> gateway = new ArrayList<>();
    yaml("docker-compose.yml").at("/services/gateway/command").forEach(n -> gateway.add(n.asText()));
    assertThat(gateway).containsSubsequence("@/app/gateway-jvm.options", "io.tollgate.ingress.Main");
    String dockerfile = Files.readString(INFRA.getParent().resolve("Dockerfile"));
    assertThat(dockerfile).contains("COPY --from=build /src/infra/gateway-jvm.options /app/gateway-jvm.options")
        .contains("CMD [\"@/app/gateway-jvm.options\", \"io.tollgate.ingress.Main\"");
    // The file is a java argument file this JDK accepts (an unknown or misspelt option fails the start).
    Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "@" + options, "-version").redirectErrorStream(true).start();
    String out = new String(jvm.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(jvm.waitFor()).as(out).isZero();
    assertThat(Files.readString(options)).contains("-Xms");
  }

  @Test
  void theImageRunsAsNonRootOnAJre() throws Exception {
    String dockerfile = Files.readString(INFRA.getParent().resolve("Dockerfile"));
    assertThat(dockerfile).contains("AS build").contains("-jre").contains("USER tollgate").doesNotContain(":latest");
  }
}
