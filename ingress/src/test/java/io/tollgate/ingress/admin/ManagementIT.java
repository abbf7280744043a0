package io.tollgate.ingress.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.schemas.metrics.MetricsRegistry;
import io.tollgate.schemas.topics.TopicSpec;
import io.tollgate.schemas.topics.Topics;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The management API and its enforcement against real gateways on the embedded broker, with the
 * mock provider upstream: two gateways on the same topics (a change on one is enforced by the
 * other within a second), restarts (with Kafka, and with Kafka unreachable: the snapshot), the
 * 401/403 split, expired/blocked/models refusals, and — last — a scan of every log line, topic
 * record, snapshot file and later API response for the generated key values.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(240)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ManagementIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String MASTER = "sk-master-" + UUID.randomUUID();
  private static final String MESSAGE = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  private static final String CHAT = "{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  /** Every key value the API handed out, and every answer given after the first one was. */
  private static final Set<String> GENERATED = ConcurrentHashMap.newKeySet();
  private static final List<String> LATER_RESPONSES = Collections.synchronizedList(new ArrayList<>());
  private static final List<String> LOG_LINES = Collections.synchronizedList(new ArrayList<>());
  private static final List<Path> STATE_DIRS = Collections.synchronizedList(new ArrayList<>());
  private static AppenderBase<ILoggingEvent> appender;
  private static MockProvider mock;
  private static KafkaCluster kafka;
  private static Gateway a;
  private static Gateway b;

  @BeforeAll
  static void start(KafkaCluster cluster) throws Exception {
    kafka = cluster;
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
    mock = MockProvider.start(0);
    a = gateway("gw-mgmt-a", tempDir("gw-mgmt-a"), kafka.bootstrapServers(), Duration.ofSeconds(10));
    b = gateway("gw-mgmt-b", tempDir("gw-mgmt-b"), kafka.bootstrapServers(), Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    for (Gateway g : new Gateway[] {a, b}) {
      if (g != null) {
        g.close();
      }
    }
    if (mock != null) {
      mock.close();
    }
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(appender);
  }

  static Path tempDir(String name) throws Exception {
    Path dir = Files.createTempDirectory(name);
    STATE_DIRS.add(dir);
    return dir;
  }

  static Gateway gateway(String id, Path stateDir, String bootstrap, Duration startTimeout) throws Exception {
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %1$s, api_key: sk-ant-provider}
          - model_name: claude-haiku-4-5
            litellm_params: {model: anthropic/claude-haiku-4-5, api_base: %1$s, api_key: sk-ant-provider}
          - model_name: gpt-5
            litellm_params: {model: openai/gpt-5, api_base: %1$s, api_key: sk-openai-provider}
        general_settings: {master_key: %5$s}
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: %2$s
          spill_dir: %3$s
          kafka: {bootstrap_servers: "%4$s"}
        """.formatted(mock.baseUrl(), id, stateDir, bootstrap, MASTER);
    JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    return Gateway.start(ConfigLoader.fromTree(tree, Map.of()), new VertxOptions(), new MetricsRegistry(),
        new DirectoryStore.Settings(startTimeout, Duration.ofMillis(100),
            stateDir.resolve(DirectorySnapshot.FILE_NAME)));
  }

  static HttpResponse<String> call(Gateway gw, String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> response = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    if (!GENERATED.isEmpty()) {
      LATER_RESPONSES.add(response.headers().map() + " " + response.body());
    }
    return response;
  }

  static JsonNode admin(Gateway gw, String method, String path, String body) throws Exception {
    HttpResponse<String> r = call(gw, method, path, body, "authorization", "Bearer " + MASTER,
        "content-type", "application/json");
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** {@code /key/generate}; the answer (with the key value) is the only one not scanned later. */
  static String generate(Gateway gw, String body) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + "/key/generate"))
        .timeout(Duration.ofSeconds(20)).header("authorization", "Bearer " + MASTER)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> response = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String key = JSON.readTree(response.body()).path("key").asText();
    assertThat(key).startsWith("sk-").hasSizeGreaterThanOrEqualTo(3 + 22);
    GENERATED.add(key);
    return key;
  }

  static HttpResponse<String> message(Gateway gw, String key, String... more) throws Exception {
    List<String> headers = new ArrayList<>(List.of("x-api-key", key, "content-type", "application/json"));
    headers.addAll(List.of(more));
    return call(gw, "POST", "/v1/messages", MESSAGE, headers.toArray(String[]::new));
  }

  /** Polls {@code condition} every 10 ms; the elapsed milliseconds once it holds, or a failure at the timeout. */
  static long within(Duration timeout, String what, Supplier<Boolean> condition) throws Exception {
    long start = System.nanoTime();
    while (!condition.get()) {
      if (System.nanoTime() - start > timeout.toNanos()) {
        throw new AssertionError(what + " did not happen within " + timeout);
      }
      Thread.sleep(10); // polling interval of the wait, bounded by the timeout above
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  static int status(Gateway gw, String key) {
    try {
      return message(gw, key).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @Order(1)
  void generatedKeyWorksUntilDeleted() throws Exception {
    String key = generate(a, "{\"key_alias\": \"developer-1\", \"max_budget\": 100.00, \"budget_duration\": \"monthly\"}");
    HttpResponse<String> ok = message(a, key);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    // The seed's troubleshooting step: the key reads its own info.
    HttpResponse<String> info = call(a, "GET", "/key/info", null, "authorization", "Bearer " + key);
    assertThat(info.statusCode()).as(info.body()).isEqualTo(200);
    JsonNode i = JSON.readTree(info.body());
    assertThat(i.path("info").path("key_alias").asText()).isEqualTo("developer-1");
    assertThat(i.path("info").path("max_budget").asDouble()).isEqualTo(100.0);
    assertThat(i.path("info").path("budget_duration").asText()).isEqualTo("monthly");
    assertThat(i.path("info").path("spend").isNumber()).isTrue();
    // The Claude Max recipe: x-litellm-api-key: Bearer <virtual key>, OAuth token in Authorization.
    HttpResponse<String> max = call(a, "POST", "/v1/messages", MESSAGE, "x-litellm-api-key", "Bearer " + key,
        "authorization", "Bearer sk-ant-oat01-" + UUID.randomUUID(), "content-type", "application/json");
    assertThat(max.statusCode()).as(max.body()).isEqualTo(200);

    admin(a, "POST", "/key/delete", "{\"key_aliases\": [\"developer-1\"]}");
    HttpResponse<String> refused = message(a, key);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(refused.body()).path("type").asText()).as("Anthropic shape").isEqualTo("error");
  }

  @Test
  @Order(2)
  void aKeyDeletedOnOneGatewayIsRefusedByTheOtherWithinASecond() throws Exception {
    String key = generate(a, "{\"key_alias\": \"cross-" + UUID.randomUUID() + "\"}");
    assertThat(status(a, key)).as("read-your-writes on the gateway that wrote it").isEqualTo(200);
    within(Duration.ofSeconds(5), "gateway B knowing the new key", () -> status(b, key) == 200);
    admin(a, "POST", "/key/delete", "{\"keys\": [\"" + key + "\"]}");
    long ms = within(Duration.ofSeconds(5), "gateway B refusing the deleted key", () -> status(b, key) == 401);
    System.out.println("ManagementIT: a key deleted on gateway A was refused by gateway B after " + ms + " ms");
    assertThat(ms).as("deleted on A, refused on B after %d ms", ms).isLessThan(1_000);
  }

  @Test
  @Order(3)
  void managementRoutesAnswer401WithoutAKnownKeyAnd403ToAVirtualKey() throws Exception {
    String key = generate(a, "{}");
    String other = generate(a, "{}");
    HttpResponse<String> none = call(a, "POST", "/key/generate", "{}");
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(none.body()).path("error").path("code").asText()).isEqualTo("401");
    assertThat(call(a, "POST", "/key/generate", "{}", "authorization", "Bearer sk-unknown-" + UUID.randomUUID())
        .statusCode()).isEqualTo(401);
    for (String[] route : new String[][] {{"POST", "/key/generate"}, {"GET", "/key/list"}, {"POST", "/team/new"},
        {"GET", "/customer/list"}, {"POST", "/budget/new"}, {"POST", "/key/delete"}}) {
      HttpResponse<String> r = call(a, route[0], route[1], route[0].equals("GET") ? null : "{}",
          "authorization", "Bearer " + key);
      assertThat(r.statusCode()).as(route[1]).isEqualTo(403);
    }
    assertThat(call(a, "GET", "/key/info", null, "authorization", "Bearer " + key).statusCode()).isEqualTo(200);
    assertThat(call(a, "GET", "/key/info?key=" + key, null, "authorization", "Bearer " + key).statusCode())
        .isEqualTo(200);
    assertThat(call(a, "GET", "/key/info?key=" + other, null, "authorization", "Bearer " + key).statusCode())
        .isEqualTo(403);
    assertThat(admin(a, "GET", "/key/list?size=100", null).path("total_count").asInt()).isGreaterThanOrEqualTo(2);
  }

  @Test
  @Order(4)
  void expiredBlockedAndModelRefusalsUseLiteLlmsWords() throws Exception {
    String expiring = generate(a, "{\"duration\": \"1s\"}");
    within(Duration.ofSeconds(5), "the key expiring", () -> status(a, expiring) == 401);
    assertThat(message(a, expiring).body()).contains("Authentication Error - Expired Key");

    String key = generate(a, "{\"models\": [\"claude-sonnet-4-5\"]}");
    String hash = JSON.readTree(call(a, "GET", "/key/info?key=" + key, null, "authorization", "Bearer " + MASTER)
        .body()).path("key").asText();
    assertThat(status(a, key)).isEqualTo(200);
    HttpResponse<String> chat = call(a, "POST", "/v1/chat/completions", CHAT, "authorization", "Bearer " + key);
    assertThat(chat.statusCode()).isEqualTo(401);
    JsonNode err = JSON.readTree(chat.body()).path("error");
    assertThat(err.path("message").asText()).startsWith("key not allowed to access model.").contains("gpt-5");
    assertThat(err.path("type").asText()).isEqualTo("key_model_access_denied");
    HttpResponse<String> haiku = call(a, "POST", "/v1/messages", MESSAGE.replace("sonnet", "haiku"), "x-api-key", key);
    assertThat(haiku.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(haiku.body()).path("error").path("type").asText()).isEqualTo("authentication_error");

    admin(a, "POST", "/key/block", "{\"key\": \"" + hash + "\"}");
    HttpResponse<String> blocked = message(a, key);
    assertThat(blocked.statusCode()).isEqualTo(401);
    assertThat(blocked.body()).contains("Key is blocked. Update via `/key/unblock`");
    admin(a, "POST", "/key/unblock", "{\"key\": \"" + key + "\"}");
    assertThat(status(a, key)).isEqualTo(200);

    String team = "team-" + UUID.randomUUID();
    admin(a, "POST", "/team/new", "{\"team_id\": \"" + team + "\", \"team_alias\": \"eng\", \"models\": [\"gpt-5\"]}");
    String member = generate(a, "{\"team_id\": \"" + team + "\"}");
    assertThat(message(a, member).body()).contains("Team not allowed to access model");
    assertThat(call(a, "POST", "/v1/chat/completions", CHAT, "authorization", "Bearer " + member).statusCode())
        .isEqualTo(200);
    admin(a, "POST", "/team/block", "{\"team_id\": \"" + team + "\"}");
    HttpResponse<String> teamBlocked = call(a, "POST", "/v1/chat/completions", CHAT, "authorization", "Bearer " + member);
    assertThat(teamBlocked.statusCode()).isEqualTo(401);
    assertThat(teamBlocked.body()).contains("Team=" + team + " is blocked");

    String customer = "cust-" + UUID.randomUUID();
    admin(a, "POST", "/customer/new", "{\"user_id\": \"" + customer + "\", \"blocked\": true}");
    String plain = generate(a, "{}");
    HttpResponse<String> cust = message(a, plain, "x-litellm-customer-id", customer);
    assertThat(cust.statusCode()).isEqualTo(403);
    assertThat(cust.body()).contains("User blocked from making LLM API Calls. User=" + customer);
    admin(a, "POST", "/end_user/unblock", "{\"user_ids\": [\"" + customer + "\"]}");
    assertThat(message(a, plain, "x-litellm-customer-id", customer).statusCode()).isEqualTo(200);
  }

  @Test
  @Order(5)
  void aRestartedGatewayKeepsEverythingAlsoWithoutKafka() throws Exception {
    Path dir = tempDir("gw-mgmt-c");
    String team = "team-" + UUID.randomUUID();
    String customer = "cust-" + UUID.randomUUID();
    String budget = "budget-" + UUID.randomUUID();
    String key;
    try (Gateway c = gateway("gw-mgmt-c", dir, kafka.bootstrapServers(), Duration.ofSeconds(10))) {
      admin(c, "POST", "/team/new", "{\"team_id\": \"" + team + "\", \"max_budget\": 50}");
      admin(c, "POST", "/budget/new", "{\"budget_id\": \"" + budget + "\", \"max_budget\": 10, \"budget_duration\": \"1d\"}");
      admin(c, "POST", "/customer/new", "{\"user_id\": \"" + customer + "\", \"budget_id\": \"" + budget + "\"}");
      key = generate(c, "{\"team_id\": \"" + team + "\", \"max_budget\": 5}");
      within(Duration.ofSeconds(5), "the snapshot having the key", () -> snapshotHas(dir, KeyEndpoints.hashOf(key)));
    }
    try (Gateway c = gateway("gw-mgmt-c", dir, kafka.bootstrapServers(), Duration.ofSeconds(10))) {
      assertThat(c.managementSource()).isEqualTo(DirectoryStore.Source.KAFKA);
      assertState(c, key, team, customer, budget);
    }
    int dead = FreePorts.pick();
    try (Gateway c = gateway("gw-mgmt-c", dir, "127.0.0.1:" + dead, Duration.ofSeconds(2))) {
      assertThat(c.managementSource()).isEqualTo(DirectoryStore.Source.SNAPSHOT);
      assertState(c, key, team, customer, budget);
    }
  }

  private static boolean snapshotHas(Path dir, String hash) {
    try {
      DirectorySnapshot.Loaded s = DirectorySnapshot.read(dir.resolve(DirectorySnapshot.FILE_NAME));
      return s != null && s.state().keys.containsKey(hash);
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static void assertState(Gateway c, String key, String team, String customer, String budget) throws Exception {
    HttpResponse<String> ok = message(c, key, "x-litellm-customer-id", customer);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(admin(c, "GET", "/key/info?key=" + key, null).path("info").path("team_id").asText()).isEqualTo(team);
    assertThat(admin(c, "GET", "/team/info?team_id=" + team, null).path("team_info").path("max_budget").asDouble())
        .isEqualTo(50.0);
    assertThat(admin(c, "GET", "/customer/info?end_user_id=" + customer, null).path("litellm_budget_table")
        .path("max_budget").asDouble()).isEqualTo(10.0);
    assertThat(admin(c, "POST", "/budget/info", "{\"budgets\": [\"" + budget + "\"]}").get(0).path("budget_duration")
        .asText()).isEqualTo("1d");
  }

  @Test
  @Order(6)
  void regenerateReplacesTheKey() throws Exception {
    String key = generate(a, "{\"key_alias\": \"regen-" + UUID.randomUUID() + "\"}");
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port() + "/key/" + key + "/regenerate"))
        .header("authorization", "Bearer " + MASTER).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    HttpResponse<String> regenerated = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    assertThat(regenerated.statusCode()).as(regenerated.body()).isEqualTo(200);
    String fresh = JSON.readTree(regenerated.body()).path("key").asText();
    GENERATED.add(fresh);
    assertThat(status(a, key)).isEqualTo(401);
    assertThat(status(a, fresh)).isEqualTo(200);
  }

  @Test
  @Order(7)
  void badRequestsGetLiteLlmErrorsAndEveryOutcomeIsCounted() throws Exception {
    String[] master = {"authorization", "Bearer " + MASTER, "content-type", "application/json"};
    HttpResponse<String> negative = call(a, "POST", "/key/generate", "{\"max_budget\": -1}", master);
    assertThat(negative.statusCode()).isEqualTo(400);
    JsonNode err = JSON.readTree(negative.body()).path("error");
    assertThat(err.path("param").asText()).isEqualTo("max_budget");
    assertThat(err.path("code").asText()).isEqualTo("400");
    assertThat(call(a, "POST", "/key/generate", "{\"budget_duration\": \"fortnightly\"}", master).statusCode())
        .isEqualTo(400);
    assertThat(call(a, "POST", "/key/generate", "{not json", master).statusCode()).isEqualTo(400);
    assertThat(call(a, "POST", "/key/generate", "{\"a\":\"" + "x".repeat(ManagementApi.MAX_BODY_BYTES) + "\"}", master)
        .statusCode()).isEqualTo(413);
    assertThat(call(a, "GET", "/key/generate", null, master).statusCode()).isEqualTo(405);
    assertThat(call(a, "GET", "/key/nothing-here", null, master).statusCode()).isEqualTo(404);
    assertThat(call(a, "POST", "/key/delete", "{\"keys\": [\"sk-never-generated-000000\"]}", master).statusCode())
        .isEqualTo(404);
    String metrics = call(a, "GET", "/metrics", null).body();
    assertThat(metrics).contains("tollgate_management_requests_total{outcome=\"invalid\",route=\"/key/generate\"}")
        .contains("tollgate_management_requests_total{outcome=\"too_large\",route=\"/key/generate\"}")
        .contains("tollgate_management_requests_total{outcome=\"unauthorized\",route=\"/key/generate\"}")
        .contains("tollgate_management_requests_total{outcome=\"forbidden\",route=\"/key/list\"}")
        .contains("tollgate_management_requests_total{outcome=\"ok\",route=\"/key/generate\"}")
        .contains("tollgate_rejected_requests_total{reason=\"key_blocked\"}")
        .contains("tollgate_rejected_requests_total{reason=\"expired_key\"}")
        .contains("tollgate_rejected_requests_total{reason=\"key_model_access_denied\"}")
        .contains("tollgate_rejected_requests_total{reason=\"customer_blocked\"}");
  }

  /** Last: no generated key value after its creation in any log line, topic record, snapshot or answer. */
  @Test
  @Order(8)
  void concurrentUpdateAndBlockOfOneKeyKeepBothChanges() throws Exception {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      keys.add(generate(a, "{}"));
    }
    // Each pair reads the same record while the other's write is still on its way to Kafka: without
    // per-record serialisation the later write carries the old value of the other's field.
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (String k : keys) {
      answers.add(adminAsync(a, "/key/update", "{\"key\": \"" + k + "\", \"max_budget\": 7}"));
      answers.add(adminAsync(a, "/key/block", "{\"key\": \"" + k + "\"}"));
    }
    for (var f : answers) {
      HttpResponse<String> r = f.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
    for (String k : keys) {
      JsonNode info = admin(a, "GET", "/key/info?key=" + k, null).path("info");
      assertThat(info.path("blocked").asBoolean()).as("the block survived the update").isTrue();
      assertThat(info.path("max_budget").asDouble()).as("the update survived the block").isEqualTo(7.0);
    }
  }

  @Test
  @Order(9)
  void modelsListsWhatTheKeyMayCallAndABlockedOrExpiredKeyReadsNothing() throws Exception {
    String haikuOnly = generate(a, "{\"models\": [\"claude-haiku-4-5\"]}");
    assertThat(modelIds(haikuOnly)).containsExactly("claude-haiku-4-5");
    String team = "team-" + UUID.randomUUID();
    admin(a, "POST", "/team/new", "{\"team_id\": \"" + team + "\", \"models\": [\"gpt-5\"]}");
    assertThat(modelIds(generate(a, "{\"team_id\": \"" + team + "\"}"))).containsExactly("gpt-5");
    assertThat(modelIds(generate(a, "{}"))).containsExactlyInAnyOrder("claude-sonnet-4-5", "claude-haiku-4-5", "gpt-5");
    assertThat(modelIds(MASTER)).hasSize(3);

    String key = generate(a, "{}");
    assertThat(call(a, "GET", "/key/info", null, "authorization", "Bearer " + key).statusCode()).isEqualTo(200);
    admin(a, "POST", "/key/block", "{\"key\": \"" + key + "\"}");
    for (String path : new String[] {"/key/info", "/spend/logs", "/spend/logs/v2", "/v1/models"}) {
      HttpResponse<String> r = call(a, "GET", path, null, "authorization", "Bearer " + key);
      assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(401);
      assertThat(r.body()).as(path).contains("Key is blocked. Update via `/key/unblock`");
    }
    String expiring = generate(a, "{\"duration\": \"1s\"}");
    within(Duration.ofSeconds(5), "the key expiring on /key/info", () -> {
      try {
        return call(a, "GET", "/key/info", null, "authorization", "Bearer " + expiring).statusCode() == 401;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    HttpResponse<String> spend = call(a, "GET", "/spend/logs", null, "x-api-key", expiring);
    assertThat(spend.statusCode()).isEqualTo(401);
    assertThat(spend.body()).contains("Expired Key");
  }

  private static List<String> modelIds(String key) throws Exception {
    HttpResponse<String> r = call(a, "GET", "/v1/models", null, "authorization", "Bearer " + key);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    JSON.readTree(r.body()).path("data").forEach(m -> ids.add(m.path("id").asText()));
    return ids;
  }

  private static java.util.concurrent.CompletableFuture<HttpResponse<String>> adminAsync(Gateway gw, String path,
                                                                                          String body) {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gw.port() + path))
        .timeout(Duration.ofSeconds(20)).header("authorization", "Bearer " + MASTER)
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return HTTP.sendAsync(r, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
      LATER_RESPONSES.add(response.headers().map() + " " + response.body());
      return response;
    });
  }

  @Test
  @Order(100)
  void generatedKeysAppearNowhereAfterCreation() throws Exception {
    assertThat(GENERATED).hasSizeGreaterThan(5);
    List<String> places = new ArrayList<>();
    List<String> logs = List.copyOf(LOG_LINES);
    List<String> answers = List.copyOf(LATER_RESPONSES);
    List<byte[]> records = allRecords();
    List<byte[]> files = new ArrayList<>();
    for (Path dir : STATE_DIRS) {
      try (var walk = Files.walk(dir)) {
        for (Path p : walk.filter(Files::isRegularFile).toList()) {
          files.add(Files.readAllBytes(p));
        }
      }
    }
    assertThat(logs).isNotEmpty();
    assertThat(answers).isNotEmpty();
    assertThat(records).isNotEmpty();
    assertThat(files).isNotEmpty();
    for (String key : GENERATED) {
      byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
      logs.stream().filter(l -> l.contains(key)).findAny().ifPresent(l -> places.add("log line"));
      answers.stream().filter(l -> l.contains(key)).findAny().ifPresent(l -> places.add("API answer"));
      records.stream().filter(r -> contains(r, bytes)).findAny().ifPresent(r -> places.add("topic record"));
      files.stream().filter(f -> contains(f, bytes)).findAny().ifPresent(f -> places.add("state file"));
    }
    assertThat(places).as("where generated keys were found").isEmpty();
  }

  private static List<byte[]> allRecords() {
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
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
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
}
