package io.tollgate.aggregator;

import com.sun.net.httpserver.HttpServer;
import io.tollgate.schemas.app.CommandLine;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import io.tollgate.schemas.config.ConfigFile;
import io.tollgate.schemas.config.ConfigWarnings;
import io.tollgate.schemas.config.Env;
import io.tollgate.schemas.config.Problems;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.metrics.MetricsRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The aggregator on its own: {@code --bootstrap HOST:PORT --clickhouse URL [--database tollgate]
 * [--application-id tollgate-aggregator] [--state-dir DIR] [--metrics-port 4001] [--metrics-host 127.0.0.1]
 * [--config FILE] [--kafka.<property> VALUE]...} ({@code /metrics} on the metrics port; the spend
 * API is the gateway's, behind its master key; {@code --api-port} / {@code --api-host} are still
 * accepted as the old names of the metrics options). With {@code --config}, the shared config
 * file's {@code tollgate.kafka} gives the
 * bootstrap servers (after {@code --bootstrap} and {@code TOLLGATE_KAFKA}) and extra client
 * properties (the {@code --kafka.} options win); its errors stop the start (exit 2), its warnings
 * are logged; its {@code tollgate.aggregator} section sets the sink's batch size and flush interval
 * and the usage retention ({@link AggregatorConfig}). {@code --validate [--config FILE]} checks the
 * file and exits: 0 and "configuration OK" only without errors and warnings.
 * Kafka properties may also come from the Java properties file named by {@code
 * TOLLGATE_KAFKA_PROPERTIES_FILE}, under the config file's and the command line's: SSL and SASL
 * settings belong there, so passwords stay out of the process list.
 * {@code --kafka.num.standby.replicas 1} and the like tune an instance of a scaled-out group (see
 * docs/scale-out.md). Unknown options stop it with exit status 2. Prints {@code AGGREGATOR READY}
 * once started; SIGTERM stops it cleanly; if Streams or the sink fails for good it exits with 1.
 */
public final class Main {
  static final String READY = "AGGREGATOR READY";
  private static final Set<String> OPTIONS = Set.of("bootstrap", "clickhouse", "database", "application-id", "state-dir",
      "metrics-port", "metrics-host", "api-port", "api-host", "config");

  private Main() {
  }

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> env = System.getenv();
    CommandLine a;
    int metricsPort;
    Map<String, String> kafka = new LinkedHashMap<>();
    String fileBootstrap = null;
    AggregatorConfig config = AggregatorConfig.defaults();
    boolean validate = Arrays.asList(args).contains("--validate");
    try {
      a = CommandLine.parse(Arrays.stream(args).filter(s -> !s.equals("--validate")).toArray(String[]::new), OPTIONS,
          "kafka.");
      if (validate) {
        String path = a.get("config", null);
        System.exit(Problems.validate(() -> AggregatorConfig.from(path == null ? null : ConfigFile.load(Path.of(path))),
            AggregatorConfig::warnings, System.out, System.err));
        return;
      }
      metricsPort = a.port("metrics-port", a.port("api-port", 4001));
      kafka.putAll(KafkaClientProperties.withFile(Map.of(), env));
      if (a.get("config", null) != null) {
        ConfigFile file = ConfigFile.load(Path.of(a.get("config", null)));
        Problems problems = file.problems();
        kafka.putAll(new Env(env).resolveAll("tollgate.kafka.properties", file.root().tollgate().kafka().properties(),
            problems));
        fileBootstrap = file.root().tollgate().kafka().bootstrapServers();
        config = AggregatorConfig.from(file.root().tollgate().aggregator(), problems);
        problems.throwIfErrors();
        ConfigWarnings.log(problems.warnings());
      }
      kafka.putAll(a.prefixed());
    } catch (IllegalArgumentException e) {
      System.err.println("tollgate aggregator: " + e.getMessage());
      System.exit(2);
      return;
    }
    String bootstrap = a.get("bootstrap", env.getOrDefault("TOLLGATE_KAFKA",
        fileBootstrap == null || fileBootstrap.isBlank() ? "127.0.0.1:9092" : fileBootstrap));
    String url = a.get("clickhouse", env.getOrDefault("CLICKHOUSE_URL", "http://127.0.0.1:8123"));
    ClickHouseClient clickhouse = new ClickHouseClient(ClickHouseSettings.fromEnvironment(url, a.get("database", "tollgate"), env));
    MetricsRegistry metrics = new MetricsRegistry();
    AggregatorApp app;
    try {
      app = AggregatorApp.start(bootstrap, a.get("application-id", "tollgate-aggregator"),
          Path.of(a.get("state-dir", ".tollgate/streams")), clickhouse, kafka, metrics, config);
    } catch (IllegalArgumentException e) { // a refused Kafka property: names only, never values
      System.err.println("tollgate aggregator: " + e.getMessage());
      System.exit(2);
      return;
    }
    HttpServer http;
    String host = a.get("metrics-host", a.get("api-host", "127.0.0.1"));
    try {
      http = HttpServer.create(new InetSocketAddress(host, metricsPort), 16);
    } catch (IOException e) {
      app.close();
      throw new UncheckedIOException("cannot listen for /metrics on port " + metricsPort, e);
    }
    metrics.serveOn(http);
    http.start();
    CommandLine.runUntilStopped(READY, app::healthy, () -> {
      http.stop(0);
      app.close();
    });
  }
}
