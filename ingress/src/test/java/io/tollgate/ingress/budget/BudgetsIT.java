package io.tollgate.ingress.budget;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.schemas.Alert;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.metrics.MetricsRegistry;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import io.vertx.core.VertxOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Budgets end to end: real gateways, the embedded broker, the mock provider, and totals built from
 * the gateways' events by the budget-period contract ({@link TotalsAggregator}).
 */
@ExtendWith(KafkaExtension.class)
@Timeout(300)
class BudgetsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final long CENT = 10_000_000L;
  /** claude-sonnet-4-5: $3 / M input, $15 / M output, in nano-USD per token. */
  private static final long IN = 3_000;
  private static final long OUT = 15_000;
  private static final String K_CENT = key();
  private static final String K_PERIOD = key();
  private static final String K_C1 = key();
  private static final String K_C2 = key();
  private static final String K_ONE = key();
  private static final String K_TWO = key();
  private static final String K_LEAK = key();
  private static final String K_FREE = key();
  private static final String K_STALE = key();
  private static final String K_RESTART = key();
  private static final String CUSTOMER = "acme-" + UUID.randomUUID();
  private static final BudgetLedgerTest.MutableClock CLOCK =
      new BudgetLedgerTest.MutableClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES));
  private static final MemoryDirectory DIRECTORY = new MemoryDirectory();
  private static KafkaCluster kafka;
  private static MockProvider mock;
  private static TotalsAggregator aggregator;
  private static Gateway gatewayA;
  private static Gateway gatewayB;
  private static KafkaConsumer<String, UsageEvent> events;
  private static final List<UsageEvent> seen = new ArrayList<>();

  private static String key() {
    return "sk-budget-" + UUID.randomUUID();
  }

  @BeforeAll
  static void start(KafkaCluster cluster) throws Exception {
    kafka = cluster;
    mock = MockProvider.start(0);
    aggregator = new TotalsAggregator(kafka);
    gatewayA = gateway("gw-budget-a", kafka.bootstrapServers(), "", CLOCK);
    gatewayB = gateway("gw-budget-b", kafka.bootstrapServers(), "", java.time.Clock.systemUTC());
    events = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "group.id",
        "budgets-it-" + UUID.randomUUID(), "auto.offset.reset", "earliest", "isolation.level", "read_committed"),
        new StringDeserializer(), TollgateSerdes.usageEvent());
    events.subscribe(List.of(Topics.USAGE.name()));
  }

  static Gateway gateway(String id, String bootstrap, String budgetsYaml, java.time.Clock clock) throws Exception {
    return gateway(id, bootstrap, budgetsYaml, clock, Files.createTempDirectory("budgets-it-" + id));
  }

  static Gateway gateway(String id, String bootstrap, String budgetsYaml, java.time.Clock clock,
                         java.nio.file.Path spill) throws Exception {
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %1$s, api_key: sk-ant-provider}
          - model_name: gpt-4o
            litellm_params: {model: openai/gpt-4o, api_base: %1$s, api_key: sk-openai-provider}
        general_settings:
          master_key: sk-master-budgets
          forward_client_headers_to_llm_api: true   # the mock is steered by x-mock-* headers
        tollgate:
          port: 0
          gateway_id: %2$s
          spill_dir: %3$s
          kafka: {bootstrap_servers: "%4$s"}
          keys: [{key: %5$s}, {key: %6$s}, {key: %7$s}, {key: %8$s}, {key: %9$s}, {key: %10$s}, {key: %11$s}, {key: %12$s}, {key: %14$s}, {key: %15$s}]
        %13$s
        """.formatted(mock.baseUrl(), id, spill, bootstrap, K_CENT, K_PERIOD,
        K_C1, K_C2, K_ONE, K_TWO, K_LEAK, K_FREE, budgetsYaml, K_STALE, K_RESTART);
    JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    IngressConfig config = ConfigLoader.fromTree(tree, Map.of());
    return Gateway.start(config, new VertxOptions(), new MetricsRegistry(), DIRECTORY, clock);
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {events, gatewayA, gatewayB, aggregator, mock}) {
      if (c != null) {
        c.close();
      }
    }
  }

  static HttpResponse<String> post(Gateway g, String path, String body, String... headers) throws Exception {
    return HTTP.send(request(g, path, body, headers), HttpResponse.BodyHandlers.ofString());
  }

  static HttpRequest request(Gateway g, String path, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + path))
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  /** A chat call on gpt-4o costing exactly $0.0035 (1000 input at $2.5/M + 100 output at $10/M). */
  static HttpResponse<String> chat(Gateway g, String key, String... extra) throws Exception {
    List<String> h = new ArrayList<>(List.of("authorization", "Bearer " + key, "x-mock-usage", "input=1000,output=100"));
    h.addAll(List.of(extra));
    return post(g, "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\","
        + "\"content\":\"hi\"}]}", h.toArray(String[]::new));
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.onSpinWait();
      pollEvents(Duration.ofMillis(50));
    }
  }

  static synchronized void pollEvents(Duration d) {
    for (ConsumerRecord<String, UsageEvent> r : events.poll(d)) {
      seen.add(r.value());
    }
  }

  static synchronized List<UsageEvent> eventsOf(String key, int atLeast) {
    await(atLeast + " events of a key", Duration.ofSeconds(30),
        () -> seen.stream().filter(e -> KeyAuth.sha256(key).equals(e.getKeyHash())).count() >= atLeast);
    return seen.stream().filter(e -> KeyAuth.sha256(key).equals(e.getKeyHash())).toList();
  }

  static ScopeLimits keyScope(String key, String duration) {
    return new ScopeLimits(Scope.KEY, KeyAuth.sha256(key), "k", null, null, duration, null, null, null, 0, null);
  }

  @Test
  void aKeyWorksUntilItsSpendPassesOneCentThenGetsLiteLLMsBudgetError() throws Exception {
    DIRECTORY.key(K_CENT, "dev-laptop", CENT, CENT / 2, null);
    int ok = 0;
    HttpResponse<String> r = chat(gatewayA, K_CENT);
    while (r.statusCode() == 200 && ok < 10) {
      ok++;
      r = chat(gatewayA, K_CENT);
    }
    // 0.35 ¢, 0.70 ¢, 1.05 ¢: the third call passes 1 ¢, the fourth is refused.
    assertThat(ok).isEqualTo(3);
    assertThat(r.statusCode()).isEqualTo(429);
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertThat(error.path("message").asText())
        .isEqualTo("Budget has been exceeded! Key=dev-laptop Current cost: 0.0105, Max budget: 0.01");
    assertThat(error.path("type").asText()).isEqualTo("budget_exceeded");
    assertThat(error.path("code").asText()).isEqualTo("429");
    assertThat(r.body()).doesNotContain(K_CENT);
    // Anthropic routes answer in Anthropic's shape.
    HttpResponse<String> a = post(gatewayA, "/v1/messages", "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-api-key", K_CENT);
    assertThat(a.statusCode()).isEqualTo(429);
    JsonNode anthropic = JSON.readTree(a.body());
    assertThat(anthropic.path("type").asText()).isEqualTo("error");
    assertThat(anthropic.path("error").path("type").asText()).isEqualTo("rate_limit_error");
    assertThat(anthropic.path("error").path("message").asText()).startsWith("Budget has been exceeded! Key=dev-laptop");
    // Every call is an event; the paid ones list the key's lifetime period, the refused ones cost nothing.
    List<UsageEvent> evs = eventsOf(K_CENT, 5);
    assertThat(evs.stream().filter(e -> e.getStatusCode() == 200)).hasSize(3).allSatisfy(e -> {
      assertThat(e.getCostNanos()).isEqualTo(35 * CENT / 100);
      assertThat(e.getBudgetPeriods()).containsExactly(PeriodRef.lifetime(Scope.KEY, KeyAuth.sha256(K_CENT)).toEvent());
    });
    assertThat(evs.stream().filter(e -> e.getStatusCode() == 429))
        .hasSize(2).allSatisfy(e -> assertThat(e.getErrorType()).isEqualTo("budget_exceeded"));
    assertThat(gatewayA.spendView().spendNanos(keyScope(K_CENT, null), CLOCK.instant())).isEqualTo(105 * CENT / 100);
    // The soft budget (0.5 ¢) was crossed by the second call: one alert for this key's lifetime period.
    List<Alert> alerts = alerts(a2 -> a2.getScopeId().equals(KeyAuth.sha256(K_CENT)), 1);
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).getRuleId()).isEqualTo("soft_budget");
    assertThat(alerts.get(0).getMessage()).contains("dev-laptop").contains("soft budget $0.005").doesNotContain(K_CENT);
    assertThat(alerts.get(0).getAlertId())
        .isEqualTo(SoftBudgetAlerts.id(PeriodRef.lifetime(Scope.KEY, KeyAuth.sha256(K_CENT))));
  }

  @Test
  void aThirtySecondBudgetWorksAgainInTheNextPeriod() throws Exception {
    DIRECTORY.key(K_PERIOD, "ci", CENT, null, "30s");
    BudgetDuration d = BudgetDuration.parse("30s");
    Instant start = d.periodStart(CLOCK.instant());
    for (int i = 0; i < 3; i++) {
      assertThat(chat(gatewayA, K_PERIOD).statusCode()).isEqualTo(200);
    }
    assertThat(chat(gatewayA, K_PERIOD).statusCode()).isEqualTo(429);
    assertThat(gatewayA.spendView().budgetResetAt("30s", CLOCK.instant())).isEqualTo(start.plusSeconds(30));
    CLOCK.set(d.periodEnd(CLOCK.instant())); // the next period: no job runs, the clock alone resets it
    assertThat(chat(gatewayA, K_PERIOD).statusCode()).isEqualTo(200);
    UsageEvent last = eventsOf(K_PERIOD, 5).stream().filter(e -> e.getStatusCode() == 200)
        .max(java.util.Comparator.comparing(UsageEvent::getTs)).orElseThrow();
    assertThat(last.getBudgetPeriods()).contains(new PeriodRef(Scope.KEY, KeyAuth.sha256(K_PERIOD), "30s",
        start.plusSeconds(30).toEpochMilli()).toEvent());
    assertThat(gatewayA.spendView().spendNanos(keyScope(K_PERIOD, "30s"), CLOCK.instant())).isEqualTo(35 * CENT / 100);
    assertThat(gatewayA.spendView().spendNanos(keyScope(K_PERIOD, null), CLOCK.instant())).isEqualTo(140 * CENT / 100);
  }

  @Test
  void aCustomerOverBudgetIsRefusedOnEveryKey() throws Exception {
    DIRECTORY.key(K_C1, "one", null, null, null).key(K_C2, "two", null, null, null).customer(CUSTOMER, CENT / 2, null);
    assertThat(chat(gatewayA, K_C1, "x-litellm-customer-id", CUSTOMER).statusCode()).isEqualTo(200);
    assertThat(chat(gatewayA, K_C1, "x-litellm-customer-id", CUSTOMER).statusCode()).isEqualTo(200);
    HttpResponse<String> r = chat(gatewayA, K_C1, "x-litellm-customer-id", CUSTOMER);
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(r.body()).path("error").path("message").asText())
        .startsWith("Budget has been exceeded! End User=" + CUSTOMER);
    assertThat(chat(gatewayA, K_C2, "x-litellm-customer-id", CUSTOMER).statusCode()).isEqualTo(429);
    assertThat(chat(gatewayB, K_C2, "x-litellm-customer-id", CUSTOMER).statusCode())
        .as("the other gateway, once the totals have the customer's spend").isIn(200, 429);
    await("gateway B to see the customer's spend", Duration.ofSeconds(30), () -> {
      try {
        return chat(gatewayB, K_C2, "x-litellm-customer-id", CUSTOMER).statusCode() == 429;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(chat(gatewayA, K_C2, "x-litellm-customer-id", "someone-else").statusCode()).isEqualTo(200);
  }

  /** A Messages call whose hold is exactly its cost: body a multiple of 4 bytes, max_tokens = the mock's 50. */
  static String exactBody() {
    String text = "hi";
    String body;
    do {
      body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\""
          + text + "\"}]}";
      text += ".";
    } while (body.length() % 4 != 0);
    return body;
  }

  static long exactCost(String body) {
    return body.length() / 4 * IN + 50 * OUT;
  }

  /** Sends {@code n} slow calls at once to {@code g}. */
  static List<CompletableFuture<HttpResponse<String>>> burst(Gateway g, String key, String body, int n) {
    List<CompletableFuture<HttpResponse<String>>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(HTTP.sendAsync(request(g, "/v1/messages", body, "x-api-key", key, "x-mock-fail", "slow:1500"),
          HttpResponse.BodyHandlers.ofString()));
    }
    return out;
  }

  static long admitted(List<CompletableFuture<HttpResponse<String>>> calls) {
    List<Integer> statuses = calls.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();
    assertThat(statuses).allMatch(s -> s == 200 || s == 429);
    return statuses.stream().filter(s -> s == 200).count();
  }

  /**
   * 50 concurrent calls against a key with budget for 10: one gateway admits exactly 10 (bound
   * B/c + 1 = 11: the holds of the calls in flight are counted before each admission).
   */
  @Test
  void fiftyConcurrentCallsOnOneGatewayLetThroughAtMostTheBound() throws Exception {
    String body = exactBody();
    long c = exactCost(body);
    DIRECTORY.key(K_ONE, "burst-one", 10 * c, null, "1d");
    long admitted = admitted(burst(gatewayB, K_ONE, body, 50));
    assertThat(admitted).isLessThanOrEqualTo(11).isEqualTo(10);
    await("holds settled", Duration.ofSeconds(10), () -> gatewayB.openReservations() == 0);
    assertThat(gatewayB.spendView().spendNanos(keyScope(K_ONE, "1d"), Instant.now())).isEqualTo(10 * c);
  }

  /**
   * The same on two gateways: each bounds its own admissions by B/c + 1 before the totals carry the
   * other's spend, so a burst may pass up to 2 (B/c + 1) — the formula's in-flight term, never more;
   * once the totals have both gateways' events, each sees the exact sum (its own part not counted
   * twice) and refuses.
   */
  @Test
  void fiftyConcurrentCallsOnTwoGatewaysLetThroughAtMostTheBound() throws Exception {
    String body = exactBody();
    long c = exactCost(body);
    DIRECTORY.key(K_TWO, "burst-two", 10 * c, null, null);
    List<CompletableFuture<HttpResponse<String>>> a = burst(gatewayA, K_TWO, body, 25);
    List<CompletableFuture<HttpResponse<String>>> b = burst(gatewayB, K_TWO, body, 25);
    long onA = admitted(a);
    long onB = admitted(b);
    assertThat(onA).isLessThanOrEqualTo(11);
    assertThat(onB).isLessThanOrEqualTo(11);
    assertThat(onA + onB).isLessThanOrEqualTo(22).isGreaterThanOrEqualTo(10);
    long total = (onA + onB) * c;
    await("both gateways to see the exact total", Duration.ofSeconds(30),
        () -> gatewayA.spendView().spendNanos(keyScope(K_TWO, null), CLOCK.instant()) == total
            && gatewayB.spendView().spendNanos(keyScope(K_TWO, null), Instant.now()) == total);
    assertThat(admitted(burst(gatewayA, K_TWO, body, 10)) + admitted(burst(gatewayB, K_TWO, body, 10))).isZero();
  }

  /** Upstream errors and client aborts settle or release their hold: nothing stays reserved. */
  @Test
  void aReservationNeverLeaks() throws Exception {
    DIRECTORY.key(K_LEAK, "leaky", 100 * CENT, null, "1h");
    assertThat(chat(gatewayA, K_LEAK, "x-mock-fail", "status:500").statusCode()).isGreaterThanOrEqualTo(500);
    // A streaming call the client walks away from mid-answer.
    String stream = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":50,\"stream\":true,\"messages\":[{\"role\":\"user\","
        + "\"content\":\"hi\"}]}";
    try (Socket s = new Socket("127.0.0.1", gatewayA.port())) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-api-key: " + K_LEAK
          + "\r\nx-mock-event-delay-ms: 300\r\ncontent-length: " + stream.length() + "\r\n\r\n" + stream)
          .getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      assertThat(in.read(new byte[256])).isPositive(); // the answer started
    }
    await("every hold settled or released", Duration.ofSeconds(30), () -> gatewayA.openReservations() == 0);
    List<UsageEvent> evs = eventsOf(K_LEAK, 2);
    long spent = evs.stream().mapToLong(UsageEvent::getCostNanos).sum();
    assertThat(evs).anySatisfy(e -> assertThat(e.getAborted()).isTrue());
    assertThat(gatewayA.spendView().spendNanos(keyScope(K_LEAK, "1h"), CLOCK.instant())).isEqualTo(spent);
  }

  /**
   * Totals that cannot be read are stale: fail-open decides on the gateway's own view (and counts
   * it), fail-closed refuses calls that have a budget with 503; a key without budget always works.
   */
  @Test
  void staleTotalsFailOpenByDefaultAndClosedWhenConfigured() throws Exception {
    DIRECTORY.key(K_FREE, "free", null, null, null);
    String nowhere = "127.0.0.1:" + freePort();
    try (Gateway open = gateway("gw-budget-open", nowhere, "  budgets: {max_staleness_s: 1}", CLOCK);
         Gateway closed = gateway("gw-budget-closed", nowhere, "  budgets: {on_stale_totals: closed, max_staleness_s: 1}",
             CLOCK)) {
      DIRECTORY.key(K_STALE, "stale", 100 * CENT, null, null);
      assertThat(chat(open, K_STALE).statusCode()).isEqualTo(200);
      HttpResponse<String> r = chat(closed, K_STALE);
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(r.body()).path("error").path("message").asText()).contains("stale");
      assertThat(chat(closed, K_FREE).statusCode()).isEqualTo(200);
      String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + closed.port() + "/metrics"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(metrics).contains("tollgate_budget_totals_staleness_seconds +Inf")
          .contains("tollgate_budget_stale_decisions_total{mode=\"closed\"} 1.0");
      String openMetrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + open.port() + "/metrics"))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
      assertThat(openMetrics).contains("tollgate_budget_stale_decisions_total{mode=\"open\"} 1.0");
    }
  }

  /**
   * A gateway restarted before Kafka took its events (they wait in the hand-off log) still counts
   * their spend: it reads the log's unacknowledged events before resending them.
   */
  @Test
  void aRestartedGatewayKeepsItsSpendThatNoTotalHasYet() throws Exception {
    DIRECTORY.key(K_RESTART, "restart", CENT, null, "1d");
    String nowhere = "127.0.0.1:" + freePort();
    java.nio.file.Path spill = Files.createTempDirectory("budgets-it-restart");
    try (Gateway first = gateway("gw-budget-restart", nowhere, "", CLOCK, spill)) {
      for (int i = 0; i < 3; i++) {
        assertThat(chat(first, K_RESTART).statusCode()).isEqualTo(200);
      }
      assertThat(chat(first, K_RESTART).statusCode()).isEqualTo(429);
      // Nothing reached Kafka (the refusal's event is written just after its answer).
      await("four events in the hand-off log", Duration.ofSeconds(10), () -> first.handoffBacklog() == 4);
    }
    try (Gateway second = gateway("gw-budget-restart", nowhere, "", CLOCK, spill)) {
      assertThat(second.spendView().spendNanos(keyScope(K_RESTART, "1d"), CLOCK.instant())).isEqualTo(105 * CENT / 100);
      assertThat(second.spendView().spendNanos(keyScope(K_RESTART, null), CLOCK.instant())).isEqualTo(105 * CENT / 100);
      assertThat(chat(second, K_RESTART).statusCode()).isEqualTo(429);
    }
  }

  static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static List<Alert> alerts(Predicate<Alert> filter, int atLeast) {
    try (KafkaConsumer<String, Alert> c = new KafkaConsumer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
        "group.id", "budgets-it-alerts-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
        new StringDeserializer(), TollgateSerdes.alert())) {
      c.subscribe(List.of(Topics.ALERTS.name()));
      List<Alert> found = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (found.size() < atLeast && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, Alert> r : c.poll(Duration.ofMillis(200))) {
          if (r.value() != null && filter.test(r.value())) {
            found.add(r.value());
          }
        }
      }
      return found;
    }
  }
}
