package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.aggregator.AggregatorApp;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.local.mock.MockUsage;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.TopicSpec;
import io.tollgate.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 12's chain end to end with real components: the embedded broker, the real aggregator app
 * over a local ClickHouse, the mock provider and a gateway with a master key. A key generated
 * with a 1-cent hourly budget is spent past it, refused with the budget error; once the
 * aggregator's budget-period total for the key is on {@code tollgate.spend-totals.v1} the gateway
 * restarts on the same spill dir and still refuses it — with nothing left in its hand-off log, so
 * the spend it knows came back through the aggregator, not from memory. {@code /spend/logs} lists
 * the calls; the key value is in no log line, no topic record and no ClickHouse row.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
class KeysAndBudgetsEndToEndIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String MASTER = "sk-master-" + UUID.randomUUID();
  private static final String MESSAGE = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final long INPUT = 1_000;
  private static final long OUTPUT = 100;
  private static final long BUDGET_NANOS = 10_000_000L; // max_budget 0.01 USD

  private final List<String> logLines = Collections.synchronizedList(new ArrayList<>());

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aBudgetSpentBeforeARestartIsStillSpentAfterItThroughTheAggregatorsTotals(KafkaCluster kafka,
      ClickHouseTestDatabase db, @TempDir Path dir) throws Exception {
    long perCall = PriceTable.bundled().cost("claude-sonnet-4-5",
        new Usage(INPUT, OUTPUT, 0, 0, 0, 0, null, null, true)).nanos();
    assertThat(perCall).as("3e-6 × 1000 + 1.5e-5 × 100 USD").isEqualTo(4_500_000L);
    long allowed = (BUDGET_NANOS + perCall - 1) / perCall; // calls admitted while spend < budget: 3
    AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent e) {
        logLines.add(e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
            : ThrowableProxyUtil.asString(e.getThrowableProxy())));
      }
    };
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    appender.setContext(root.getLoggerContext());
    appender.start();
    root.addAppender(appender);
    // The launcher's logback.xml keeps io.tollgate at WARN: the scan reads everything Tollgate says.
    Logger tollgate = (Logger) LoggerFactory.getLogger("io.tollgate");
    ch.qos.logback.classic.Level tollgateLevel = tollgate.getLevel();
    ch.qos.logback.classic.Level rootLevel = root.getLevel();
    tollgate.setLevel(ch.qos.logback.classic.Level.TRACE);
    root.setLevel(ch.qos.logback.classic.Level.INFO);
    Path spill = dir.resolve("spill");
    String applicationId = "e2e-keys-" + UUID.randomUUID();
    Gateway gateway = null;
    try (MockProvider mock = MockProvider.start(0);
         AggregatorApp aggregator = AggregatorApp.start(kafka.bootstrapServers(), applicationId,
             dir.resolve("streams"), db.client())) {
      gateway = gateway(mock, kafka, db, spill, "gw-e2e");
      // Every call, the restart and the fresh gateway must fall in one 1h period (a new hour starts
      // with nothing spent): close to the hour's end, wait for the next hour to begin.
      java.time.Instant now = java.time.Instant.now();
      java.time.Instant hourEnd = now.truncatedTo(java.time.temporal.ChronoUnit.HOURS).plus(Duration.ofHours(1));
      if (Duration.between(now, hourEnd).compareTo(Duration.ofSeconds(75)) < 0) {
        within(Duration.ofSeconds(80), "the next hour begins", () -> !java.time.Instant.now().isBefore(hourEnd));
      }
      String key = generate(gateway);
      String hash = KeyAuth.sha256(key);

      for (int i = 1; i <= allowed; i++) {
        HttpResponse<String> ok = message(gateway, key);
        assertThat(ok.statusCode()).as("call %d: %s", i, ok.body()).isEqualTo(200);
      }
      HttpResponse<String> refused = message(gateway, key);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
      assertThat(refused.body()).contains("Budget has been exceeded").contains("Key=e2e").doesNotContain(key);

      // The aggregator's total for the key's current 1h period, read from the topic itself.
      long expected = allowed * perCall;
      within(Duration.ofSeconds(45), "the aggregator's 1h total for the key reaches " + expected + " nanos",
          () -> keyTotal(kafka, hash, "1h") >= expected);
      Gateway first = gateway;
      within(Duration.ofSeconds(30), "the gateway's hand-off log is acknowledged", () -> first.handoffBacklog() == 0);
      JsonNode before = info(gateway, key);
      assertThat(before.path("info").path("spend").asDouble()).isGreaterThanOrEqualTo(0.01);

      gateway.close();
      gateway = null;
      gateway = gateway(mock, kafka, db, spill, "gw-e2e");
      JsonNode after = info(gateway, key);
      assertThat(after.path("info").path("key_alias").asText()).isEqualTo("e2e");
      assertThat(after.path("info").path("spend").asDouble()).as(after.toString())
          .isGreaterThanOrEqualTo(expected / 1e9 - 1e-9);
      assertThat(after.path("info").path("budget_reset_at").isTextual()).as(after.toString()).isTrue();
      HttpResponse<String> stillRefused = message(gateway, key);
      assertThat(stillRefused.statusCode()).as(stillRefused.body()).isEqualTo(429);
      assertThat(stillRefused.body()).contains("Budget has been exceeded");

      // A gateway that never saw the key or its calls (own id, empty spill dir: no hand-off log, no
      // management snapshot) knows both only from the topics, and refuses too.
      try (Gateway fresh = gateway(mock, kafka, db, dir.resolve("spill-fresh"), "gw-e2e-fresh")) {
        JsonNode freshInfo = info(fresh, key);
        assertThat(freshInfo.path("info").path("spend").asDouble()).as(freshInfo.toString())
            .isGreaterThanOrEqualTo(expected / 1e9 - 1e-9);
        HttpResponse<String> freshRefused = message(fresh, key);
        assertThat(freshRefused.statusCode()).as(freshRefused.body()).isEqualTo(429);
        assertThat(freshRefused.body()).contains("Budget has been exceeded");
      }

      // /spend/logs: the key's calls from ClickHouse (the aggregator's sink), the refusals included.
      Gateway restarted = gateway;
      List<JsonNode> rows = new ArrayList<>();
      within(Duration.ofSeconds(45), "/spend/logs lists the key's " + allowed + " calls and 3 refusals", () -> {
        rows.clear();
        master(restarted, "/spend/logs?api_key=" + hash).forEach(rows::add);
        return rows.size() >= allowed + 3;
      });
      assertThat(rows).hasSize((int) allowed + 3)
          .allSatisfy(r -> assertThat(r.path("api_key").asText()).isEqualTo(hash));
      assertThat(rows.stream().filter(r -> r.path("spend").asDouble() > 0).count()).isEqualTo(allowed);
      assertThat(rows.stream().mapToDouble(r -> r.path("spend").asDouble()).sum())
          .isCloseTo(expected / 1e9, org.assertj.core.data.Offset.offset(1e-9));

      List<String> places = new ArrayList<>();
      byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
      assertThat(logLines).as("log lines captured").isNotEmpty();
      List.copyOf(logLines).stream().filter(l -> l.contains(key)).findAny().ifPresent(l -> places.add("log line"));
      List<byte[]> records = allRecords(kafka);
      assertThat(records).isNotEmpty();
      records.stream().filter(r -> contains(r, bytes)).findAny().ifPresent(r -> places.add("topic record"));
      // Every row of every table the aggregator's sink and migrations made (usage events, totals, dead letters).
      int tables = 0;
      for (Map<String, Object> t : db.client().query("SELECT name FROM system.tables WHERE database = '"
          + db.database() + "' AND engine NOT LIKE '%View'")) {
        tables++;
        String table = db.database() + ".`" + t.get("name") + "`";
        if (db.client().query("SELECT * FROM " + table).stream().anyMatch(row -> row.toString().contains(key))) {
          places.add("ClickHouse " + table);
        }
      }
      assertThat(tables).as("ClickHouse tables scanned").isPositive();
      assertThat(places).as("where the generated key was found").isEmpty();
    } finally {
      if (gateway != null) {
        gateway.close();
      }
      root.detachAppender(appender);
      tollgate.setLevel(tollgateLevel);
      root.setLevel(rootLevel);
    }
  }

  private static Gateway gateway(MockProvider mock, KafkaCluster kafka, ClickHouseTestDatabase db, Path spill,
                                 String id) throws Exception {
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %1$s, api_key: sk-ant-provider}
        general_settings: {master_key: %2$s, forward_client_headers_to_llm_api: true}
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: %7$s
          spill_dir: %3$s
          kafka: {bootstrap_servers: "%4$s"}
          clickhouse: {url: "%5$s", database: %6$s}
        """.formatted(mock.baseUrl(), MASTER, spill, kafka.bootstrapServers(), db.settings().url(), db.database(), id);
    return YamlGateway.start(yaml, spill);
  }

  private static HttpResponse<String> call(Gateway gw, String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String generate(Gateway gw) throws Exception {
    HttpResponse<String> r = call(gw, "POST", "/key/generate",
        "{\"max_budget\": 0.01, \"budget_duration\": \"1h\", \"key_alias\": \"e2e\"}",
        "authorization", "Bearer " + MASTER, "content-type", "application/json");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String key = JSON.readTree(r.body()).path("key").asText();
    assertThat(key).startsWith("sk-");
    return key;
  }

  private static HttpResponse<String> message(Gateway gw, String key) throws Exception {
    return call(gw, "POST", "/v1/messages", MESSAGE, "x-api-key", key, "content-type", "application/json",
        MockUsage.HEADER, "input=" + INPUT + ",output=" + OUTPUT);
  }

  private static JsonNode master(Gateway gw, String path) {
    try {
      HttpResponse<String> r = call(gw, "GET", path, null, "authorization", "Bearer " + MASTER);
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
      return JSON.readTree(r.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode info(Gateway gw, String key) throws Exception {
    return master(gw, "/key/info?key=" + java.net.URLEncoder.encode(key, StandardCharsets.UTF_8));
  }

  /** The largest cost of the key's current-period totals of {@code duration} on the totals topic. */
  private static long keyTotal(KafkaCluster kafka, String hash, String duration) {
    long best = -1;
    try (KafkaConsumer<String, SpendTotal> c = new KafkaConsumer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers(), "isolation.level", "read_committed"), new StringDeserializer(),
        TollgateSerdes.spendTotal().deserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (PartitionInfo p : c.partitionsFor(Topics.SPEND_TOTALS.name(), Duration.ofSeconds(10))) {
        parts.add(new TopicPartition(p.topic(), p.partition()));
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, SpendTotal> r : c.poll(Duration.ofMillis(200))) {
          SpendTotal t = r.value();
          if (t != null && t.getPeriodStart() != null && "key".equals(String.valueOf(t.getScope()))
              && hash.equals(String.valueOf(t.getScopeId())) && duration.equals(String.valueOf(t.getDuration()))) {
            best = Math.max(best, t.getCostNanos());
          }
        }
      }
    }
    return best;
  }

  private static List<byte[]> allRecords(KafkaCluster kafka) {
    Map<String, Object> config = new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers()));
    List<byte[]> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (TopicSpec spec : Topics.ALL) {
        for (PartitionInfo p : c.partitionsFor(spec.name(), Duration.ofSeconds(10))) {
          parts.add(new TopicPartition(p.topic(), p.partition()));
        }
      }
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.key() != null) {
            out.add(r.key());
          }
          if (r.value() != null) {
            out.add(r.value());
          }
          r.headers().forEach(h -> out.add(h.value() == null ? new byte[0] : h.value()));
        }
      }
    }
    return out;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Polls {@code condition}; fails the test at the timeout. */
  private static void within(Duration timeout, String what, Supplier<Boolean> condition) throws Exception {
    long start = System.nanoTime();
    while (!condition.get()) {
      if (System.nanoTime() - start > timeout.toNanos()) {
        throw new AssertionError(what + " did not happen within " + timeout);
      }
      Thread.sleep(100); // polling interval of the wait, bounded by the timeout above
    }
  }
}
