package io.tollgate.ingress.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The spend routes of a real gateway over a real ClickHouse database with known rows: who may read
 * what, every filter (and that a filter matching nothing returns nothing), injection attempts in
 * every parameter, stable paging, LiteLLM's response shapes.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(120)
class SpendRoutesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String MASTER = "sk-master-" + UUID.randomUUID();
  private static final String KEY_A = "sk-a-" + UUID.randomUUID();
  private static final String KEY_B = "sk-b-" + UUID.randomUUID();
  private static final String HASH_A = KeyAuth.sha256(KEY_A);
  private static final String HASH_B = KeyAuth.sha256(KEY_B);
  private static final String HASH_P = KeyAuth.sha256("sk-paging");
  private static final String RANGE = "start_date=2026-11-01&end_date=2026-11-30";
  private static final int PAGING_ROWS = 25;
  private static Gateway gateway;
  private static ClickHouseClient ch;

  @BeforeAll
  static void start(KafkaCluster kafka, ClickHouseTestDatabase db) throws Exception {
    ch = db.client();
    String columns = "(event_id, ts, ts_ms, duration_ms, customer_id, key_hash, key_alias, team_id, user_id, tool, "
        + "session_id, model_requested, model, api, provider, cost_nanos, input_tokens, output_tokens, cache_read_tokens, "
        + "status_code, price_known, upstream_request_id, request_tags)";
    ch.execute("INSERT INTO usage_events " + columns + " VALUES "
        + "('e1', toDateTime('2026-11-23 10:00:00', 'UTC'), 5, 1200, 'acme', '" + HASH_A + "', 'alias-a', 't1', 'u1', "
        + "'claude-code', 's1', 'claude-sonnet-4-5', 'claude-sonnet-4-5-20250929', 'messages', 'anthropic', 1500000005, "
        + "100, 20, 1000, 200, 1, 'msg_01', ['prod', 'team:x']),"
        + "('e2', toDateTime('2026-11-24 11:00:00', 'UTC'), 7, 300, 'acme', '" + HASH_A + "', 'alias-a', 't1', 'u1', "
        + "'codex', '', 'gpt-5', 'gpt-5', 'responses', 'openai', 5, 10, 2, 0, 200, 1, 'chatcmpl-xyz', []),"
        + "('e3', toDateTime('2026-11-24 12:00:00', 'UTC'), 9, 40, 'o''brien', '" + HASH_B + "', 'alias-b', 't2', 'u2', "
        + "'curl', '', 'gpt-5', 'gpt-5', 'chat_completions', 'openai', 7, 1, 1, 0, 500, 1, '', []),"
        + "('e4', toDateTime('2026-11-25 08:00:00', 'UTC'), 0, 10, 'bob', '" + HASH_B + "', 'alias-b', '', '', "
        + "'claude-code', 's2', 'claude-opus-4-1', 'claude-opus-4-1', 'messages', 'anthropic', 3000000000, 5, 5, 0, 200, 1, '', [])");
    StringBuilder paging = new StringBuilder("INSERT INTO usage_events " + columns + " VALUES ");
    for (int i = 0; i < PAGING_ROWS; i++) {
      // One second for all and spend in three values: only the tie-break keeps pages apart.
      paging.append(i == 0 ? "" : ",").append("('p").append(String.format("%02d", i))
          .append("', toDateTime('2026-11-26 09:00:00', 'UTC'), 0, 1, 'paging', '").append(HASH_P)
          .append("', '', '', '', 'curl', '', 'gpt-5', 'gpt-5', 'chat_completions', 'openai', ").append(i % 3)
          .append(", 1, 1, 0, 200, 1, '', [])");
    }
    ch.execute(paging.toString());
    String yaml = """
        model_list:
          - model_name: gpt-5
            litellm_params: {model: openai/gpt-5, api_base: "http://127.0.0.1:9", api_key: sk-provider}
        general_settings: {master_key: %s}
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: gw-spend
          spill_dir: %s
          kafka: {bootstrap_servers: "%s"}
          clickhouse: {url: "%s", database: %s}
          keys: [{key: %s, alias: alias-a}, {key: %s, alias: alias-b}]
        """.formatted(MASTER, Files.createTempDirectory("gw-spend"), kafka.bootstrapServers(), db.settings().url(),
        db.database(), KEY_A, KEY_B);
    gateway = Gateway.start(ConfigLoader.fromTree(new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of()));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private static HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + pathAndQuery))
        .timeout(Duration.ofSeconds(30)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode ok(String pathAndQuery, String key) throws Exception {
    HttpResponse<String> r = get(pathAndQuery, "authorization", "Bearer " + key);
    assertThat(r.statusCode()).as(pathAndQuery + " → " + r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
    return JSON.readTree(r.body());
  }

  private static JsonNode master(String pathAndQuery) throws Exception {
    return ok(pathAndQuery, MASTER);
  }

  private static List<String> ids(JsonNode rows) {
    List<String> ids = new ArrayList<>();
    rows.forEach(r -> ids.add(r.path("request_id").asText()));
    return ids;
  }

  /** Request ids /spend/logs/v2 answers for one extra filter over the whole month, without the paging rows. */
  private static List<String> v2(String filter) throws Exception {
    JsonNode page = master("/spend/logs/v2?" + RANGE + "&page_size=100&" + filter);
    List<String> ids = ids(page.path("data"));
    ids.removeIf(id -> id.startsWith("p"));
    return ids;
  }

  /** A request java.net.http refuses to send; the whole answer. */
  private static String raw(String requestLine) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((requestLine + "\r\nhost: 127.0.0.1\r\nauthorization: Bearer " + MASTER
          + "\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void withoutAKeyOrWithAnUnknownOneEveryRouteIs401InLiteLlmsShape() throws Exception {
    for (String path : List.of("/spend/logs", "/spend/logs/v2?" + RANGE, "/global/spend/report?" + RANGE)) {
      HttpResponse<String> none = get(path);
      assertThat(none.statusCode()).as(path).isEqualTo(401);
      JsonNode error = JSON.readTree(none.body()).path("error");
      assertThat(error.path("code").asText()).isEqualTo("401");
      assertThat(error.path("type").asText()).isEqualTo("auth_error");
      assertThat(error.path("message").asText()).contains("No api key passed in");
      HttpResponse<String> wrong = get(path, "authorization", "Bearer " + MASTER + "x");
      assertThat(wrong.statusCode()).as(path).isEqualTo(401);
      assertThat(wrong.body()).doesNotContain(MASTER);
    }
    assertThat(get("/spend/logs", "x-api-key", MASTER).statusCode()).isEqualTo(200);
    assertThat(get("/spend/logs", "x-litellm-api-key", "Bearer " + MASTER).statusCode()).isEqualTo(200);
  }

  @Test
  void aVirtualKeyReadsItsOwnSpendOnlyAndIs403ForAnotherKey() throws Exception {
    assertThat(ids(ok("/spend/logs", KEY_A))).containsExactly("e2", "e1");
    assertThat(ids(ok("/spend/logs?api_key=" + enc(KEY_A), KEY_A))).containsExactly("e2", "e1");
    assertThat(ids(ok("/spend/logs?api_key=" + HASH_A, KEY_A))).containsExactly("e2", "e1");
    assertThat(ids(ok("/spend/logs/v2?" + RANGE + "&end_user=o%27brien", KEY_A).path("data")))
        .as("another customer's rows stay out of reach").isEmpty();
    assertThat(ids(ok("/spend/logs/v2?" + RANGE, KEY_B).path("data"))).containsExactly("e4", "e3");
    for (String path : List.of("/spend/logs?api_key=" + HASH_B, "/spend/logs/v2?" + RANGE + "&api_key=" + enc(KEY_B),
        "/global/spend/report?" + RANGE + "&api_key=" + HASH_B)) {
      HttpResponse<String> r = get(path, "authorization", "Bearer " + KEY_A);
      assertThat(r.statusCode()).as(path).isEqualTo(403);
      assertThat(JSON.readTree(r.body()).path("error").path("code").asText()).isEqualTo("403");
    }
    JsonNode report = ok("/global/spend/report?" + RANGE + "&group_by=customer", KEY_A);
    assertThat(report.toString()).contains("acme").doesNotContain("o'brien").doesNotContain("bob");
    assertThat(ids(master("/spend/logs?summarize=false"))).hasSize(4 + PAGING_ROWS);
  }

  @Test
  void everyFilterNarrowsAndOneMatchingNothingReturnsNothing() throws Exception {
    assertThat(master("/spend/logs?request_id=nonexistent")).as("the bug this replaces: every row").isEmpty();
    assertThat(ids(master("/spend/logs?request_id=e3"))).containsExactly("e3");
    assertThat(ids(master("/spend/logs?request_id=chatcmpl-xyz"))).as("the provider's id").containsExactly("e2");
    String[][] cases = {
        {"api_key=" + HASH_B, "e4,e3"}, {"api_key=" + enc(KEY_A), "e2,e1"}, {"user_id=u1", "e2,e1"},
        {"request_id=e1", "e1"}, {"team_id=t2", "e3"}, {"end_user=acme", "e2,e1"}, {"customer_id=bob", "e4"},
        {"model=gpt-5", "e3,e2"}, {"model=claude-sonnet-4-5-20250929", "e1"}, {"key_alias=alias-b", "e4,e3"},
        {"session_id=s1", "e1"}, {"status_filter=failure", "e3"}, {"status_filter=success", "e4,e2,e1"},
        {"error_code=500", "e3"}, {"tool=codex", "e2"}, {"min_spend=1", "e4,e1"}, {"max_spend=0.000000007", "e3,e2"},
        {"min_spend=0.000000006&max_spend=1.6", "e3,e1"},
        {"start_date=2026-11-24&end_date=2026-11-24", "e3,e2"},
        {"start_date=2026-11-24 11:30:00&end_date=2026-11-25 08:00:00", "e4,e3"}};
    for (String[] c : cases) {
      List<String> expected = List.of(c[1].split(","));
      String filter = c[0].startsWith("start_date") ? c[0].replace(" ", "%20") : c[0];
      List<String> got = ids(master("/spend/logs/v2?page_size=100&" + (filter.startsWith("start_date") ? filter
          : RANGE + "&" + filter)).path("data"));
      got.removeIf(id -> id.startsWith("p"));
      assertThat(got).as(c[0]).containsExactlyElementsOf(expected);
      assertThat(ids(master("/spend/logs?summarize=false&" + filter))).as("/spend/logs " + c[0])
          .filteredOn(id -> !id.startsWith("p")).containsExactlyElementsOf(expected);
    }
    String[] nothing = {"api_key=" + "0".repeat(64), "api_key=sk-unknown", "user_id=nobody", "request_id=nope",
        "team_id=t9", "end_user=carol", "customer_id=", "model=gpt-4", "key_alias=alias-c", "session_id=s9",
        "error_code=404", "tool=cursor", "min_spend=100", "max_spend=-1", "start_date=2026-12-01&end_date=2026-12-31"};
    for (String filter : nothing) {
      String q = filter.startsWith("start_date") ? filter : RANGE + "&" + filter;
      JsonNode page = master("/spend/logs/v2?" + q);
      assertThat(page.path("data")).as(filter).isEmpty();
      assertThat(page.path("total").asLong()).as(filter).isZero();
      assertThat(page.path("total_pages").asLong()).as(filter).isZero();
      assertThat(master("/spend/logs?summarize=false&" + filter)).as("/spend/logs " + filter).isEmpty();
    }
  }

  @Test
  void injectionAttemptsInEveryParameterAreInert() throws Exception {
    long rows = ch.queryLong("SELECT count() FROM usage_events");
    String[] attacks = {"' OR 1=1 --", "x' OR '1'='1", "\\' OR 1=1 --", "') OR ('1'='1", "1; DROP TABLE usage_events",
        "e1' UNION ALL SELECT * FROM system.tables --", "%", "*", "e1\u0000", "\\", "?", "' OR ?"};
    String[] text = {"api_key", "user_id", "request_id", "team_id", "end_user", "customer_id", "model", "key_alias",
        "session_id", "tool"};
    for (String attack : attacks) {
      for (String param : text) {
        HttpResponse<String> r = get("/spend/logs/v2?" + RANGE + "&" + param + "=" + enc(attack),
            "authorization", "Bearer " + MASTER);
        assertThat(r.statusCode()).as(param + "=" + attack + " → " + r.body()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("data")).as(param + "=" + attack).isEmpty();
        assertThat(master("/spend/logs?" + param + "=" + enc(attack))).as("/spend/logs " + param + "=" + attack).isEmpty();
      }
      for (String param : List.of("status_filter", "min_spend", "max_spend", "error_code", "start_date", "end_date",
          "page", "page_size", "sort_by", "sort_order", "summarize")) {
        String path = param.equals("summarize") ? "/spend/logs?" + RANGE + "&" : "/spend/logs/v2?"
            + (param.endsWith("_date") ? (param.equals("start_date") ? "end_date=2026-11-30&" : "start_date=2026-11-01&")
            : RANGE + "&");
        HttpResponse<String> r = get(path + param + "=" + enc(attack), "authorization", "Bearer " + MASTER);
        assertThat(r.statusCode()).as(param + "=" + attack + " → " + r.body()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("error").path("param").asText()).as(param).isEqualTo(param);
      }
      HttpResponse<String> report = get("/global/spend/report?" + RANGE + "&group_by=" + enc(attack),
          "authorization", "Bearer " + MASTER);
      assertThat(report.statusCode()).isEqualTo(400);
      assertThat(get("/global/spend/report?" + RANGE + "&team_id=" + enc(attack), "authorization", "Bearer " + MASTER)
          .body()).isEqualTo("[]");
    }
    assertThat(ch.queryLong("SELECT count() FROM usage_events")).as("nothing written, nothing dropped").isEqualTo(rows);
    assertThat(ch.queryLong("SELECT count() FROM system.tables WHERE database = '" + ch.settings().database()
        + "' AND name = 'usage_events'")).isEqualTo(1);
  }

  @Test
  void pagesAreStableAndCoverEveryRowOnce() throws Exception {
    for (String order : List.of("", "&sort_by=spend&sort_order=asc", "&sort_by=spend", "&sort_by=model&sort_order=asc",
        "&sort_by=endTime", "&sort_by=total_tokens", "&sort_by=ttft_ms", "&sort_by=request_duration_ms")) {
      List<String> seen = new ArrayList<>();
      int pages = 0;
      for (int page = 1; page <= 3; page++) {
        String path = "/spend/logs/v2?start_date=2026-11-26&end_date=2026-11-26&page_size=10&page=" + page + order;
        JsonNode first = master(path);
        assertThat(master(path)).as("the same page twice" + order).isEqualTo(first);
        assertThat(first.path("total").asInt()).isEqualTo(PAGING_ROWS);
        pages = first.path("total_pages").asInt();
        seen.addAll(ids(first.path("data")));
      }
      assertThat(pages).isEqualTo(3);
      assertThat(seen).as(order).hasSize(PAGING_ROWS).doesNotHaveDuplicates();
      assertThat(new HashSet<>(seen)).as(order).hasSize(PAGING_ROWS);
    }
    JsonNode bySpend = master("/spend/logs/v2?start_date=2026-11-26&end_date=2026-11-26&page_size=100&sort_by=spend"
        + "&sort_order=asc");
    List<Long> spend = new ArrayList<>();
    bySpend.path("data").forEach(r -> spend.add(r.path("spend_nanos").asLong()));
    assertThat(spend).isSorted();
    assertThat(master("/spend/logs?summarize=false&page_size=10&page=3").size()).isEqualTo(4 + PAGING_ROWS - 20);
  }

  @Test
  void theRowsHaveLiteLlmsFieldsAndExactSpend() throws Exception {
    JsonNode e1 = master("/spend/logs?request_id=e1").get(0);
    assertThat(e1.path("api_key").asText()).isEqualTo(HASH_A);
    assertThat(e1.path("spend").decimalValue()).isEqualByComparingTo("1.500000005");
    assertThat(e1.path("spend_nanos").asLong()).isEqualTo(1_500_000_005L);
    assertThat(e1.path("prompt_tokens").asLong()).isEqualTo(1100);
    assertThat(e1.path("completion_tokens").asLong()).isEqualTo(20);
    assertThat(e1.path("total_tokens").asLong()).isEqualTo(1120);
    assertThat(e1.path("startTime").asText()).isEqualTo("2026-11-23T10:00:00.005Z");
    assertThat(e1.path("endTime").asText()).isEqualTo("2026-11-23T10:00:01.205Z");
    assertThat(e1.path("user").asText()).isEqualTo("u1");
    assertThat(e1.path("team_id").asText()).isEqualTo("t1");
    assertThat(e1.path("end_user").asText()).isEqualTo("acme");
    assertThat(e1.path("session_id").asText()).isEqualTo("s1");
    assertThat(e1.path("status").asText()).isEqualTo("success");
    assertThat(e1.path("metadata").path("user_api_key_alias").asText()).isEqualTo("alias-a");
    assertThat(e1.path("call_type").asText()).isEqualTo("messages");
    assertThat(e1.path("request_tags").toString()).isEqualTo("[\"prod\",\"team:x\"]");
    assertThat(get("/spend/logs?request_id=e2", "authorization", "Bearer " + MASTER).body())
        .as("tiny amounts stay plain decimals").contains("\"spend\":0.000000005,");
    assertThat(master("/spend/logs?summarize=false").toString()).doesNotContain(KEY_A).doesNotContain(KEY_B);
  }

  @Test
  void summarizeGivesOneEntryPerDayWithKeysUsersAndModels() throws Exception {
    JsonNode days = master("/spend/logs?start_date=2026-11-23&end_date=2026-11-27");
    assertThat(days).hasSize(5);
    List<String> dates = new ArrayList<>();
    days.forEach(d -> dates.add(d.path("startTime").asText()));
    assertThat(dates).containsExactly("2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27");
    JsonNode d24 = days.get(1);
    assertThat(d24.path("spend").decimalValue()).isEqualByComparingTo("0.000000012");
    assertThat(d24.path(HASH_A).decimalValue()).isEqualByComparingTo("0.000000005");
    assertThat(d24.path(HASH_B).decimalValue()).isEqualByComparingTo("0.000000007");
    assertThat(d24.path("users").path("u2").decimalValue()).isEqualByComparingTo("0.000000007");
    assertThat(d24.path("models").path("gpt-5").decimalValue()).isEqualByComparingTo("0.000000012");
    assertThat(days.get(4).path("spend").decimalValue()).as("a day without calls").isZero();
    assertThat(days.get(4).path("models").size()).isZero();
    assertThat(ids(master("/spend/logs?start_date=2026-11-23&end_date=2026-11-24&summarize=false")))
        .containsExactly("e3", "e2", "e1");
    assertThat(ok("/spend/logs?start_date=2026-11-23&end_date=2026-11-27", KEY_A).get(1).has(HASH_B))
        .as("a virtual key's summary holds its own key only").isFalse();
  }

  @Test
  void theGlobalReportGroupsByTeamCustomerOrKey() throws Exception {
    JsonNode teams = master("/global/spend/report?start_date=2026-11-24&end_date=2026-11-25");
    assertThat(teams).hasSize(2);
    assertThat(teams.get(0).path("group_by_day").asText()).isEqualTo("2026-11-24");
    JsonNode t = teams.get(0).path("teams");
    assertThat(t.get(0).path("team_name").asText()).isEqualTo("t1");
    assertThat(t.get(0).path("total_spend").decimalValue()).isEqualByComparingTo("0.000000005");
    assertThat(t.get(0).path("metadata").get(0).path("api_key").asText()).isEqualTo(HASH_A);
    assertThat(t.get(0).path("metadata").get(0).path("total_tokens").asLong()).isEqualTo(12);
    assertThat(teams.get(1).path("teams").get(0).path("team_name").asText()).isEqualTo("Unassigned Team");
    JsonNode customers = master("/global/spend/report?start_date=2026-11-23&end_date=2026-11-23&group_by=customer");
    assertThat(customers.get(0).path("customers").get(0).path("customer").asText()).isEqualTo("acme");
    JsonNode keys = master("/global/spend/report?" + RANGE + "&group_by=api_key");
    assertThat(keys.get(0).path("api_key").asText()).as("most spent first").isEqualTo(HASH_B);
    assertThat(keys.get(0).path("total_cost").decimalValue()).isEqualByComparingTo("3.000000007");
    assertThat(keys.get(0).path("model_details")).hasSize(2);
    assertThat(master("/global/spend/report?" + RANGE + "&api_key=" + HASH_A).get(0).path("total_input_tokens").asLong())
        .isEqualTo(1100 + 10);
    assertThat(master("/global/spend/report?start_date=2026-12-01&end_date=2026-12-02")).isEmpty();
  }

  @Test
  void badParametersAre400WithEveryProblemNamed() throws Exception {
    String[][] bad = {
        {"/spend/logs/v2", "start_date and end_date are required"},
        {"/spend/logs/v2?" + RANGE + "&page_size=101", "page_size must be a whole number from 1 to 100"},
        {"/spend/logs?page_size=1001", "page_size"},
        {"/spend/logs?page=0", "page must be"},
        {"/spend/logs/v2?" + RANGE + "&page=100000", "starts beyond row"},
        {"/spend/logs?customer=acme", "unknown parameter customer"},
        {"/spend/logs?model_id=x", "model_id is not supported"},
        {"/spend/logs?start_date=2026-11-30&end_date=2026-11-01", "end_date is before start_date"},
        {"/spend/logs?start_date=2024-01-01&end_date=2026-01-01", "at most 366 days"},
        {"/spend/logs?start_date=1969-12-31", "between 1970 and 2105"},
        {"/spend/logs?api_key=a&api_key=b", "api_key is given 2 times"},
        {"/spend/logs?min_spend=2&max_spend=1", "min_spend is above max_spend"},
        {"/spend/logs?min_spend=NaN", "min_spend must be a USD amount"},
        {"/spend/logs?min_spend=1e30", "min_spend must be a USD amount"},
        {"/spend/logs?user_id=" + "x".repeat(600), "longer than 512"},
        {"/global/spend/report?" + RANGE + "&group_by=model", "group_by must be one of"},
        {"/global/spend/report?" + RANGE + "&model=gpt-5", "unknown parameter model"}};
    for (String[] b : bad) {
      HttpResponse<String> r = get(b[0], "authorization", "Bearer " + MASTER);
      assertThat(r.statusCode()).as(b[0] + " → " + r.body()).isEqualTo(400);
      JsonNode error = JSON.readTree(r.body()).path("error");
      assertThat(error.path("message").asText()).as(b[0]).contains(b[1]);
      assertThat(error.path("code").asText()).isEqualTo("400");
    }
    HttpResponse<String> several = get("/spend/logs/v2?" + RANGE + "&page_size=0&sort_by=cost&status_filter=ok",
        "authorization", "Bearer " + MASTER);
    assertThat(several.body()).contains("page_size").contains("sort_by must be one of").contains("status_filter must be");
    assertThat(raw("GET /spend/logs?user_id=%zz HTTP/1.1")).as("a malformed query string").startsWith("HTTP/1.1 400")
        .contains("malformed query string");
    HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port()
        + "/spend/logs")).header("authorization", "Bearer " + MASTER).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("allow")).hasValue("GET");
  }

  @Test
  void everyOutcomeIsCounted() throws Exception {
    get("/spend/logs");
    get("/spend/logs?page=x", "authorization", "Bearer " + MASTER);
    get("/spend/logs?api_key=" + HASH_B, "authorization", "Bearer " + KEY_A);
    master("/spend/logs/v2?" + RANGE);
    String metrics = get("/metrics").body();
    Set<String> expected = Set.of(
        "tollgate_spend_api_requests_total{outcome=\"unauthorized\",route=\"/spend/logs\"}",
        "tollgate_spend_api_requests_total{outcome=\"bad_request\",route=\"/spend/logs\"}",
        "tollgate_spend_api_requests_total{outcome=\"forbidden\",route=\"/spend/logs\"}",
        "tollgate_spend_api_requests_total{outcome=\"ok\",route=\"/spend/logs/v2\"}");
    for (String line : expected) {
      assertThat(metrics).contains(line);
    }
    assertThat(metrics).contains("tollgate_spend_api_duration_seconds_count{route=\"/spend/logs/v2\"}");
  }

  @Test
  void theReconciliationReportShowsMeteredAgainstBilledPerDayToTheMasterKeyOnly() throws Exception {
    String columns = "(provider, model, day, status, billed_source, billed_input_tokens, billed_nanos, metered_input_tokens,"
        + " metered_nanos, drift_nanos, alert_id, version, fetched_at)";
    ch.execute("INSERT INTO provider_usage " + columns + " VALUES "
        + "('anthropic', 'claude-sonnet-4-5-20250929', toDate('2026-11-16'), 'unsettled', 'usage_priced', 100, 1, 100, 1,"
        + " 0, '', 1, toDateTime('2026-11-17 12:00:00', 'UTC')),"
        + "('anthropic', 'claude-sonnet-4-5-20250929', toDate('2026-11-16'), 'settled', 'usage_priced', 100, 9000000000,"
        + " 100, 9270000000, 270000000, 'a1', 2, toDateTime('2026-11-20 12:00:00', 'UTC')),"
        + "('anthropic', '*', toDate('2026-11-16'), 'settled', 'cost_report', 100, 10000000000, 100, 10270000000,"
        + " 270000000, '', 2, toDateTime('2026-11-20 12:00:00', 'UTC')),"
        + "('openai', 'gpt-5', toDate('2026-11-17'), 'missing', 'line_items', 0, 0, 5, 5, 5, '', 2,"
        + " toDateTime('2026-11-20 12:00:00', 'UTC'))");
    JsonNode data = master("/spend/reconciliation?start_date=2026-11-16&end_date=2026-11-16").path("data");
    assertThat(data).hasSize(2);
    JsonNode sonnet = data.get(0);
    assertThat(sonnet.path("model").asText()).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(sonnet.path("date").asText()).isEqualTo("2026-11-16");
    assertThat(sonnet.path("status").asText()).as("the newest version wins").isEqualTo("settled");
    assertThat(sonnet.path("billed_spend").decimalValue()).isEqualByComparingTo("9");
    assertThat(sonnet.path("metered_spend").decimalValue()).isEqualByComparingTo("9.27");
    assertThat(sonnet.path("drift_nanos").asLong()).isEqualTo(270_000_000L);
    assertThat(sonnet.path("alert_id").asText()).isEqualTo("a1");
    assertThat(data.get(1).path("model").asText()).isEqualTo("*");
    assertThat(data.get(1).path("alert_id").isNull()).isTrue();
    assertThat(master("/spend/reconciliation?start_date=2026-11-16&end_date=2026-11-17").path("data")).hasSize(3);
    HttpResponse<String> virtual = get("/spend/reconciliation?start_date=2026-11-16&end_date=2026-11-16",
        "authorization", "Bearer " + KEY_A);
    assertThat(virtual.statusCode()).isEqualTo(403);
    assertThat(virtual.body()).contains("master key");
    assertThat(get("/spend/reconciliation?start_date=2026-11-16", "authorization", "Bearer " + MASTER).statusCode())
        .isEqualTo(400);
  }
}
