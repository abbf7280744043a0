package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.aggregator.AggregatorApp;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.budget.BudgetDuration;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.mock.MockFailure;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.local.mock.MockUsage;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.TopicSpec;
import io.tollgate.schemas.topics.Topics;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 12's "Done when" with real components on one stack: the embedded broker, the real
 * aggregator app over a local ClickHouse (so every total a gateway reads was summed by the
 * production topology), the mock provider, and two gateways A and B with a master key on the same
 * topics. Budgets spent past (and kept across a restart), a 30 s budget working again in its next
 * period, a customer's budget refusing every key, the (rpm+1)-th call, a key deleted on A refused by
 * B within a second, and the concurrency bound of docs/budgets.md on one gateway and on two. Last,
 * a scan of every log line, topic record, ClickHouse row and API answer for the generated keys.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeysAndBudgetsEndToEndIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String MASTER = "sk-master-" + UUID.randomUUID();
  private static final String MODEL = "claude-sonnet-4-5";
  private static final String MESSAGE = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final long INPUT = 1_000;
  private static final long OUTPUT = 100;
  private static final long BUDGET_NANOS = 10_000_000L; // max_budget 0.01 USD
  /** What one {@link #message} call costs by the bundled price table: 3e-6 × 1000 + 1.5e-5 × 100 USD. */
  private static final long PER_CALL = PriceTable.bundled().cost(MODEL,
      new Usage(INPUT, OUTPUT, 0, 0, 0, 0, null, null, true)).nanos();
  /** Calls a 1-cent budget admits one after another: each while spend is below the budget (3). */
  private static final long ALLOWED = (BUDGET_NANOS + PER_CALL - 1) / PER_CALL;

  /** Every key value the API handed out, and every answer given other than the one handing a key out. */
  private static final Set<String> GENERATED = ConcurrentHashMap.newKeySet();
  private static final List<String> RESPONSES = Collections.synchronizedList(new ArrayList<>());
  private static final List<String> LOG_LINES = Collections.synchronizedList(new ArrayList<>());

  @TempDir
  static Path dir;
  private static KafkaCluster kafka;
  private static ClickHouseTestDatabase db;
  private static AppenderBase<ILoggingEvent> appender;
  private static Level tollgateLevel;
  private static Level rootLevel;
  private static MockProvider mock;
  private static AggregatorApp aggregator;
  private static Gateway a;
  private static Gateway b;

  @BeforeAll
  static void start(KafkaCluster cluster, ClickHouseTestDatabase database) throws Exception {
    kafka = cluster;
    db = database;
    appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent e) {
        LOG_LINES.add(e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
            : ThrowableProxyUtil.asString(e.getThrowableProxy())));
      }
    };
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    appender.setContext(root.getLoggerContext());
    appender.start();
    root.addAppender(appender);
    // The launcher's logback.xml keeps io.tollgate at WARN: the scan reads everything Tollgate says.
    Logger tollgate = (Logger) LoggerFactory.getLogger("io.tollgate");
    tollgateLevel = tollgate.getLevel();
    rootLevel = root.getLevel();
    tollgate.setLevel(Level.TRACE);
    root.setLevel(Level.INFO);
    mock = MockProvider.start(0);
    aggregator = AggregatorApp.start(kafka.bootstrapServers(), "e2e-keys-" + UUID.randomUUID(),
        dir.resolve("streams"), db.client());
    a = gateway(dir.resolve("spill-a"), "gw-e2e-a");
    b = gateway(dir.resolve("spill-b"), "gw-e2e-b");
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {a, b, aggregator, mock}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(appender);
    ((Logger) LoggerFactory.getLogger("io.tollgate")).setLevel(tollgateLevel);
    root.setLevel(rootLevel);
  }

  /**
   * A key generated with a 1-cent hourly budget is spent past it, refused with the budget error;
   * once the aggregator's budget-period total for the key is on {@code tollgate.spend-totals.v1} the
   * gateway restarts on the same spill dir and still refuses it — with nothing left in its hand-off
   * log, so the spend it knows came back through the aggregator, not from memory. A gateway that
   * never saw the key refuses it too. {@code /spend/logs} lists the calls.
   */
  @Test
  @Order(1)
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aBudgetSpentBeforeARestartIsStillSpentAfterItThroughTheAggregatorsTotals() throws Exception {
    assertThat(PER_CALL).as("3e-6 × 1000 + 1.5e-5 × 100 USD").isEqualTo(4_500_000L);
    Path spill = dir.resolve("spill-restart");
    Gateway gateway = gateway(spill, "gw-e2e");
    try {
      // Every call, the restart and the fresh gateway must fall in one 1h period (a new hour starts
      // with nothing spent): close to the hour's end, wait for the next hour to begin.
      Instant now = Instant.now();
      Instant hourEnd = now.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
      if (Duration.between(now, hourEnd).compareTo(Duration.ofSeconds(75)) < 0) {
        within(Duration.ofSeconds(80), "the next hour begins", () -> !Instant.now().isBefore(hourEnd));
      }
      String key = generate(gateway, "{\"max_budget\": 0.01, \"budget_duration\": \"1h\", \"key_alias\": \"e2e\"}");
      String hash = KeyAuth.sha256(key);

      for (int i = 1; i <= ALLOWED; i++) {
        HttpResponse<String> ok = message(gateway, key);
        assertThat(ok.statusCode()).as("call %d: %s", i, ok.body()).isEqualTo(200);
      }
      HttpResponse<String> refused = message(gateway, key);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
      assertThat(refused.body()).contains("Budget has been exceeded").contains("Key=e2e");

      // The aggregator's total for the key's current 1h period, read from the topic itself.
      long expected = ALLOWED * PER_CALL;
      within(Duration.ofSeconds(45), "the aggregator's 1h total for the key reaches " + expected + " nanos",
          () -> total(kafka, "key", hash, "1h") >= expected);
      Gateway first = gateway;
      within(Duration.ofSeconds(30), "the gateway's hand-off log is acknowledged", () -> first.handoffBacklog() == 0);
      JsonNode before = info(gateway, key);
      assertThat(before.path("info").path("spend").asDouble()).isGreaterThanOrEqualTo(0.01);

      gateway.close();
      gateway = null;
      gateway = gateway(spill, "gw-e2e");
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
      try (Gateway fresh = gateway(dir.resolve("spill-fresh"), "gw-e2e-fresh")) {
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
      within(Duration.ofSeconds(45), "/spend/logs lists the key's " + ALLOWED + " calls and 3 refusals", () -> {
        rows.clear();
        master(restarted, "GET", "/spend/logs?api_key=" + hash, null).forEach(rows::add);
        return rows.size() >= ALLOWED + 3;
      });
      assertThat(rows).hasSize((int) ALLOWED + 3)
          .allSatisfy(r -> assertThat(r.path("api_key").asText()).isEqualTo(hash));
      assertThat(rows.stream().filter(r -> r.path("spend").asDouble() > 0).count()).isEqualTo(ALLOWED);
      assertThat(rows.stream().mapToDouble(r -> r.path("spend").asDouble()).sum())
          .isCloseTo(expected / 1e9, Offset.offset(1e-9));
    } finally {
      if (gateway != null) {
        gateway.close();
      }
    }
  }

  /**
   * {@code budget_duration: 30s}: refused once over budget, and — with the aggregator's total of
   * the spent period on the totals topic — admitted again as soon as the next period begins; no
   * job resets anything, the clock moves the key into a period nothing has been spent in.
   */
  @Test
  @Order(2)
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aThirtySecondBudgetRefusesOnceSpentAndWorksAgainInTheNextPeriod() throws Exception {
    BudgetDuration thirty = BudgetDuration.parse("30s");
    // Spending and the refusal must fall in one period: with less than 10 s left, start in the next.
    Instant now = Instant.now();
    if (Duration.between(now, thirty.periodEnd(now)).compareTo(Duration.ofSeconds(10)) < 0) {
      Instant next = thirty.periodEnd(now);
      within(Duration.ofSeconds(15), "the next 30 s period begins", () -> !Instant.now().isBefore(next));
    }
    String key = generate(a, "{\"max_budget\": 0.01, \"budget_duration\": \"30s\", \"key_alias\": \"e2e-30s\"}");
    String hash = KeyAuth.sha256(key);
    Instant periodStart = thirty.periodStart(Instant.now());
    Instant periodEnd = thirty.periodEnd(periodStart);
    for (int i = 1; i <= ALLOWED; i++) {
      HttpResponse<String> ok = message(a, key);
      assertThat(ok.statusCode()).as("call %d: %s", i, ok.body()).isEqualTo(200);
    }
    HttpResponse<String> refused = message(a, key);
    assertThat(Instant.now()).as("the calls fell in one 30 s period").isBefore(periodEnd);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    assertThat(refused.body()).contains("Budget has been exceeded! Key=e2e-30s");
    assertThat(info(a, key).path("info").path("budget_reset_at").asText()).startsWith(
        periodEnd.toString().substring(0, 19));
    // The aggregator sums the 30 s period the calls listed (it may finish after the period ended).
    within(Duration.ofSeconds(45), "the aggregator's 30s total for the key",
        () -> total(kafka, "key", hash, "30s") >= ALLOWED * PER_CALL);

    within(Duration.ofSeconds(35), "the next 30 s period begins", () -> !Instant.now().isBefore(periodEnd));
    HttpResponse<String> again = message(a, key);
    assertThat(again.statusCode()).as("the next period: " + again.body()).isEqualTo(200);
    JsonNode info = info(a, key);
    assertThat(info.path("info").path("spend").asDouble()).as(info.toString())
        .isCloseTo(PER_CALL / 1e9, Offset.offset(1e-9));
    // Gateway B agrees from the totals and its own (empty) view: one call spent in this period.
    if (Instant.now().isBefore(thirty.periodEnd(periodEnd))) {
      HttpResponse<String> onB = message(b, key);
      assertThat(onB.statusCode()).as(onB.body()).isEqualTo(200);
    }
  }

  /**
   * A customer ({@code /customer/new} with a 1-cent budget) is named by {@code x-litellm-customer-id}
   * on two different keys: spent past on the first key, it is refused on the second — on the
   * gateway that saw the spend at once, on the other once the aggregator's customer total reaches it.
   * Another customer on the same key is not affected.
   */
  @Test
  @Order(3)
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aCustomerOverBudgetIsRefusedOnEveryKey() throws Exception {
    String customer = "acme-" + UUID.randomUUID();
    JsonNode created = master(a, "POST", "/customer/new",
        "{\"user_id\": \"" + customer + "\", \"max_budget\": 0.01}");
    assertThat(created.path("user_id").asText()).isEqualTo(customer);
    String one = generate(a, "{\"key_alias\": \"e2e-cust-1\"}");
    String two = generate(a, "{\"key_alias\": \"e2e-cust-2\"}");
    for (int i = 1; i <= ALLOWED; i++) {
      HttpResponse<String> ok = message(a, one, "x-litellm-customer-id", customer);
      assertThat(ok.statusCode()).as("call %d: %s", i, ok.body()).isEqualTo(200);
    }
    for (String key : List.of(one, two)) {
      HttpResponse<String> r = message(a, key, "x-litellm-customer-id", customer);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
      assertThat(JSON.readTree(r.body()).path("error").path("message").asText())
          .startsWith("Budget has been exceeded! End User=" + customer);
    }
    // Gateway B saw none of the calls: the customer's spend reaches it only through the aggregator.
    within(Duration.ofSeconds(45), "gateway B sees the customer's spend", () -> {
      HttpResponse<String> r = call(b, "GET", "/customer/info?end_user_id=" + customer, null,
          "authorization", "Bearer " + MASTER);
      try {
        return r.statusCode() == 200
            && JSON.readTree(r.body()).path("spend").asDouble() >= ALLOWED * PER_CALL / 1e9 - 1e-9;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    for (String key : List.of(two, one)) {
      HttpResponse<String> r = message(b, key, "x-litellm-customer-id", customer);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
      assertThat(r.body()).contains("End User=" + customer);
    }
    assertThat(message(b, two, "x-litellm-customer-id", "someone-else").statusCode()).isEqualTo(200);
  }

  /** {@code rpm_limit: 3}: three calls pass (counting down the remaining requests), the fourth is 429 with retry-after. */
  @Test
  @Order(4)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void theRpmPlusFirstCallInAMinuteGets429WithRetryAfter() throws Exception {
    String key = generate(a, "{\"rpm_limit\": 3, \"key_alias\": \"e2e-rpm\"}");
    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> ok = message(a, key);
      assertThat(ok.statusCode()).as("call %d: %s", i, ok.body()).isEqualTo(200);
      assertThat(ok.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
      assertThat(ok.headers().firstValue("x-ratelimit-remaining-requests")).hasValue(Integer.toString(3 - i));
    }
    HttpResponse<String> refused = message(a, key);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 62L);
    assertThat(JSON.readTree(refused.body()).path("error").path("message").asText())
        .contains("rate limit type = key").contains("rpm limit: 3").contains("Limit reached: requests of key 'e2e-rpm'");
  }

  /** A key deleted through gateway A is refused by gateway B within a second. */
  @Test
  @Order(5)
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aKeyDeletedOnGatewayAIsRefusedByGatewayBWithinASecond() throws Exception {
    String key = generate(a, "{\"key_alias\": \"e2e-delete\"}");
    within(Duration.ofSeconds(5), "gateway B knowing the new key", () -> status(b, key) == 200);
    master(a, "POST", "/key/delete", "{\"keys\": [\"" + key + "\"]}");
    long start = System.nanoTime();
    within(Duration.ofSeconds(5), "gateway B refusing the deleted key", () -> status(b, key) == 401);
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.println("KeysAndBudgetsEndToEndIT: deleted on gateway A, refused by gateway B after " + ms + " ms");
    assertThat(ms).as("deleted on A, refused on B after %d ms", ms).isLessThan(1_000);
  }

  /**
   * 50 concurrent calls against a key whose budget covers 10, on one gateway: docs/budgets.md's
   * bound with I = Q = 0 and E = 0 (each call's hold is exactly its cost) is spend < B + c_max, so
   * at most 10 calls; all 10 the budget pays for go through (nothing falsely tripped). Each admitted
   * call costs what the price table says, in the event the aggregator wrote to ClickHouse.
   */
  @Test
  @Order(6)
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void fiftyConcurrentCallsOnOneGatewayLetThroughAtMostTheBound() throws Exception {
    Burst burst = Burst.exact();
    long budget = 10 * burst.cost;
    String key = generate(a, "{\"max_budget\": " + usd(budget) + ", \"key_alias\": \"e2e-burst-one\"}");
    long admitted = admitted(burst.send(a, key, 50));
    assertThat(admitted * burst.cost).as("spend < B + c_max (one gateway)").isLessThan(budget + burst.cost);
    assertThat(admitted).as("the budget pays for 10").isEqualTo(10);
    within(Duration.ofSeconds(10), "every hold settled", () -> a.openReservations() == 0);
    assertThat(info(a, key).path("info").path("spend").asDouble()).isCloseTo(budget / 1e9, Offset.offset(1e-9));
    assertCostsFromThePriceTable(key, admitted, burst.cost);
  }

  /**
   * The same against two gateways, 25 calls each at once: neither sees the other's holds, so each
   * alone keeps its own view under B + c_max and a burst passes at most G · (B/h + 1) calls in all
   * (docs/budgets.md, G = 2 gateways, h = the smallest hold). Once the aggregator has both
   * gateways' events each sees the exact sum — its own part not counted twice — and refuses.
   */
  @Test
  @Order(7)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void fiftyConcurrentCallsOnTwoGatewaysLetThroughAtMostTheBound() throws Exception {
    Burst burst = Burst.exact();
    long budget = 10 * burst.cost;
    String key = generate(a, "{\"max_budget\": " + usd(budget) + ", \"key_alias\": \"e2e-burst-two\"}");
    within(Duration.ofSeconds(5), "gateway B knowing the new key",
        () -> call(b, "GET", "/key/info?key=" + KeyAuth.sha256(key), null, "authorization", "Bearer " + MASTER)
            .statusCode() == 200);
    List<CompletableFuture<HttpResponse<String>>> onA = burst.send(a, key, 25);
    List<CompletableFuture<HttpResponse<String>>> onB = burst.send(b, key, 25);
    long admittedA = admitted(onA);
    long admittedB = admitted(onB);
    System.out.println("KeysAndBudgetsEndToEndIT: two gateways admitted " + admittedA + " + " + admittedB);
    assertThat(admittedA * burst.cost).as("gateway A's own view < B + c_max").isLessThan(budget + burst.cost);
    assertThat(admittedB * burst.cost).as("gateway B's own view < B + c_max").isLessThan(budget + burst.cost);
    long gateways = 2;
    assertThat(admittedA + admittedB).as("at most G · (B/h + 1)")
        .isLessThanOrEqualTo(gateways * (budget / burst.cost + 1))
        .as("the budget's 10 calls at least").isGreaterThanOrEqualTo(10);
    long spent = (admittedA + admittedB) * burst.cost;
    within(Duration.ofSeconds(45), "both gateways see the exact total " + spent + " nanos", () ->
        Math.round(info(a, key).path("info").path("spend").asDouble() * 1e9) == spent
            && Math.round(info(b, key).path("info").path("spend").asDouble() * 1e9) == spent);
    assertThat(admitted(burst.send(a, key, 5)) + admitted(burst.send(b, key, 5))).as("after the totals").isZero();
    assertCostsFromThePriceTable(key, admittedA + admittedB, burst.cost);
  }

  /**
   * After every test above: no generated key value appears in a log line, a record of any topic, a
   * row of any ClickHouse table, or an API answer after the one that handed it out; nor does the
   * master key appear in a log line, a topic or ClickHouse.
   */
  @Test
  @Order(100)
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void noGeneratedKeyAppearsInLogsTopicsClickHouseOrLaterAnswers() {
    assertThat(GENERATED).as("keys generated by the tests above").hasSizeGreaterThanOrEqualTo(8);
    assertThat(LOG_LINES).as("log lines captured").isNotEmpty();
    assertThat(RESPONSES).as("answers captured").hasSizeGreaterThan(100);
    List<String> secrets = new ArrayList<>(GENERATED);
    secrets.add(MASTER);
    List<byte[]> records = allRecords(kafka);
    assertThat(records).isNotEmpty();
    List<String> rows = new ArrayList<>();
    for (Map<String, Object> t : db.client().query("SELECT name FROM system.tables WHERE database = '"
        + db.database() + "' AND engine NOT LIKE '%View'")) {
      String table = db.database() + ".`" + t.get("name") + "`";
      db.client().query("SELECT * FROM " + table).forEach(row -> rows.add(table + " " + row));
    }
    assertThat(rows).as("ClickHouse rows (usage events of the calls above among them)").hasSizeGreaterThan(100);
    List<String> places = new ArrayList<>();
    for (String secret : secrets) {
      String what = secret.equals(MASTER) ? "the master key" : "a generated key";
      byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
      List.copyOf(LOG_LINES).stream().filter(l -> l.contains(secret)).findAny()
          .ifPresent(l -> places.add(what + " in a log line"));
      records.stream().filter(r -> contains(r, bytes)).findAny().ifPresent(r -> places.add(what + " in a topic record"));
      rows.stream().filter(r -> r.contains(secret)).findAny()
          .ifPresent(r -> places.add(what + " in " + r.substring(0, r.indexOf(' '))));
      if (!secret.equals(MASTER)) {
        List.copyOf(RESPONSES).stream().filter(r -> r.contains(secret)).findAny()
            .ifPresent(r -> places.add(what + " in a later API answer"));
      }
    }
    assertThat(places).as("where a secret was found").isEmpty();
  }

  // --- helpers ---

  /** A Messages call whose hold is exactly its cost: the body a multiple of 4 bytes, usage = body / 4 in and max_tokens out. */
  private record Burst(String body, long inputTokens, long cost) {
    static final long OUT = 50;

    static Burst exact() {
      String text = "hi";
      String body;
      do {
        body = "{\"model\":\"" + MODEL + "\",\"max_tokens\":" + OUT + ",\"messages\":[{\"role\":\"user\",\"content\":\""
            + text + "\"}]}";
        text += ".";
      } while (body.length() % 4 != 0);
      long in = body.length() / 4;
      long cost = PriceTable.bundled().cost(MODEL, new Usage(in, OUT, 0, 0, 0, 0, null, null, true)).nanos();
      assertThat(cost).as("the price table's $3/M in, $15/M out").isEqualTo(in * 3_000 + OUT * 15_000);
      return new Burst(body, in, cost);
    }

    /** {@code n} calls at once, each held upstream 1.5 s so all are in flight together. */
    List<CompletableFuture<HttpResponse<String>>> send(Gateway g, String key, int n) {
      List<CompletableFuture<HttpResponse<String>>> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        out.add(HTTP.sendAsync(request(g, "POST", "/v1/messages", body, "x-api-key", key,
            "content-type", "application/json", MockFailure.HEADER, "slow:1500",
            MockUsage.HEADER, "input=" + inputTokens + ",output=" + OUT), HttpResponse.BodyHandlers.ofString())
            .thenApply(KeysAndBudgetsEndToEndIT::recorded));
      }
      return out;
    }
  }

  private static long admitted(List<CompletableFuture<HttpResponse<String>>> calls) {
    List<HttpResponse<String>> answers = calls.stream().map(CompletableFuture::join).toList();
    assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isIn(200, 429));
    answers.stream().filter(r -> r.statusCode() == 429)
        .forEach(r -> assertThat(r.body()).contains("Budget has been exceeded"));
    return answers.stream().filter(r -> r.statusCode() == 200).count();
  }

  /** The aggregator's rows of the key in ClickHouse: {@code admitted} paid calls, each costing the price table's {@code cost}. */
  private static void assertCostsFromThePriceTable(String key, long admitted, long cost) throws Exception {
    String hash = KeyAuth.sha256(key);
    String sql = "SELECT status_code, cost_nanos FROM " + db.database() + ".usage_events FINAL WHERE key_hash = '"
        + hash + "' AND status_code = 200";
    List<Map<String, Object>> paid = new ArrayList<>();
    within(Duration.ofSeconds(45), admitted + " paid calls in ClickHouse", () -> {
      paid.clear();
      paid.addAll(db.client().query(sql));
      return paid.size() >= admitted;
    });
    assertThat(paid).hasSize((int) admitted)
        .allSatisfy(r -> assertThat(((Number) r.get("cost_nanos")).longValue()).isEqualTo(cost));
  }

  private static String usd(long nanos) {
    return BigDecimal.valueOf(nanos, 9).toPlainString();
  }

  private static Gateway gateway(Path spill, String id) throws Exception {
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

  private static HttpRequest request(Gateway gw, String method, String path, String body, String... headers) {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return r.build();
  }

  /** Keeps the answer (headers and body) for the scan. */
  private static HttpResponse<String> recorded(HttpResponse<String> r) {
    RESPONSES.add(r.headers().map() + "\n" + r.body());
    return r;
  }

  private static HttpResponse<String> call(Gateway gw, String method, String path, String body, String... headers) {
    try {
      return recorded(HTTP.send(request(gw, method, path, body, headers), HttpResponse.BodyHandlers.ofString()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code /key/generate} with the master key; the one answer that carries the key, so not recorded. */
  private static String generate(Gateway gw, String body) throws Exception {
    HttpResponse<String> r = HTTP.send(request(gw, "POST", "/key/generate", body,
        "authorization", "Bearer " + MASTER, "content-type", "application/json"), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String key = JSON.readTree(r.body()).path("key").asText();
    assertThat(key).startsWith("sk-");
    GENERATED.add(key);
    return key;
  }

  private static HttpResponse<String> message(Gateway gw, String key, String... extra) {
    List<String> headers = new ArrayList<>(List.of("x-api-key", key, "content-type", "application/json",
        MockUsage.HEADER, "input=" + INPUT + ",output=" + OUTPUT));
    headers.addAll(List.of(extra));
    return call(gw, "POST", "/v1/messages", MESSAGE, headers.toArray(String[]::new));
  }

  private static int status(Gateway gw, String key) {
    return message(gw, key).statusCode();
  }

  private static JsonNode master(Gateway gw, String method, String path, String body) {
    HttpResponse<String> r = call(gw, method, path, body, "authorization", "Bearer " + MASTER,
        "content-type", "application/json");
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    try {
      return JSON.readTree(r.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode info(Gateway gw, String key) {
    return master(gw, "GET", "/key/info?key=" + URLEncoder.encode(KeyAuth.sha256(key), StandardCharsets.UTF_8), null);
  }

  /** The largest cost of the {@code scope}/{@code id} totals of {@code duration} on the totals topic. */
  private static long total(KafkaCluster kafka, String scope, String id, String duration) {
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
          if (t != null && t.getPeriodStart() != null && scope.equals(String.valueOf(t.getScope()))
              && id.equals(String.valueOf(t.getScopeId())) && duration.equals(String.valueOf(t.getDuration()))) {
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
      Thread.sleep(20); // polling interval of the wait, bounded by the timeout above
    }
  }
}
