package io.tollgate.aggregator.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The spend API over a real ClickHouse database with known rows. */
@ExtendWith(ClickHouseExtension.class)
class SpendApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static SpendApi api;

  @BeforeAll
  static void start(ClickHouseTestDatabase db) throws Exception {
    db.client().execute("INSERT INTO usage_events (event_id, ts, ts_ms, customer_id, key_hash, key_alias, tool, "
        + "model_requested, model, api, cost_nanos, input_tokens, output_tokens, cache_read_tokens, status_code, price_known) VALUES "
        + "('e1', toDateTime('2026-11-23 10:00:00', 'UTC'), 5, 'acme', 'h1', 'team-a', 'claude-code', 'claude-sonnet-4-5', 'claude-sonnet-4-5-20250929', 'messages', 1500000005, 100, 20, 1000, 200, 1),"
        + "('e2', toDateTime('2026-11-24 11:00:00', 'UTC'), 7, 'acme', 'h1', 'team-a', 'codex', 'gpt-5', 'gpt-5', 'responses', 5, 10, 2, 0, 200, 1),"
        + "('e3', toDateTime('2026-11-24 12:00:00', 'UTC'), 9, 'o''brien', 'h2', '', 'curl', 'gpt-5', 'gpt-5', 'chat_completions', 7, 1, 1, 0, 500, 1)");
    db.client().execute("INSERT INTO spend_1d (window_start, customer_id, model, tool, requests, cost_nanos, input_tokens, "
        + "output_tokens, version, updated_at) VALUES "
        + "(toDateTime('2026-11-23 00:00:00', 'UTC'), 'acme', 'claude-sonnet-4-5', 'claude-code', 1, 1500000005, 100, 20, 1, now()),"
        + "(toDateTime('2026-11-24 00:00:00', 'UTC'), 'acme', 'gpt-5', 'codex', 1, 5, 10, 2, 1, now()),"
        + "(toDateTime('2026-11-24 00:00:00', 'UTC'), 'acme', 'gpt-5', 'codex', 0, 1, 0, 0, 0, now()),"
        + "(toDateTime('2026-11-24 00:00:00', 'UTC'), 'o''brien', 'gpt-5', 'curl', 1, 7, 1, 1, 1, now())");
    api = new SpendApi(db.client(), "127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + pathAndQuery))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void logsFilterPageAndCarryExactSpend() throws Exception {
    JsonNode all = JSON.readTree(get("/spend/logs?customer_id=acme").body());
    assertThat(all).hasSize(2);
    assertThat(all.get(0).path("request_id").asText()).as("newest first").isEqualTo("e2");
    assertThat(all.get(1).path("spend").decimalValue()).isEqualByComparingTo("1.500000005");
    assertThat(all.get(1).path("spend_nanos").asLong()).isEqualTo(1_500_000_005L);
    assertThat(all.get(1).path("prompt_tokens").asLong()).isEqualTo(1100);
    assertThat(all.get(1).path("startTime").asText()).isEqualTo("2026-11-23 10:00:00.005Z");
    assertThat(get("/spend/logs?end_user=acme&tool=codex").body()).contains("\"e2\"").doesNotContain("\"e1\"");
    assertThat(JSON.readTree(get("/spend/logs?api_key=team-a&start_date=2026-11-24").body())).hasSize(1);
    assertThat(JSON.readTree(get("/spend/logs?model=claude-sonnet-4-5-20250929").body())).hasSize(1);
    assertThat(JSON.readTree(get("/spend/logs?page=2&page_size=2").body())).hasSize(1);
    assertThat(get("/spend/logs?customer_id=o%27brien").body())
        .as("quotes are data, not SQL; tiny amounts stay plain decimals").contains("\"spend\":0.000000007,");
  }

  @Test
  void reportGroupsTheDayWindowsNewestVersionWins() throws Exception {
    JsonNode byCustomer = JSON.readTree(get("/spend/report?group_by=customer").body());
    assertThat(byCustomer.get(0).path("customer").asText()).isEqualTo("acme");
    assertThat(byCustomer.get(0).path("spend_nanos").asLong()).isEqualTo(1_500_000_010L);
    JsonNode byDay = JSON.readTree(get("/spend/report?group_by=day&start_date=2026-11-24&end_date=2026-11-24").body());
    assertThat(byDay).hasSize(1);
    assertThat(byDay.get(0).path("spend_nanos").asLong()).isEqualTo(12);
  }

  @Test
  void badParametersAreAllReported() throws Exception {
    HttpResponse<String> r = get("/spend/report?group_by=planet&start_date=yesterday");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("group_by must be one of").contains("start_date must be a date");
    assertThat(get("/spend/logs?page_size=100000").statusCode()).isEqualTo(400);
  }
}
