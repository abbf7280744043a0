package io.tollgate.reconciler;

import com.sun.net.httpserver.HttpServer;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.reconciler.compare.Comparison;
import io.tollgate.reconciler.config.ReconcilerConfig;
import io.tollgate.reconciler.config.ReconcilerConfigLoader;
import io.tollgate.reconciler.provider.AdminHttp;
import io.tollgate.reconciler.provider.AnthropicReports;
import io.tollgate.reconciler.provider.OpenAiReports;
import io.tollgate.reconciler.provider.ProviderReport;
import io.tollgate.reconciler.store.ProviderUsageStore;
import io.tollgate.schemas.app.CommandLine;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseMigrations;
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
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconciler on its own: {@code --config FILE [--bootstrap HOST:PORT] [--clickhouse URL]
 * [--database tollgate] [--once] [--metrics-port 4003] [--metrics-host 127.0.0.1] [--kafka.<property> VALUE]...}. Reads {@code
 * tollgate.reconciliation} of the shared config file, polls at start and then every
 * {@code poll_interval_hours}; {@code --once} polls once and exits (0 when every provider was
 * read). Bad options or config: every problem printed, exit 2. {@code --validate} checks the config
 * and exits: 0 and "configuration OK" only without errors or warnings (unknown keys are warnings),
 * else 1 with the list. Prints {@code RECONCILER READY} once started.
 */
public final class Main {
  static final String READY = "RECONCILER READY";
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final Set<String> OPTIONS = Set.of("bootstrap", "config", "clickhouse", "database", "metrics-port",
      "metrics-host");

  private Main() {
  }

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> env = System.getenv();
    List<String> flags = Arrays.asList(args);
    boolean validate = flags.contains("--validate");
    boolean once = flags.contains("--once");
    CommandLine a;
    ReconcilerConfig config;
    Map<String, String> kafka;
    try {
      a = CommandLine.parse(Arrays.stream(args).filter(s -> !s.equals("--validate") && !s.equals("--once"))
          .toArray(String[]::new), OPTIONS, "kafka.");
      kafka = KafkaClientProperties.withFile(a.prefixed(), env);
      String file = a.get("config", null);
      if (file == null) {
        throw new IllegalArgumentException("--config FILE is required (settings under tollgate.reconciliation)");
      }
      if (validate) {
        System.exit(validate(Path.of(file), env, System.out, System.err));
        return;
      }
      config = ReconcilerConfigLoader.fromFile(Path.of(file), env);
      if (!config.enabled()) {
        throw new IllegalArgumentException("tollgate.reconciliation configures no provider (anthropic or openai admin_key)");
      }
    } catch (ConfigException e) {
      System.err.println("tollgate reconciler: invalid configuration:\n" + Problems.report(e.problems(), e.warnings()));
      System.exit(2);
      return;
    } catch (IllegalArgumentException | UncheckedIOException e) {
      System.err.println("tollgate reconciler: " + e.getMessage());
      System.exit(2);
      return;
    }
    ConfigWarnings.log(config.warnings());
    String url = a.get("clickhouse", env.getOrDefault("CLICKHOUSE_URL", "http://127.0.0.1:8123"));
    ClickHouseClient clickhouse = new ClickHouseClient(ClickHouseSettings.fromEnvironment(url,
        a.get("database", "tollgate"), env));
    new ClickHouseMigrations(clickhouse).apply();
    KafkaAlertSink alerts = new KafkaAlertSink(a.get("bootstrap", env.getOrDefault("TOLLGATE_KAFKA", "127.0.0.1:9092")),
        kafka);
    MetricsRegistry metrics = new MetricsRegistry();
    int metricsPort = a.port("metrics-port", 4003);
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(a.get("metrics-host", "127.0.0.1"), metricsPort), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for /metrics on port " + metricsPort, e);
    }
    metrics.serveOn(http);
    http.start();
    Reconciler reconciler = build(config, clickhouse, alerts, PriceTable.bundled(), Clock.systemUTC(),
        new ReconcilerMetrics(metrics.prometheus()));
    if (once) {
      Reconciler.Result r = reconciler.runOnce();
      alerts.close();
      http.stop(0);
      System.exit(r.providersFailed() == 0 ? 0 : 1);
      return;
    }
    Polling polling = new Polling(reconciler, config.pollInterval());
    polling.start();
    CommandLine.runUntilStopped(READY + " (" + config + ")", polling::alive, () -> {
      polling.stop();
      alerts.close();
      http.stop(0);
    });
  }

  /** The whole reconciler from its parts (also the launcher's and the tests' way to build it). */
  public static Reconciler build(ReconcilerConfig config, ClickHouseClient clickhouse, AlertSink alerts,
                                 PriceTable prices, Clock clock, ReconcilerMetrics metrics) {
    AdminHttp http = new AdminHttp(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
        Duration.ofSeconds(60));
    List<Reconciler.Source> sources = new ArrayList<>();
    if (config.anthropic() != null) {
      AnthropicReports r = new AnthropicReports(http, config.anthropic(), prices);
      sources.add(source(AnthropicReports.PROVIDER, r::fetch));
    }
    if (config.openai() != null) {
      OpenAiReports r = new OpenAiReports(http, config.openai());
      sources.add(source(OpenAiReports.PROVIDER, r::fetch));
    }
    return new Reconciler(sources, new ProviderUsageStore(clickhouse), alerts,
        new Comparison(config.drift(), config.settle()), config.lookbackDays(), config.channels(), clock, metrics);
  }

  private static Reconciler.Source source(String provider, java.util.function.BiFunction<LocalDate, LocalDate, ProviderReport> fetch) {
    return new Reconciler.Source() {
      @Override
      public String provider() {
        return provider;
      }

      @Override
      public ProviderReport fetch(LocalDate from, LocalDate to) {
        return fetch.apply(from, to);
      }
    };
  }

  /** {@code --validate}: 0 and "configuration OK" only without errors and warnings; else 1 and the list. */
  static int validate(Path file, Map<String, String> env, PrintStream out, PrintStream err) {
    return Problems.validate(() -> ReconcilerConfigLoader.fromFile(file, env), ReconcilerConfig::warnings, out, err);
  }

  /** Polls at start, then every interval, on one thread; a failed poll is logged and retried next time. */
  public static final class Polling implements AutoCloseable {
    private final Reconciler reconciler;
    private final Duration interval;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    public Polling(Reconciler reconciler, Duration interval) {
      this.reconciler = reconciler;
      this.interval = interval;
      this.thread = new Thread(this::loop, "tollgate-reconciler");
      thread.setDaemon(true);
    }

    public void start() {
      thread.start();
    }

    private void loop() {
      do {
        try {
          reconciler.runOnce();
        } catch (RuntimeException e) {
          LOG.error("reconciliation poll failed; next in {}", interval, e);
        }
        try {
          if (stopped.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
            return;
          }
        } catch (InterruptedException e) {
          return;
        }
      } while (running.get());
    }

    public boolean alive() {
      return thread.isAlive();
    }

    @Override
    public void close() {
      stop();
    }

    public void stop() {
      running.set(false);
      stopped.countDown();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
