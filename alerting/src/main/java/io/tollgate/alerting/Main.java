package io.tollgate.alerting;

import com.sun.net.httpserver.HttpServer;
import io.tollgate.alerting.config.AlertingConfig;
import io.tollgate.alerting.config.AlertingConfigLoader;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import io.tollgate.schemas.metrics.MetricsRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Alerting on its own: {@code --bootstrap HOST:PORT --config FILE [--clickhouse URL] [--database
 * tollgate] [--application-id tollgate-alerting] [--state-dir DIR] [--metrics-port 4002]
 * [--metrics-host 127.0.0.1]}. Rules and channels come from the {@code tollgate.alerts} section of
 * the config file (every problem reported at once, exit 2); alerts and deliveries go to the
 * ClickHouse {@code alerts} table when {@code --clickhouse} (or {@code CLICKHOUSE_URL}) is given.
 * Prints {@code ALERTING READY} once started; SIGTERM stops it cleanly.
 */
public final class Main {
  static final String READY = "ALERTING READY";

  private Main() {
  }

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    Map<String, String> env = System.getenv();
    AlertingConfig config;
    try {
      if (!a.containsKey("config")) {
        throw new IllegalArgumentException("--config FILE is required (rules under tollgate.alerts)");
      }
      config = AlertingConfigLoader.fromFile(Path.of(a.get("config")), env);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      System.err.println("tollgate alerting: " + e.getMessage());
      System.exit(2);
      return;
    }
    String bootstrap = a.getOrDefault("bootstrap", env.getOrDefault("TOLLGATE_KAFKA", "127.0.0.1:9092"));
    String url = a.getOrDefault("clickhouse", env.get("CLICKHOUSE_URL"));
    ClickHouseClient clickhouse = url == null ? null : new ClickHouseClient(new ClickHouseSettings(url,
        a.getOrDefault("database", "tollgate"), env.get("CLICKHOUSE_USER"), env.get("CLICKHOUSE_PASSWORD"), null));
    MetricsRegistry metrics = new MetricsRegistry();
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(a.getOrDefault("metrics-host", "127.0.0.1"),
          Integer.parseInt(a.getOrDefault("metrics-port", "4002"))), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for /metrics", e);
    }
    metrics.serveOn(http);
    http.start();
    AlertingApp app = AlertingApp.start(bootstrap, a.getOrDefault("application-id", "tollgate-alerting"),
        Path.of(a.getOrDefault("state-dir", ".tollgate/alerting")), config, metrics, clickhouse);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.close();
      http.stop(0);
      stopped.countDown();
    }, "alerting-shutdown"));
    System.out.println(READY + " (" + config.rulesSummary() + ")");
    System.out.flush();
    stopped.await();
  }
}
