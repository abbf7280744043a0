package io.tollgate.aggregator;

import io.tollgate.aggregator.api.SpendApi;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import io.tollgate.schemas.metrics.MetricsRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The aggregator on its own: {@code --bootstrap HOST:PORT --clickhouse URL [--database tollgate]
 * [--application-id tollgate-aggregator] [--state-dir DIR] [--api-port 4001] [--api-host 127.0.0.1]
 * [--kafka.<property> VALUE]...} (the spend API and {@code /metrics} are served on the API port).
 * {@code --kafka.num.standby.replicas 1} and the like tune an instance of a scaled-out group (see
 * docs/scale-out.md). Prints {@code AGGREGATOR READY} once started; SIGTERM stops it cleanly.
 */
public final class Main {
  static final String READY = "AGGREGATOR READY";

  private Main() {
  }

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> a = new HashMap<>();
    Map<String, String> kafka = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      String name = args[i].replaceFirst("^--", "");
      if (name.startsWith("kafka.")) {
        kafka.put(name.substring("kafka.".length()), args[i + 1]);
      } else {
        a.put(name, args[i + 1]);
      }
    }
    String bootstrap = a.getOrDefault("bootstrap", System.getenv().getOrDefault("TOLLGATE_KAFKA", "127.0.0.1:9092"));
    String url = a.getOrDefault("clickhouse", System.getenv().getOrDefault("CLICKHOUSE_URL", "http://127.0.0.1:8123"));
    ClickHouseClient clickhouse = new ClickHouseClient(new ClickHouseSettings(url, a.getOrDefault("database", "tollgate"),
        System.getenv("CLICKHOUSE_USER"), System.getenv("CLICKHOUSE_PASSWORD"), null));
    MetricsRegistry metrics = new MetricsRegistry();
    AggregatorApp app = AggregatorApp.start(bootstrap, a.getOrDefault("application-id", "tollgate-aggregator"),
        Path.of(a.getOrDefault("state-dir", ".tollgate/streams")), clickhouse, kafka, metrics);
    SpendApi api;
    try {
      api = new SpendApi(clickhouse, a.getOrDefault("api-host", "127.0.0.1"), Integer.parseInt(a.getOrDefault("api-port", "4001")),
          metrics);
    } catch (java.io.IOException e) {
      app.close();
      throw new java.io.UncheckedIOException("spend API cannot listen", e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      api.close();
      app.close();
      stopped.countDown();
    }, "aggregator-shutdown"));
    System.out.println(READY);
    System.out.flush();
    stopped.await();
  }
}
