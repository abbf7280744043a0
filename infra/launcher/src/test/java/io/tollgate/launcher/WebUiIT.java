package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.aggregator.AggregatorApp;
import io.tollgate.ingress.Gateway;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.mock.MockProvider;
import io.tollgate.local.mock.MockUsage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI in a real browser (headless chromium through Selenium) over the real stack: embedded
 * Kafka, the aggregator over a local ClickHouse, the mock provider and a gateway with a master
 * key. Calls for three customers go through the gateway; the Customers page shows exactly their
 * spend, the Logs filter exactly one customer's calls with the right tokens and cost, a key made
 * on the Keys page is used through the gateway and its spend appears, and a virtual key sees only
 * its own usage (in the browser and through the UI's API). Screenshots of every page at 1280 px
 * and at phone width land in {@code target/ui-screenshots}. Skipped, saying why, without chromium.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
class WebUiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String MASTER = "sk-master-" + UUID.randomUUID();
  private static final String MODEL = "claude-sonnet-4-5";
  /** customer → (calls, input, output, cache read) per call; user agent picks the coding tool. */
  private static final List<Object[]> TRAFFIC = List.of(
      new Object[] {"cust-a", 1, 1_000L, 100L, 0L, "curl/8.5"},
      new Object[] {"cust-b", 2, 2_000L, 200L, 400L, "codex_cli_rs/0.50.0 (Linux; x86_64)"},
      new Object[] {"cust-c", 3, 500L, 50L, 1_200L, "claude-cli/2.0.14 (external, cli)"});

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void theUiShowsExactlyWhatWentThroughTheGateway(KafkaCluster kafka, ClickHouseTestDatabase db, @TempDir Path dir)
      throws Exception {
    Browser.assumeInstalled();
    try (MockProvider mock = MockProvider.start(0);
         AggregatorApp aggregator = AggregatorApp.start(kafka.bootstrapServers(), "ui-" + UUID.randomUUID(),
             dir.resolve("streams"), db.client());
         Gateway gateway = gateway(mock, kafka, db, dir.resolve("spill"))) {
      String base = "http://127.0.0.1:" + gateway.port();
      String traffic = generate(base, "{\"key_alias\": \"traffic\"}");
      Map<String, Long> expected = new java.util.TreeMap<>();
      for (Object[] t : TRAFFIC) {
        for (int i = 0; i < (int) t[1]; i++) {
          HttpResponse<String> r = message(base, traffic, (String) t[0], (long) t[2], (long) t[3], (long) t[4], (String) t[5]);
          assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
          expected.merge((String) t[0], cost((long) t[2], (long) t[3], (long) t[4]), Long::sum);
        }
      }
      waitFor(Duration.ofSeconds(60), "ClickHouse has the 6 calls",
          () -> db.client().queryLong("SELECT count() FROM usage_events FINAL WHERE customer_id LIKE 'cust-%'") == 6);
      // The Usage page reads the aggregator's day windows: wait until they hold the same calls.
      waitFor(Duration.ofSeconds(60), "spend_1d has the 6 calls",
          () -> db.client().queryLong("SELECT sum(requests) FROM spend_1d FINAL WHERE customer_id LIKE 'cust-%'") == 6);
      insertAlert(db);

      // Reports the window tables answer equal the same reports over usage_events (source=events),
      // on what the real aggregator wrote.
      for (String report : List.of("totals", "over_time", "breakdown?by=customer", "breakdown?by=model",
          "breakdown?by=tool", "totals?customer=cust-b&customer=cust-c", "breakdown?by=customer&tool=codex")) {
        String path = "/ui/api/report/" + report;
        JsonNode windows = get(base, path, MASTER, 200);
        assertThat(windows).as(path).isEqualTo(get(base, path + (path.contains("?") ? "&" : "?") + "source=events", MASTER, 200));
        assertThat(windows.path("rows")).as(path).isNotEmpty();
      }
      assertThat(get(base, "/ui/api/report/totals?customer=cust-b&customer=cust-c", MASTER, 200)
          .path("rows").get(0).path("requests").asLong()).isEqualTo(5);

      String made;
      long madeCost = cost(3_000, 300, 0);
      try (Browser b = Browser.start(base)) {
        b.home();
        b.shoot("signin");
        b.signIn(MASTER);
        b.open("usage");
        b.waitAttribute("#total-spend", "data-nanos",
            Long.toString(expected.values().stream().mapToLong(Long::longValue).sum()));
        b.shoot("usage");

        // Customers: exactly the three customers, each with exactly the spend sent.
        b.open("customers");
        b.waitAttributes("#customers-table tbody tr[data-customer]", "data-customer", expected.keySet());
        for (var e : expected.entrySet()) {
          b.waitAttribute("#customers-table tr[data-customer='" + e.getKey() + "'] td.spend", "data-nanos",
              Long.toString(e.getValue()));
          b.waitText("#customers-table tr[data-customer='" + e.getKey() + "'] td.spend", Browser.usd(e.getValue()));
        }
        b.find("#customer-search").sendKeys("cust-b");
        b.waitAttributes("#customers-table tbody tr[data-customer]", "data-customer", List.of("cust-b"));
        b.shoot("customers");
        b.open("customer/cust-c");
        b.shoot("customer");

        // Logs filtered by customer: exactly cust-c's three calls; the detail shows every token kind and the cost.
        b.open("logs");
        b.find("#f-customer").sendKeys("cust-c");
        b.find("#f-apply").click();
        b.waitText("#logs-total", "3 call(s) match");
        assertThat(b.texts("#logs-table tbody tr[data-id] td.customer")).containsExactly("cust-c", "cust-c", "cust-c");
        b.click("#logs-table tbody tr[data-id]");
        b.find("#log-detail");
        assertThat(b.field("input-tokens")).isEqualTo("500");
        assertThat(b.field("output-tokens")).isEqualTo("50");
        assertThat(b.field("cache-read-tokens")).isEqualTo("1,200");
        assertThat(b.field("cost")).isEqualTo(Browser.usd(cost(500, 50, 1_200)));
        assertThat(b.field("customer")).isEqualTo("cust-c");
        assertThat(b.field("customer-identified-by")).contains("x-litellm-customer-id");
        assertThat(b.field("tool")).isEqualTo("claude-code");
        assertThat(b.field("tool-version")).isEqualTo("2.0.14");
        assertThat(b.field("key-alias")).isEqualTo("traffic");
        assertThat(b.field("status")).isEqualTo("200");
        b.shoot("logs");

        b.open("tools");
        assertThat(b.find("#tools-table").getText()).contains("claude-code").contains("codex");
        assertThat(b.find("#active-definition").getText()).contains("DAU").contains("session");
        b.shoot("tools");
        b.open("alerts");
        assertThat(b.find("#alerts-table").getText()).contains("ui-test-rule").contains("slack: delivered");
        b.shoot("alerts");

        // A key made in the UI, used through the gateway: its call shows up.
        b.open("keys");
        b.find("#k-alias").sendKeys("ui-made");
        b.find("#k-budget").sendKeys("5");
        b.find("#k-budget-duration").sendKeys("30d");
        b.find("#k-rpm").sendKeys("100");
        b.find("#k-create").click();
        made = b.find("#new-key").getText();
        assertThat(made).startsWith("sk-");
        assertThat(b.find("#copy-key").isDisplayed()).isTrue();
        assertThat(b.all("#keys-table tr[data-alias='ui-made']")).hasSize(1);
        b.shoot("keys");
        HttpResponse<String> used = message(base, made, "cust-d", 3_000L, 300L, 0L, "curl/8.5");
        assertThat(used.statusCode()).as(used.body()).isEqualTo(200);
        waitFor(Duration.ofSeconds(60), "ClickHouse has the UI key's call",
            () -> db.client().queryLong("SELECT count() FROM usage_events FINAL WHERE customer_id = 'cust-d'") == 1);
        b.open("logs");
        b.find("#f-customer").clear();
        b.find("#f-key_alias").sendKeys("ui-made");
        b.find("#f-apply").click();
        b.waitText("#logs-total", "1 call(s) match");
        b.waitAttribute("#logs-table td.cost", "data-nanos", Long.toString(madeCost));

        // Teams and customers: create with budget and limits, listed with spend against budget,
        // limits edited, blocked (the gateway refuses the customer's calls), unblocked, deleted.
        b.open("manage");
        b.find("#c-id").sendKeys("cust-budgeted, inc.");
        b.find("#c-alias").sendKeys("Budgeted");
        b.find("#c-budget").sendKeys("7");
        b.find("#c-budget-duration").sendKeys("30d");
        b.find("#c-rpm").sendKeys("50");
        b.click("#c-save");
        String customerRow = "#customer-accounts tr[data-id='cust-budgeted, inc.']";
        b.waitText(customerRow + " td.budget", "$7.00 / 30d");
        b.waitText(customerRow, "50 rpm");
        b.find("#t-id").sendKeys("team-ui");
        b.find("#t-alias").sendKeys("UI team");
        b.find("#t-models").sendKeys(MODEL);
        b.find("#t-budget").sendKeys("20");
        b.find("#t-budget-duration").sendKeys("1mo");
        b.find("#t-tpm").sendKeys("10000");
        b.click("#t-save");
        String teamRow = "#team-accounts tr[data-id='team-ui']";
        b.waitText(teamRow + " td.budget", "$20.00 / 1mo");
        b.waitText(teamRow, "10,000 tpm");
        b.click(customerRow + " button.edit");
        b.find("#c-rpm").clear();
        b.find("#c-rpm").sendKeys("60");
        b.click("#c-save");
        b.waitText(customerRow, "60 rpm");
        b.click(customerRow + " button.block");
        b.waitAttribute(customerRow, "data-blocked", "true");
        waitFor(Duration.ofSeconds(30), "the gateway refuses the blocked customer's call",
            () -> status(base, traffic, "cust-budgeted, inc.") == 403);
        b.shoot("manage");
        b.click(customerRow + " button.block");
        b.waitAttribute(customerRow, "data-blocked", "false");
        waitFor(Duration.ofSeconds(30), "the gateway takes the unblocked customer's call again",
            () -> status(base, traffic, "cust-budgeted, inc.") == 200);
        b.click(teamRow + " button.delete");
        b.acceptConfirm();
        b.waitAttributes("#team-accounts tbody tr[data-id]", "data-id", List.of());
        b.click(customerRow + " button.delete");
        b.acceptConfirm();
        b.waitAttributes("#customer-accounts tbody tr[data-id]", "data-id", List.of());

        // Reached with the keyboard alone: Tab from the page's top to the nav link, Enter opens it,
        // Tab reaches the form's first field; readable in dark mode too (own colours, not light's).
        b.open("usage");
        assertThat(b.tabTo("a[data-page='manage']", 30)).as("Teams & customers reachable with Tab").isTrue();
        b.enter();
        b.waitAttribute("#view", "data-page", "manage");
        b.waitAttribute("#view", "data-ready", "true");
        assertThat(b.tabTo("#t-id", 40)).as("the team form reachable with Tab").isTrue();
        String light = b.colours("body");
        b.colourScheme("dark");
        assertThat(b.colours("body")).isNotEqualTo(light);
        b.shoot("manage-dark");
        b.colourScheme("light");

        // Signed in with that key: only its own usage.
        b.signOut();
        b.signIn(made);
        b.open("usage");
        b.waitAttribute("#total-spend", "data-nanos", Long.toString(madeCost));
        b.waitAttributes("#by-customer tbody tr[data-name]", "data-name", List.of("cust-d"));
        assertThat(b.find("a[data-page='keys']").isDisplayed()).isFalse();
        assertThat(b.find("a[data-page='manage']").isDisplayed()).isFalse();
        b.open("customers");
        b.waitAttributes("#customers-table tbody tr[data-customer]", "data-customer", List.of("cust-d"));
        b.shoot("usage-virtual-key");
      }

      // The UI's API itself, called with the virtual key: nothing of any other key.
      JsonNode mine = get(base, "/ui/api/report/customers", made, 200);
      assertThat(mine.path("rows")).hasSize(1);
      assertThat(mine.path("rows").get(0).path("customer_id").asText()).isEqualTo("cust-d");
      assertThat(get(base, "/ui/api/report/logs?customer=cust-a", made, 200).path("total").asLong()).isZero();
      assertThat(get(base, "/ui/api/report/logs?key_alias=traffic", made, 200).path("total").asLong()).isZero();
      assertThat(get(base, "/ui/api/report/totals", made, 200).path("rows").get(0).path("spend_nanos").asLong())
          .isEqualTo(madeCost);
      assertThat(get(base, "/ui/api/report/breakdown?by=key", made, 200).path("rows")).hasSize(1);
      get(base, "/ui/api/report/alerts", made, 403);
      get(base, "/ui/api/report/customers", null, 401);
      get(base, "/ui/api/report/breakdown?by=secret", MASTER, 400);
      assertThat(get(base, "/ui/api/report/logs", MASTER, 200).path("total").asLong())
          .isEqualTo(db.client().queryLong("SELECT count() FROM usage_events FINAL")).isGreaterThanOrEqualTo(8);
      HttpResponse<String> page = call(base, "GET", "/ui/", null);
      assertThat(page.headers().firstValue("content-security-policy").orElse("")).contains("default-src 'none'")
          .contains("script-src 'self'");
      assertThat(page.headers().firstValue("access-control-allow-origin")).isEmpty();
    }
  }

  private static long cost(long input, long output, long cacheRead) {
    return PriceTable.bundled().cost(MODEL, new Usage(input, output, cacheRead, 0, 0, 0, null, null, true)).nanos();
  }

  private static void insertAlert(ClickHouseTestDatabase db) {
    long now = System.currentTimeMillis() / 1000;
    String cols = "(alert_id, rule_id, kind, severity, scope, scope_id, period, window_start, spend_nanos, "
        + "threshold_nanos, baseline_mean_nanos, baseline_stddev_nanos, z_score, message, channel, status, attempts, "
        + "error, created_at, updated_at)";
    String common = "'a-ui-1', 'ui-test-rule', 'threshold', 'warning', 'customer', 'cust-b', '1h', toDateTime(%d), "
        + "18000000, 10000000, 0, 0, 0, 'cust-b spent $0.018 in 1h (threshold $0.01)', ";
    db.client().execute("INSERT INTO alerts " + cols + " VALUES (" + common.formatted(now)
        + "'', 'raised', 0, '', toDateTime(" + now + "), toDateTime(" + now + ")), (" + common.formatted(now)
        + "'slack', 'delivered', 1, '', toDateTime(" + now + "), toDateTime(" + (now + 1) + "))");
  }

  private static Gateway gateway(MockProvider mock, KafkaCluster kafka, ClickHouseTestDatabase db, Path spill)
      throws Exception {
    String yaml = """
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params: {model: anthropic/claude-sonnet-4-5, api_base: %1$s, api_key: sk-ant-provider}
        general_settings: {master_key: %2$s, forward_client_headers_to_llm_api: true}
        tollgate:
          port: 0
          host: 127.0.0.1
          gateway_id: gw-ui
          spill_dir: %3$s
          kafka: {bootstrap_servers: "%4$s"}
          clickhouse: {url: "%5$s", database: %6$s}
        """.formatted(mock.baseUrl(), MASTER, spill, kafka.bootstrapServers(), db.settings().url(), db.database());
    return YamlGateway.start(yaml, spill);
  }

  private static HttpResponse<String> call(String base, String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode get(String base, String path, String key, int status) throws Exception {
    HttpResponse<String> r = key == null ? call(base, "GET", path, null)
        : call(base, "GET", path, null, "authorization", "Bearer " + key);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(status);
    return JSON.readTree(r.body());
  }

  private static String generate(String base, String body) throws Exception {
    HttpResponse<String> r = call(base, "POST", "/key/generate", body, "authorization", "Bearer " + MASTER,
        "content-type", "application/json");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).path("key").asText();
  }

  private static HttpResponse<String> message(String base, String key, String customer, long input, long output,
                                              long cacheRead, String userAgent) throws Exception {
    return call(base, "POST", "/v1/messages", "{\"model\":\"" + MODEL + "\",\"max_tokens\":5,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "x-api-key", key,
        "content-type", "application/json", "x-litellm-customer-id", customer, "user-agent", userAgent,
        MockUsage.HEADER, "input=" + input + ",output=" + output + ",cache_read=" + cacheRead);
  }

  /** The status of one small call for {@code customer}; -1 when the call itself failed. */
  private static int status(String base, String key, String customer) {
    try {
      return message(base, key, customer, 10L, 1L, 0L, "curl/8.5").statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  /** Polls {@code condition}; fails the test at the timeout. */
  static void waitFor(Duration timeout, String what, java.util.function.BooleanSupplier condition) throws Exception {
    long start = System.nanoTime();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - start > timeout.toNanos()) {
        throw new AssertionError(what + " did not happen within " + timeout);
      }
      Thread.sleep(200); // polling interval of the wait, bounded by the timeout above
    }
  }
}
