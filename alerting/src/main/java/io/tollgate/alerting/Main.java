package io.tollgate.alerting;

import com.sun.net.httpserver.HttpServer;
import io.tollgate.alerting.config.AlertingConfig;
import io.tollgate.alerting.config.AlertingConfigLoader;
import io.tollgate.schemas.app.CommandLine;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import io.tollgate.schemas.config.ConfigException;
import io.tollgate.schemas.config.ConfigWarnings;
import io.tollgate.schemas.config.Problems;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.metrics.MetricsRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Alerting on its own: {@code --bootstrap HOST:PORT --config FILE [--clickhouse URL] [--database
 * tollgate] [--application-id tollgate-alerting] [--state-dir DIR] [--metrics-port 4002]
 * [--metrics-host 127.0.0.1] [--kafka.<property> VALUE]...}, Kafka properties also from the Java
 * properties file named by {@code TOLLGATE_KAFKA_PROPERTIES_FILE} (the command line wins). Rules and channels come from the {@code tollgate.alerts} section of
 * the config file; alerts and deliveries go to the ClickHouse {@code alerts} table when {@code
 * --clickhouse} (or {@code CLICKHOUSE_URL}) is given. Bad options or rules: every problem printed,
 * exit status 2. Config warnings (unknown keys, LiteLLM settings Tollgate does not implement) are
 * logged at start; {@code --validate} checks the config file and exits: 0 and "configuration OK"
 * only without errors or warnings, else 1 with the list. Prints {@code ALERTING READY} once started; SIGTERM stops it cleanly; if Streams
 * or the notifier fails for good it exits with 1.
 */
public final class Main {
  static final String READY = "ALERTING READY";
  private static final Set<String> OPTIONS = Set.of("bootstrap", "config", "clickhouse", "database", "application-id",
      "state-dir", "metrics-port", "metrics-host");

  private Main() {
  }

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> env = System.getenv();
    CommandLine a;
    AlertingConfig config;
    int metricsPort;
    boolean validate = Arrays.asList(args).contains("--validate");
    Map<String, String> kafka;
    try {
      a = CommandLine.parse(Arrays.stream(args).filter(s -> !s.equals("--validate")).toArray(String[]::new), OPTIONS,
          "kafka.");
      kafka = KafkaClientProperties.withFile(a.prefixed(), env);
      metricsPort = a.port("metrics-port", 4002);
      String file = a.get("config", null);
      if (file == null) {
        throw new IllegalArgumentException("--config FILE is required (rules under tollgate.alerts)");
      }
      if (validate) {
        System.exit(validate(Path.of(file), env, System.out, System.err));
        return;
      }
      config = AlertingConfigLoader.fromFile(Path.of(file), env);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      System.err.println("tollgate alerting: " + e.getMessage());
      System.exit(2);
      return;
    }
    ConfigWarnings.log(config.warnings());
    String bootstrap = a.get("bootstrap", env.getOrDefault("TOLLGATE_KAFKA", "127.0.0.1:9092"));
    String url = a.get("clickhouse", env.get("CLICKHOUSE_URL"));
    ClickHouseClient clickhouse = url == null ? null : new ClickHouseClient(ClickHouseSettings.fromEnvironment(url,
        a.get("database", "tollgate"), env));
    MetricsRegistry metrics = new MetricsRegistry();
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(a.get("metrics-host", "127.0.0.1"), metricsPort), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for /metrics on port " + metricsPort, e);
    }
    metrics.serveOn(http);
    http.start();
    AlertingApp app;
    try {
      app = AlertingApp.start(bootstrap, a.get("application-id", "tollgate-alerting"),
          Path.of(a.get("state-dir", ".tollgate/alerting")), config, metrics, clickhouse, kafka);
    } catch (IllegalArgumentException e) { // a refused Kafka property: names only, never values
      System.err.println("tollgate alerting: " + e.getMessage());
      http.stop(0);
      System.exit(2);
      return;
    }
    CommandLine.runUntilStopped(READY + " (" + config.rulesSummary() + ")", app::healthy, () -> {
      app.close();
      http.stop(0);
    });
  }

  /** {@code --validate}: 0 and "configuration OK" only without errors and warnings; else 1 and the list. */
  static int validate(Path file, Map<String, String> env, PrintStream out, PrintStream err) {
    try {
      AlertingConfig config = AlertingConfigLoader.fromFile(file, env);
      if (!config.warnings().isEmpty()) {
        err.println("configuration has warnings:\n" + Problems.report(List.of(), config.warnings()));
        return 1;
      }
      out.println("configuration OK: " + config);
      return 0;
    } catch (ConfigException e) {
      err.println("invalid configuration:\n" + Problems.report(e.problems(), e.warnings()));
      return 1;
    }
  }
}
