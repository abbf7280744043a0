package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.process.ChildJvm;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import io.tollgate.schemas.topics.TopicSpec;
import io.tollgate.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.TollgateSerdes;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./tollgate run} as a user runs it: the launcher as its own process, up with Kafka,
 * ClickHouse and the mock provider; SIGTERM stops everything, frees every port and leaves no
 * child behind; a second start finds the data of the first.
 */
class LauncherIT {
  private final List<String> output = new ArrayList<>();
  private final List<String> slackMessages = new java.util.concurrent.CopyOnWriteArrayList<>();
  private Thread pump;
  private Map<String, String> env = Map.of();

  @Test
  void startsEverythingStopsCleanlyOnSigtermAndKeepsDataAcrossRestarts(@TempDir Path home) throws Exception {
    com.sun.net.httpserver.HttpServer slack = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 8);
    slack.createContext("/services/hook", ex -> {
      slackMessages.add(new String(ex.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    slack.start();
    env = Map.of("SLACK_WEBHOOK_URL", "http://127.0.0.1:" + slack.getAddress().getPort() + "/services/hook");
    try {
      run(home);
    } finally {
      slack.stop(0);
    }
  }

  private void run(Path home) throws Exception {
    int kafkaPort = FreePorts.pick();
    int chPort = FreePorts.pick();
    int chTcpPort = FreePorts.pick();
    int mockPort = FreePorts.pick();
    int gatewayPort = FreePorts.pick();
    List<String> args = List.of("--home", home.toString(), "--kafka-port", Integer.toString(kafkaPort),
        "--clickhouse-port", Integer.toString(chPort), "--clickhouse-tcp-port", Integer.toString(chTcpPort),
        "--mock-port", Integer.toString(mockPort), "--port", Integer.toString(gatewayPort));

    Process first = start(args);
    List<ProcessHandle> children = first.descendants().toList();
    // First start: a master key is created, kept owner-only under the home, shown once; LLM traffic needs a key.
    Path keyFile = home.resolve(MasterKey.FILE);
    String master = Files.readString(keyFile).strip();
    assertThat(master).startsWith("sk-").hasSizeGreaterThan(30);
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)))
        .isEqualTo("rw-------");
    assertThat(output()).filteredOn(l -> l.contains(master)).hasSize(1);
    assertThat(output()).anyMatch(l -> l.contains("LLM traffic    needs a key"));
    assertThat(children).as("the ClickHouse server runs as a child").isNotEmpty();
    assertThat(String.join("\n", output)).contains("127.0.0.1:" + kafkaPort, "http://127.0.0.1:" + chPort,
        "http://127.0.0.1:" + mockPort);

    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort))) {
      Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      assertThat(topics).containsAll(Topics.ALL.stream().map(TopicSpec::name).toList());
    }
    ClickHouseClient ch = new ClickHouseClient(ClickHouseSettings.of("http://127.0.0.1:" + chPort, "tollgate"));
    assertThat(ch.queryLong("SELECT count() FROM system.tables WHERE database = 'tollgate' AND name IN "
        + "('usage_events', 'spend_1m', 'spend_1h', 'spend_1d', 'alerts')")).isEqualTo(5);
    ch.execute("INSERT INTO alerts (alert_id, rule_id, created_at, updated_at) VALUES ('survives', 'r', now(), now())");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        "bootstrap.servers", "127.0.0.1:" + kafkaPort, "acks", "all"), new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>("launcher-it", "k", "v")).get(30, TimeUnit.SECONDS);
    }
    HttpResponse<String> mock = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + mockPort + "/v1/messages"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":8}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(mock.statusCode()).isEqualTo(200);
    assertThat(mock.body()).contains("\"output_tokens\":8");

    HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gatewayPort + "/v1/messages")).header("x-api-key", "sk-local")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":8}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).as("an unknown key, now that there is a master key").isEqualTo(401);
    // Through the gateway (master key, mock upstream): the call is answered and metered on Kafka.
    HttpResponse<String> viaGateway = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gatewayPort + "/v1/messages"))
        .header("x-api-key", master).header("x-litellm-customer-id", "launcher-it")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":8}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(viaGateway.statusCode()).isEqualTo(200);
    try (KafkaConsumer<String, UsageEvent> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
        "127.0.0.1:" + kafkaPort, "group.id", "launcher-it", "auto.offset.reset", "earliest"),
        new StringDeserializer(), TollgateSerdes.usageEvent())) {
      consumer.subscribe(List.of(Topics.USAGE.name()));
      List<UsageEvent> events = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (events.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(300)).forEach(rec -> events.add(rec.value()));
      }
      assertThat(events).singleElement().satisfies(e -> {
        assertThat(e.getCustomerId()).isEqualTo("launcher-it");
        assertThat(e.getOutputTokens()).isEqualTo(8);
        assertThat(e.getCostNanos()).isPositive();
      });
      // ... and seconds later the aggregator has it in ClickHouse, in the log and in the day window.
      long cost = events.get(0).getCostNanos();
      long deadline2 = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      long inDay = 0;
      while (inDay != cost && System.nanoTime() < deadline2) {
        inDay = ch.queryLong("SELECT sum(cost_nanos) FROM spend_1d FINAL WHERE customer_id = 'launcher-it'");
        Thread.sleep(200);
      }
      assertThat(inDay).isEqualTo(cost);
      assertThat(ch.queryLong("SELECT count() FROM usage_events FINAL WHERE customer_id = 'launcher-it'")).isEqualTo(1);
      // The spend API is the gateway's, on its port: the master key reads every call back.
      HttpResponse<String> logs = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + gatewayPort + "/spend/logs?end_user=launcher-it"))
          .header("x-api-key", master).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(logs.statusCode()).as(logs.body()).isEqualTo(200);
      assertThat(logs.body()).contains("\"end_user\":\"launcher-it\"").contains("\"spend_nanos\":" + cost);
      assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + gatewayPort + "/spend/logs")).build(), HttpResponse.BodyHandlers.ofString())
          .statusCode()).as("no key, no spend").isEqualTo(401);
    }

    // A customer going over the default $50/day rule: one alert on the console (the log channel)
    // and one Slack message to the local webhook.
    HttpResponse<String> expensive = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gatewayPort + "/v1/messages"))
        .header("x-api-key", master).header("x-litellm-customer-id", "big-spender")
        .header("x-mock-usage", "input=20000000,output=10")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(expensive.statusCode()).isEqualTo(200);
    long alertDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < alertDeadline && output().stream().noneMatch(l -> l.contains("big-spender reached its day limit"))) {
      Thread.sleep(100);
    }
    assertThat(output()).filteredOn(l -> l.contains("ALERT [critical] customer big-spender reached its day limit")).hasSize(1);
    waitUntil(() -> slackMessages.stream().anyMatch(m -> m.contains("big-spender reached its day limit")), Duration.ofSeconds(30));
    Thread.sleep(2_000); // room for a duplicate to show up
    assertThat(slackMessages).filteredOn(m -> m.contains("big-spender reached its day limit")).singleElement()
        .satisfies(m -> assertThat(m).contains("customer `big-spender`").contains("$50.00"));
    assertThat(ch.queryLong("SELECT count() FROM alerts FINAL WHERE scope_id = 'big-spender' AND channel = 'slack' "
        + "AND status = 'delivered'")).isEqualTo(1);
    HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + gatewayPort + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body()).as("one /metrics for every app of the process")
        .contains("tollgate_requests_total").contains("tollgate_sink_rows_total{table=\"usage_events\"}")
        .contains("tollgate_consumer_lag_records{app=\"aggregator\"}")
        .contains("tollgate_alert_deliveries_total{channel=\"slack\",outcome=\"delivered\"} 1.0");

    stop(first, children, kafkaPort, chPort, chTcpPort, mockPort, gatewayPort);

    output.clear();
    Process second = start(args);
    List<ProcessHandle> secondChildren = second.descendants().toList();
    assertThat(String.join("\n", output)).contains("schema up to date");
    assertThat(output()).as("the kept master key is not shown again").noneMatch(l -> l.contains(master));
    assertThat(Files.readString(keyFile).strip()).isEqualTo(master);
    assertThat(ch.queryLong("SELECT count() FROM alerts WHERE alert_id = 'survives'")).isEqualTo(1);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort))) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("launcher-it");
    }
    stop(second, secondChildren, kafkaPort, chPort, chTcpPort, mockPort, gatewayPort);
  }

  private Process start(List<String> args) throws Exception {
    String classpath = System.getProperty("tollgate.launcher.jar") + java.io.File.pathSeparator
        + Files.readString(Path.of(System.getProperty("tollgate.launcher.classpath"))).strip();
    List<String> cmd = new ArrayList<>(ChildJvm.javaCommand("768m"));
    cmd.addAll(List.of("-cp", classpath, Main.class.getName()));
    cmd.addAll(args);
    ChildJvm.Started started = ChildJvm.start(cmd, env, Main.READY_LINE, Duration.ofSeconds(120), line -> {
      synchronized (output) {
        output.add(line);
      }
      System.out.println("[launcher] " + line);
    });
    pump = started.output();
    return started.process();
  }

  private List<String> output() {
    synchronized (output) {
      return new ArrayList<>(output);
    }
  }

  private void stop(Process process, List<ProcessHandle> children, int... ports) throws Exception {
    // SIGTERM, as a service manager would. Through the handle: Process.destroy() would also
    // close our end of its output, and we want to read how it shuts down.
    process.toHandle().destroy();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("launcher exits after SIGTERM").isTrue();
    pump.join(10_000);
    waitUntil(() -> children.stream().noneMatch(ProcessHandle::isAlive), Duration.ofSeconds(15));
    assertThat(children).as("no child process left").noneMatch(ProcessHandle::isAlive);
    for (int port : ports) {
      assertThat(FreePorts.inUse(port)).as("port %d free", port).isFalse();
    }
    assertThat(String.join("\n", output)).contains("Tollgate stopped.");
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }
}
