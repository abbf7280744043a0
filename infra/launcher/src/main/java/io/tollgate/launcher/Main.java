package io.tollgate.launcher;

import io.tollgate.aggregator.AggregatorApp;
import io.tollgate.aggregator.AggregatorConfig;
import io.tollgate.alerting.AlertingApp;
import io.tollgate.alerting.config.AlertingConfig;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.local.clickhouse.LocalClickHouse;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.reconciler.KafkaAlertSink;
import io.tollgate.reconciler.ReconcilerMetrics;
import io.tollgate.reconciler.config.ReconcilerConfig;
import io.tollgate.reconciler.config.ReconcilerConfigLoader;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseMigrations;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import io.tollgate.schemas.config.ConfigException;
import io.tollgate.schemas.config.ConfigFile;
import io.tollgate.schemas.config.ConfigWarnings;
import io.tollgate.schemas.config.Problems;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.metrics.MetricsRegistry;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./tollgate run}: the whole system in one process on embedded defaults — Kafka, a local
 * ClickHouse with migrations, the mock provider — or connected to the servers given. Prints one
 * summary; SIGTERM / Ctrl-C stops everything in reverse order. Wiring only: every component is
 * a library class with its own tests.
 */
public final class Main {
  /** Printed once everything serves; tests and scripts wait for it. */
  static final String READY_LINE = "Tollgate is up.";
  private static final String DATABASE = "tollgate";
  /** Where {@code --demo} receives Slack messages when no real webhook is configured. */
  private static final int DEMO_WEBHOOK_PORT = 4011;

  private Main() {
  }

  public static void main(String[] args) throws InterruptedException {
    PrintStream out = System.out;
    LauncherOptions options;
    try {
      options = LauncherOptions.parse(args, System.getenv());
    } catch (LauncherOptions.InvalidOptions e) {
      System.err.println("tollgate: " + e.getMessage());
      System.err.print(LauncherOptions.USAGE);
      System.exit(2);
      return;
    }
    if (options.help()) {
      out.print(LauncherOptions.USAGE);
      return;
    }
    List<String> taken = takenPorts(options);
    if (!taken.isEmpty()) {
      System.err.println("tollgate: cannot start, ports in use on 127.0.0.1:\n  - " + String.join("\n  - ", taken)
          + "\nStop what uses them, or choose other ports (see ./tollgate run --help).");
      System.exit(2);
      return;
    }

    // The one config file, read and checked before anything starts: its errors stop the launch here.
    ConfigFile file;
    ReconcilerConfig reconciliation;
    try {
      file = options.config() == null ? null : ConfigFile.load(java.nio.file.Path.of(options.config()));
      if (file != null) {
        file.problems().throwIfErrors();
      }
      AggregatorConfig.from(file); // its range errors too, before anything starts
      reconciliation = ReconcilerConfigLoader.from(file == null ? ConfigFile.load(null) : file, System.getenv());
    } catch (ConfigException e) {
      System.err.println("tollgate: invalid configuration " + options.config() + ":\n"
          + Problems.report(e.problems(), e.warnings()));
      System.exit(2);
      return;
    }

    Stack stack = new Stack();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println("Stopping Tollgate …");
      stack.close();
      out.println("Tollgate stopped.");
      stopped.countDown();
    }, "tollgate-shutdown"));

    try {
      Started gateway = start(options, file, reconciliation, stack, new Progress(out));
      if (options.demoMinutes() > 0) {
        out.println("Demo: sending " + options.demoMinutes() + " minute" + (options.demoMinutes() == 1 ? "" : "s")
            + " of synthetic traffic to " + gateway.url() + "; customer " + DemoTraffic.SPIKE_CUSTOMER
            + " crosses the $50/day rule about " + options.demoMinutes() * 36 + " s in.");
        stack.push("demo traffic", DemoTraffic.start(gateway.url(), gateway.key(),
            java.time.Duration.ofMinutes(options.demoMinutes()), out));
      }
    } catch (RuntimeException e) {
      System.err.println("tollgate: start-up failed: " + e.getMessage());
      stack.close();
      System.exit(1);
      return;
    }
    out.println(READY_LINE + " Press Ctrl-C to stop.");
    out.flush();
    while (!stopped.await(2, java.util.concurrent.TimeUnit.SECONDS)) {
      String failed = stack.failed();
      if (failed != null) { // every part runs in this process: one that died for good stops the whole
        System.err.println("tollgate: the " + failed + " stopped for good (see the log above); stopping");
        System.exit(1);
      }
    }
  }

  /** The running gateway's base URL and the key the demo traffic may use (null on an open gateway). */
  private record Started(String url, String key) {
  }

  /** Starts everything; returns the gateway's base URL and key. */
  private static Started start(LauncherOptions o, ConfigFile file, ReconcilerConfig reconciliation, Stack stack,
                               Progress progress) {
    progress.line("Starting Tollgate (data in " + o.home() + ")");
    try {
      Files.createDirectories(o.home());
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create data directory " + o.home() + ": " + e.getMessage(), e);
    }
    String kafka;
    if (o.kafkaBootstrap() == null) {
      EmbeddedKafka embedded = progress.step("Kafka (embedded, KRaft)", () -> stack.push("Kafka", EmbeddedKafka.start(
          new EmbeddedKafka.Options(o.home().resolve("kafka"), o.kafkaPort(), 0, o.partitions(), true))));
      kafka = embedded.bootstrapServers();
    } else {
      kafka = o.kafkaBootstrap();
    }

    LocalClickHouse clickhouse = progress.step(o.clickhouseUrl() == null ? "ClickHouse (local server)" : "ClickHouse (" + o.clickhouseUrl() + ")",
        () -> stack.push("ClickHouse", o.clickhouseUrl() == null
            ? LocalClickHouse.start(new LocalClickHouse.Options(o.home().resolve("clickhouse"), o.clickhousePort(), o.clickhouseTcpPort()))
            : LocalClickHouse.connect(o.clickhouseUrl())));
    ClickHouseSettings settings = clickhouse.settings(DATABASE);
    int applied = progress.step("ClickHouse migrations (database " + DATABASE + ")",
        () -> new ClickHouseMigrations(new ClickHouseClient(settings)).apply().size());

    MockProvider mock = null;
    if (o.mockProvider()) {
      mock = progress.step("Mock provider (Anthropic + OpenAI + Gemini)", () -> stack.push("mock provider", MockProvider.start(o.mockPort())));
    }
    MetricsRegistry metrics = new MetricsRegistry(); // one registry: the gateway's /metrics shows every app
    // SSL/SASL for a Kafka given by --kafka; the gateway takes the same from its config (tollgate.kafka.properties).
    Map<String, String> kafkaProperties = KafkaClientProperties.withFile(Map.of(), System.getenv());
    AggregatorApp aggregator = progress.step("Aggregator (Kafka Streams, exactly-once) + ClickHouse sink",
        () -> stack.push("aggregator", AggregatorApp.start(kafka, "tollgate-aggregator", o.home().resolve("streams"),
            new ClickHouseClient(settings), kafkaProperties, metrics, AggregatorConfig.from(file))));
    stack.watch("aggregator (Streams or the ClickHouse sink)", aggregator::healthy);
    Map<String, String> env = new HashMap<>(System.getenv());
    String slack = env.get("SLACK_WEBHOOK_URL");
    if (o.demoMinutes() > 0 && (slack == null || slack.isBlank())) {
      DemoWebhook hook = progress.step("Local Slack-style webhook (demo)", () -> stack.push("demo webhook",
          DemoWebhook.start(FreePorts.inUse(DEMO_WEBHOOK_PORT) ? 0 : DEMO_WEBHOOK_PORT, progress.out())));
      env.put("SLACK_WEBHOOK_URL", hook.url());
    }
    AlertingConfig alerting = AlertingConfigs.build(file, env, o.demoMinutes() > 0);
    AlertingApp alertingApp = progress.step("Alerting (" + alerting.rulesSummary() + ") + notifier",
        () -> stack.push("alerting", AlertingApp.start(kafka, "tollgate-alerting", o.home().resolve("alerting"),
            alerting, metrics, new ClickHouseClient(settings), kafkaProperties)));
    stack.watch("alerting (Streams or the notifier)", alertingApp::healthy);
    if (reconciliation.enabled()) { // only with admin keys: without them there is nothing to compare with
      io.tollgate.reconciler.Main.Polling polling = progress.step("Reconciler (" + reconciliation + ")", () -> {
        KafkaAlertSink sink = stack.push("reconciler alerts", new KafkaAlertSink(kafka, kafkaProperties));
        io.tollgate.reconciler.Main.Polling p = new io.tollgate.reconciler.Main.Polling(
            io.tollgate.reconciler.Main.build(reconciliation, new ClickHouseClient(settings), sink, PriceTable.bundled(),
                java.time.Clock.systemUTC(), new ReconcilerMetrics(metrics.prometheus())), reconciliation.pollInterval());
        p.start();
        return stack.push("reconciler", p);
      });
      stack.watch("reconciler", polling::alive);
    }
    MasterKey masterKey = MasterKey.resolve(o.home(), o.masterKey(), System.getenv(),
        file != null && file.root().generalSettings().masterKey() != null);
    IngressConfig gatewayConfig = GatewayConfigs.build(o, file, kafka, mock == null ? null : mock.baseUrl(),
        settings.url(), System.getenv(), masterKey);
    // Both apps read the same file: each warning once (unknown keys, unimplemented settings, an open gateway).
    ConfigWarnings.log(alerting.warnings(), gatewayConfig.warnings());
    Gateway gateway = progress.step("Gateway (Anthropic + OpenAI APIs)", () -> stack.push("gateway", Gateway.start(gatewayConfig, new VertxOptions(), metrics)));

    String gw = "http://127.0.0.1:" + gateway.port();
    progress.line("");
    boolean open = gatewayConfig.masterKey() == null && gatewayConfig.virtualKeys().isEmpty();
    progress.line("  Gateway        " + gw + "   (" + gatewayConfig.deployments().size() + " model routes)");
    progress.line("  Web UI         " + gw + "/ui/   (sign in with the master key, or a virtual key for its own usage)");
    if (open) {
      progress.line("  LLM traffic    OPEN: no master key, any key is accepted and metered by its hash");
    } else {
      progress.line("  LLM traffic    needs a key: the master key, or a virtual key from " + gw + "/key/generate");
      if (masterKey != null && masterKey.created()) {
        progress.line("  Master key     " + masterKey.value() + "   (created now, kept in " + masterKey.source()
            + ", shown only this once)");
      } else {
        progress.line("  Master key     from " + (masterKey == null ? "the config (general_settings.master_key)"
            : masterKey.source()) + "   (not shown)");
      }
      progress.line("                 new key: curl -s " + gw + "/key/generate -H \"Authorization: Bearer $MASTER_KEY\""
          + " -d '{\"key_alias\": \"dev-1\", \"max_budget\": 100.00, \"budget_duration\": \"monthly\"}'");
    }
    progress.line("                 Claude Code: ANTHROPIC_BASE_URL=" + gw + (open ? "" : " ANTHROPIC_API_KEY=sk-…")
        + " ANTHROPIC_CUSTOM_HEADERS='x-litellm-customer-id: alice' claude");
    progress.line("                 Codex:       OPENAI_BASE_URL=" + gw + "/v1 codex");
    progress.line("                 metrics:     " + gw + "/metrics");
    progress.line("  Spend API      " + gw + "/spend/logs, /spend/logs/v2, /global/spend/report   ("
        + (gatewayConfig.masterKey() == null ? "no master key set: a key reads only its own spend"
        : "master key, or a key for its own spend") + ")");
    progress.line("  Alerts         " + alerting + "   (alerts are printed here; Slack/email per config)");
    progress.line("  Reconciler     " + (reconciliation.enabled() ? "on: /spend/reconciliation, provider_usage"
        : "off (tollgate.reconciliation with an Anthropic or OpenAI admin key turns it on)"));
    progress.line("  Kafka          " + kafka + "   (topics tollgate.*.v1)");
    progress.line("  ClickHouse     " + clickhouse.url() + "   database " + DATABASE
        + (applied > 0 ? ", " + applied + " migration(s) applied" : ", schema up to date"));
    progress.line("                 spend so far: curl -s '" + clickhouse.url() + "/?query=SELECT+customer_id,"
        + "sum(cost_nanos)/1e9+AS+usd+FROM+tollgate.spend_1d+FINAL+GROUP+BY+customer_id'");
    if (mock != null) {
      progress.line("  Mock provider  " + mock.baseUrl() + "   (/v1/messages, /v1/chat/completions, /v1/responses, "
          + "/v1beta/models/…:generateContent)");
      progress.line("                 try: curl -s " + mock.baseUrl()
          + "/v1/messages -d '{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"messages\":[]}'");
    } else {
      progress.line("  Providers      real (ANTHROPIC_API_KEY / OPENAI_API_KEY set): mock provider not started");
    }
    progress.line("  Data           " + o.home());
    progress.line("");
    return new Started(gw, gatewayConfig.masterKey());
  }

  private static List<String> takenPorts(LauncherOptions o) {
    List<String> taken = new ArrayList<>();
    if (o.kafkaBootstrap() == null && FreePorts.inUse(o.kafkaPort())) {
      taken.add(o.kafkaPort() + " (Kafka; --kafka-port, or --kafka BOOTSTRAP to use a running one)");
    }
    if (o.clickhouseUrl() == null && FreePorts.inUse(o.clickhousePort())) {
      taken.add(o.clickhousePort() + " (ClickHouse HTTP; --clickhouse-port, or --clickhouse URL to use a running one)");
    }
    if (o.clickhouseUrl() == null && FreePorts.inUse(o.clickhouseTcpPort())) {
      taken.add(o.clickhouseTcpPort() + " (ClickHouse native; --clickhouse-tcp-port)");
    }
    if (FreePorts.inUse(o.gatewayPort())) {
      taken.add(o.gatewayPort() + " (gateway; --port)");
    }
    if (o.mockProvider() && FreePorts.inUse(o.mockPort())) {
      taken.add(o.mockPort() + " (mock provider; --mock-port or --no-mock)");
    }
    return taken;
  }

}
