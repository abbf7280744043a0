package io.tollgate.bench.chaos;

import io.tollgate.local.kafka.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One scenario's system: a Kafka broker, the mock provider, one aggregator, one gateway and
 * optionally alerting, each its own process on fixed ports (so a restarted one is found where
 * the others expect it), with its data in the scenario's directory. ClickHouse is the harness's
 * (a database per scenario).
 */
final class Stack implements AutoCloseable {
  /** Where the components live when a scenario splits them into network namespaces. */
  record Net(String gatewayNs, String kafkaNs, String brokerHost, String gatewayHost) {
  }

  private static final Duration READY = Duration.ofSeconds(300);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final Proc kafka;
  final Proc mock;
  final Proc aggregator;
  final Proc gateway;
  final Proc alerting;
  private final Net net;
  private final int gatewayPort;
  private final int kafkaPort;
  private final int aggregatorPort;
  private final String bootstrap;

  /**
   * @param proxyPort when > 0 the broker advertises 127.0.0.1:proxyPort (a delay proxy in front of it)
   * @param alertingYaml the alerting config, or null for no alerting process
   */
  Stack(Path dir, String clickhouseUrl, String database, Net net, int proxyPort, String alertingYaml) {
    this.net = net;
    kafkaPort = FreePorts.pick();
    int mockPort = FreePorts.pick();
    gatewayPort = FreePorts.pick();
    aggregatorPort = FreePorts.pick();
    String advertised = net != null ? net.brokerHost() + ":" + kafkaPort
        : proxyPort > 0 ? "127.0.0.1:" + proxyPort : "127.0.0.1:" + kafkaPort;
    bootstrap = advertised;
    List<String> kafkaArgs = new ArrayList<>(List.of("--data-dir", dir.resolve("kafka").toString(),
        "--port", Integer.toString(kafkaPort), "--controller-port", Integer.toString(FreePorts.pick()),
        "--partitions", "3", "--advertised", advertised));
    if (net != null) {
      kafkaArgs.addAll(List.of("--listen-host", "0.0.0.0"));
    }
    kafka = new Proc("kafka", Proc.jvm(net == null ? null : net.kafkaNs(), "512m", List.of(),
        "io.tollgate.local.kafka.EmbeddedKafka", kafkaArgs), "TOLLGATE-KAFKA-READY", dir.resolve("logs/kafka.log"));
    String gwNs = net == null ? null : net.gatewayNs();
    mock = new Proc("mock", Proc.jvm(gwNs, "128m", List.of(), "io.tollgate.local.mock.MockProvider",
        List.of(Integer.toString(mockPort))), "mock provider on", dir.resolve("logs/mock.log"));
    aggregator = new Proc("aggregator", Proc.jvm(null, "384m", List.of(), "io.tollgate.aggregator.Main", List.of(
        "--bootstrap", bootstrap, "--clickhouse", clickhouseUrl, "--database", database,
        "--application-id", "chaos-aggregator", "--state-dir", dir.resolve("streams").toString(),
        "--api-port", Integer.toString(aggregatorPort),
        "--kafka.session.timeout.ms", "6000", "--kafka.heartbeat.interval.ms", "1500")),
        "AGGREGATOR READY", dir.resolve("logs/aggregator.log"));
    Path gatewayYaml = dir.resolve("gateway.yaml");
    write(gatewayYaml, """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: "http://127.0.0.1:%d"}
        general_settings:
          # The client's x-mock-usage / x-mock-fail headers must reach the mock provider.
          forward_client_headers_to_llm_api: true
        tollgate:
          port: %d
          host: %s
          gateway_id: chaos-gw
          spill_dir: "%s"
          kafka: {bootstrap_servers: "%s"}
        """.formatted(mockPort, gatewayPort, net == null ? "127.0.0.1" : "0.0.0.0", dir.resolve("spill"), bootstrap));
    gateway = new Proc("gateway", Proc.jvm(gwNs, "384m", List.of(), "io.tollgate.ingress.Main",
        List.of("--config", gatewayYaml.toString())), "Tollgate gateway on port", dir.resolve("logs/gateway.log"));
    if (alertingYaml != null) {
      Path alertingFile = dir.resolve("alerting.yaml");
      write(alertingFile, alertingYaml);
      alerting = new Proc("alerting", Proc.jvm(null, "256m", List.of(), "io.tollgate.alerting.Main", List.of(
          "--bootstrap", bootstrap, "--config", alertingFile.toString(), "--application-id", "chaos-alerting",
          "--state-dir", dir.resolve("alerting").toString(), "--metrics-port", Integer.toString(FreePorts.pick()),
          "--kafka.session.timeout.ms", "6000", "--kafka.heartbeat.interval.ms", "1500")),
          "ALERTING READY", dir.resolve("logs/alerting.log"));
    } else {
      alerting = null;
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Broker, mock and gateway side by side (the gateway starts without Kafka: its events wait in
   * the hand-off log), then the aggregator and alerting, which want the broker's topics.
   */
  Stack start() {
    CompletableFuture<Proc> mockUp = CompletableFuture.supplyAsync(() -> mock.start(READY));
    CompletableFuture<Proc> gatewayUp = CompletableFuture.supplyAsync(() -> gateway.start(READY));
    kafka.start(READY);
    List<CompletableFuture<Proc>> rest = new ArrayList<>(List.of(mockUp, gatewayUp,
        CompletableFuture.supplyAsync(() -> aggregator.start(READY))));
    if (alerting != null) {
      rest.add(CompletableFuture.supplyAsync(() -> alerting.start(READY)));
    }
    rest.forEach(CompletableFuture::join);
    return this;
  }

  /** How long a component may take to start on a loaded machine. */
  static Duration ready() {
    return READY;
  }

  String gatewayHost() {
    return net == null ? "127.0.0.1" : net.gatewayHost();
  }

  int gatewayPort() {
    return gatewayPort;
  }

  int kafkaPort() {
    return kafkaPort;
  }

  String bootstrap() {
    return bootstrap;
  }

  /** A sample of the gateway's {@code /metrics} (NaN when it cannot be read). */
  double gatewayMetric(String sample) {
    return metric("http://" + gatewayHost() + ":" + gatewayPort + "/metrics", sample);
  }

  double aggregatorMetric(String sample) {
    return metric("http://127.0.0.1:" + aggregatorPort + "/metrics", sample);
  }

  /** The gateway's {@code /health/readiness} status code (-1 when it does not answer). */
  int gatewayReadiness() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + gatewayHost() + ":" + gatewayPort + "/health/readiness"))
          .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static double metric(String url, String sample) {
    try {
      String body = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      for (String line : body.split("\n")) {
        if (line.startsWith(sample + " ")) {
          return Double.parseDouble(line.substring(sample.length() + 1).trim());
        }
      }
      return 0;
    } catch (IOException | NumberFormatException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  /** Everything goes at once (SIGKILL): the scenario has read what it needed. */
  @Override
  public void close() {
    for (Proc p : alerting == null ? List.of(gateway, aggregator, mock, kafka) : List.of(alerting, gateway, aggregator, mock, kafka)) {
      p.kill();
    }
  }
}
