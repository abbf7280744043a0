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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /spend/tags} and {@code /global/spend/tags} of a real gateway over a real ClickHouse with
 * known rows: LiteLLM's shapes, exact sums, the tags and date filters, a virtual key seeing only its
 * own calls, injection attempts in {@code tags=} matching nothing.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
@Timeout(120)
class SpendTagsIT {
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String MASTER = "sk-master-" + UUID.randomUUID();
  private static final String KEY_A = "sk-a-" + UUID.randomUUID();
  private static final String KEY_B = "sk-b-" + UUID.randomUUID();
  private static Gateway gateway;

  @BeforeAll
  static void start(KafkaCluster kafka, ClickHouseTestDatabase db) throws Exception {
    ClickHouseClient ch = db.client();
    String columns = "(event_id, ts, key_hash, model, api, provider, cost_nanos, input_tokens, output_tokens, "
        + "cache_read_tokens, status_code, request_tags)";
    String a = KeyAuth.sha256(KEY_A);
    String b = KeyAuth.sha256(KEY_B);
    ch.execute("INSERT INTO usage_events " + columns + " VALUES "
        + "('t1', toDateTime('2026-11-23 10:00:00', 'UTC'), '" + a + "', 'm', 'messages', 'anthropic', 1500000005, "
        + "100, 20, 1000, 200, ['feature:chat', 'prod']),"
        + "('t2', toDateTime('2026-11-24 10:00:00', 'UTC'), '" + a + "', 'm', 'messages', 'anthropic', 5, "
        + "1, 2, 0, 200, ['feature:chat']),"
        + "('t3', toDateTime('2026-11-24 11:00:00', 'UTC'), '" + b + "', 'm', 'messages', 'anthropic', 3000000000, "
        + "5, 5, 0, 200, ['feature:search', 'prod']),"
        + "('t4', toDateTime('2026-11-25 11:00:00', 'UTC'), '" + b + "', 'm', 'messages', 'anthropic', 7, "
        + "1, 1, 0, 200, [])");
    // A replayed copy of t1: FINAL keeps one.
    ch.execute("INSERT INTO usage_events " + columns + " VALUES ('t1', toDateTime('2026-11-23 10:00:00', 'UTC'), '"
        + a + "', 'm', 'messages', 'anthropic', 1500000005, 100, 20, 1000, 200, ['feature:chat', 'prod'])");
    String yaml = """
        model_list:
          - model_name: gpt-5
            litellm_params: {model: openai/gpt-5, api_base: "http://127.0.0.1:9", api_key: sk-provider}
        general_settings: {master_key: %s}
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: gw-spend-tags
          spill_dir: %s
          kafka: {bootstrap_servers: "%s"}
          clickhouse: {url: "%s", database: %s}
          keys: [{key: %s, alias: alias-a}, {key: %s, alias: alias-b}]
        """.formatted(MASTER, Files.createTempDirectory("gw-spend-tags"), kafka.bootstrapServers(),
        db.settings().url(), db.database(), KEY_A, KEY_B);
    gateway = Gateway.start(ConfigLoader.fromTree(new ObjectMapper(new YAMLFactory()).readTree(yaml), Map.of()));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private static HttpResponse<String> get(String pathAndQuery, String key) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + pathAndQuery))
        .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + key).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode ok(String pathAndQuery, String key) throws Exception {
    HttpResponse<String> r = get(pathAndQuery, key);
    assertThat(r.statusCode()).as(pathAndQuery + " → " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** tag → "spend/log_count/spend_nanos/total_tokens" of a /global/spend/tags answer. */
  private static Map<String, String> global(JsonNode answer) {
    Map<String, String> out = new LinkedHashMap<>();
    answer.path("spend_per_tag").forEach(t -> out.put(t.path("name").asText(), t.path("spend").decimalValue()
        .stripTrailingZeros().toPlainString() + "/" + t.path("log_count").asLong() + "/" + t.path("spend_nanos").asLong() + "/"
        + t.path("total_tokens").asLong()));
    return out;
  }

  @Test
  void spendTagsIsLiteLlmsListMostSpentFirstWithExactSums() throws Exception {
    JsonNode rows = ok("/spend/tags", MASTER);
    assertThat(rows.isArray()).isTrue();
    assertThat(rows).hasSize(3);
    JsonNode prod = rows.get(0);
    assertThat(prod.path("individual_request_tag").asText()).isEqualTo("prod");
    assertThat(prod.path("log_count").asLong()).isEqualTo(2);
    assertThat(prod.path("total_spend").decimalValue().toPlainString()).isEqualTo("4.500000005");
    assertThat(prod.path("spend_nanos").asLong()).isEqualTo(4_500_000_005L);
    assertThat(rows.get(1).path("individual_request_tag").asText()).isEqualTo("feature:search");
    assertThat(rows.get(2).path("individual_request_tag").asText()).isEqualTo("feature:chat");
    assertThat(rows.get(2).path("spend_nanos").asLong()).isEqualTo(1_500_000_010L);
    assertThat(rows.get(2).path("total_tokens").asLong()).isEqualTo(1123);
  }

  @Test
  void globalSpendTagsFiltersByTagsAndDates() throws Exception {
    assertThat(global(ok("/global/spend/tags?start_date=2026-11-01&end_date=2026-11-30", MASTER)))
        .as("most spent first").containsExactly(Map.entry("prod", "4.500000005/2/4500000005/1130"),
            Map.entry("feature:search", "3/1/3000000000/10"),
            Map.entry("feature:chat", "1.50000001/2/1500000010/1123"));
    assertThat(global(ok("/global/spend/tags?start_date=2026-11-24&end_date=2026-11-24&tags="
        + URLEncoder.encode("feature:chat, feature:search", StandardCharsets.UTF_8), MASTER)))
        .containsExactly(Map.entry("feature:search", "3/1/3000000000/10"),
            Map.entry("feature:chat", "0.000000005/1/5/3"));
    assertThat(global(ok("/global/spend/tags?tags=all-tags", MASTER))).containsOnlyKeys("prod", "feature:search",
        "feature:chat");
    assertThat(global(ok("/global/spend/tags?start_date=2026-12-01&end_date=2026-12-31", MASTER))).isEmpty();
  }

  @Test
  void aVirtualKeySeesOnlyItsOwnCalls() throws Exception {
    assertThat(global(ok("/global/spend/tags", KEY_A))).containsOnlyKeys("feature:chat", "prod")
        .containsEntry("prod", "1.500000005/1/1500000005/1120");
    JsonNode own = ok("/spend/tags", KEY_B);
    assertThat(own).hasSize(2);
    HttpResponse<String> other = get("/spend/tags?api_key=" + KeyAuth.sha256(KEY_A), KEY_B);
    assertThat(other.statusCode()).isEqualTo(403);
  }

  @Test
  void badParametersAre400AndInjectionMatchesNothing() throws Exception {
    HttpResponse<String> unknown = get("/spend/tags?tags=prod", MASTER);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("unknown parameter tags");
    HttpResponse<String> many = get("/global/spend/tags?tags=" + "t,".repeat(40) + "x", MASTER);
    assertThat(many.statusCode()).isEqualTo(200); // duplicates count once
    StringBuilder wide = new StringBuilder();
    for (int i = 0; i < 33; i++) {
      wide.append(i == 0 ? "" : ",").append("t").append(i);
    }
    assertThat(get("/global/spend/tags?tags=" + wide, MASTER).statusCode()).isEqualTo(400);
    String injection = URLEncoder.encode("prod') OR 1=1 --", StandardCharsets.UTF_8);
    assertThat(global(ok("/global/spend/tags?tags=" + injection, MASTER))).isEmpty();
    assertThat(get("/global/spend/tags", "sk-nobody").statusCode()).isEqualTo(401);
  }
}
