package io.tollgate.ingress.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.ingress.admin.ProxyError;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every report of the web UI against a real ClickHouse with known rows: the numbers, the filters,
 * and a virtual key narrowed to its own rows whatever it asks for.
 */
@ExtendWith(ClickHouseExtension.class)
@Timeout(120)
class UiReportsIT {
  private static final LocalDate TODAY = LocalDate.parse("2026-11-30");
  private static UiReports reports;
  private static ClickHouseClient ch;

  @BeforeAll
  static void rows(ClickHouseTestDatabase db) {
    ch = db.client();
    // The replayed batch below must stay a part of its own, as before a background merge collapses it.
    ch.execute("SYSTEM STOP MERGES usage_events");
    String columns = "(event_id, ts, ts_ms, duration_ms, ttft_ms, customer_id, customer_source, key_hash, key_alias, "
        + "team_id, tool, tool_version, session_id, model_requested, model, api, provider, cost_nanos, input_tokens, "
        + "output_tokens, cache_read_tokens, status_code, error_type, price_known, request_tags, aborted)";
    ch.execute("INSERT INTO usage_events " + columns + " VALUES "
        + "('e1', toDateTime('2026-11-29 10:00:00', 'UTC'), 5, 1200, 300, 'acme', 'header_customer_id', 'ha', 'alias-a', "
        + "'t1', 'claude-code', '2.0.14', 's1', 'claude-sonnet-4-5', 'claude-sonnet-4-5', 'messages', 'anthropic', "
        + "1500000005, 100, 20, 1000, 200, '', 1, ['prod'], 0),"
        + "('e2', toDateTime('2026-11-30 11:00:00', 'UTC'), 7, 300, NULL, 'acme', 'header_customer_id', 'ha', 'alias-a', "
        + "'t1', 'claude-code', '2.0.15', 's2', 'claude-sonnet-4-5', 'claude-sonnet-4-5', 'messages', 'anthropic', "
        + "5, 10, 2, 0, 200, '', 1, [], 0),"
        + "('e3', toDateTime('2026-11-30 12:00:00', 'UTC'), 9, 40, NULL, 'o''brien', 'body_user', 'hb', 'alias-b', "
        + "'', 'codex', '0.50.0', '', 'gpt-x', 'gpt-x', 'responses', 'openai', 0, 1, 1, 0, 500, 'api_error', 0, ['prod'], 0),"
        + "('e4', toDateTime('2026-10-01 08:00:00', 'UTC'), 0, 10, NULL, 'old', 'body_user', 'hb', 'alias-b', "
        + "'', 'codex', '0.40.0', '', 'gpt-x', 'gpt-x', 'responses', 'openai', 7, 1, 1, 0, 200, '', 1, [], 0),"
        // A client that went away mid-answer (status 499): not an error, as the aggregator counts it.
        + "('e5', toDateTime('2026-11-30 12:30:00', 'UTC'), 1, 10, NULL, 'acme, inc.', 'body_user', 'hc', 'alias-c', "
        + "'', 'codex', '0.50.0', '', 'gpt-y', 'gpt-y-2025', 'responses', 'openai', 3, 1, 0, 0, 499, '', 1, [], 1)");
    // A replayed sink batch: the same rows again. Every report must count them once.
    ch.execute("INSERT INTO usage_events SELECT * FROM usage_events WHERE event_id IN ('e1', 'e3', 'e5')");
    // The window tables as the aggregator writes them (its ITs prove its windows sum the events):
    // per UTC day / hour, customer, model asked for and tool; a replayed older version stays beside.
    for (String[] w : new String[][] {{"spend_1d", "toStartOfDay(ts)"}, {"spend_1h", "toStartOfHour(ts)"}}) {
      String select = "SELECT " + w[1] + " AS w, customer_id, if(model_requested != '', model_requested, model) AS m, tool, "
          + "count() * %1$d, countIf(status_code >= 400 AND aborted = 0), countIf(aborted = 1), sum(input_tokens), "
          + "sum(output_tokens), sum(cache_read_tokens), sum(cache_write_5m_tokens), sum(cache_write_1h_tokens), "
          + "sum(reasoning_tokens), sum(cost_nanos) * %1$d, countIf(price_known = 0), count() + %2$d, now() "
          + "FROM usage_events FINAL GROUP BY w, customer_id, m, tool";
      ch.execute("INSERT INTO " + w[0] + " " + select.formatted(3, 0)); // an older running total: version lower
      ch.execute("INSERT INTO " + w[0] + " " + select.formatted(1, 10));
    }
    reports = new UiReports(ch, Duration.ofSeconds(10));
  }

  private static Map<String, Object> answer(String name, String onlyKey, String... params) {
    Map<String, List<String>> q = new HashMap<>();
    q.put("start", List.of("2026-11-24"));
    for (int i = 0; i < params.length; i += 2) {
      q.put(params[i], List.of(params[i + 1]));
    }
    return reports.answer(name, UiQuery.parse(q, TODAY, onlyKey), q, onlyKey == null);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rows(Map<String, Object> answer) {
    return (List<Map<String, Object>>) answer.get("rows");
  }

  private static long n(Object v) {
    return ((Number) v).longValue();
  }

  @Test
  void totalsCountEveryCallInTheRangeAndCallOutTheUnpricedOnes() {
    Map<String, Object> t = rows(answer("totals", null)).get(0);
    assertThat(n(t.get("spend_nanos"))).isEqualTo(1_500_000_013L);
    assertThat(t.get("spend_nanos")).isInstanceOf(BigInteger.class);
    assertThat(n(t.get("requests"))).isEqualTo(4);
    assertThat(n(t.get("successes"))).isEqualTo(3);
    assertThat(n(t.get("unpriced_requests"))).isEqualTo(1);
    assertThat(n(t.get("cache_read_tokens"))).isEqualTo(1000);
    assertThat(n(t.get("customers"))).isEqualTo(3);
  }

  @Test
  void aReplayedBatchCountsOnceInEveryReportOfTheLog() {
    assertThat(ch.queryLong("SELECT count() FROM usage_events")).isEqualTo(8); // still there, not merged
    Map<String, Object> t = rows(answer("totals", null, "source", "events")).get(0);
    assertThat(n(t.get("spend_nanos"))).isEqualTo(1_500_000_013L);
    assertThat(n(t.get("requests"))).isEqualTo(4);
    assertThat(rows(answer("breakdown", null, "by", "team"))).extracting(r -> r.get("name") + "=" + r.get("requests"))
        .containsExactly("t1=2", "=2");
    assertThat(rows(answer("customers", null))).extracting(r -> r.get("customer_id") + "=" + r.get("requests")
        + "/" + r.get("successes") + "/" + r.get("tokens")).containsExactly("acme=2/2/1132", "acme, inc.=1/1/1", "o'brien=1/0/2");
    assertThat(rows(answer("tools", null))).extracting(r -> r.get("tool_version") + "=" + r.get("requests") + "/"
        + r.get("sessions")).containsExactly("2.0.14=1/1", "2.0.15=1/1", "0.50.0=2/0");
    Map<String, Object> codex = rows(answer("active_users", null)).stream()
        .filter(r -> r.get("tool").equals("codex")).findFirst().orElseThrow();
    assertThat(n(codex.get("mau_customers"))).isEqualTo(2);
    assertThat(n(codex.get("dau_keys"))).isEqualTo(2);
    assertThat(n(answer("logs", null, "customer", "acme").get("total"))).isEqualTo(2);
  }

  @Test
  void breakdownsGroupByEachDimension() {
    assertThat(rows(answer("breakdown", null, "by", "customer"))).extracting(r -> r.get("name"))
        .containsExactly("acme", "acme, inc.", "o'brien");
    assertThat(rows(answer("breakdown", null, "by", "tag"))).extracting(r -> r.get("name") + "=" + r.get("requests"))
        .containsExactlyInAnyOrder("prod=2", "=2");
    assertThat(rows(answer("breakdown", null, "by", "key"))).extracting(r -> r.get("name"))
        .containsExactly("alias-a", "alias-c", "alias-b");
    assertThat(rows(answer("breakdown", null, "by", "tool_version"))).hasSize(3);
    assertThatThrownBy(() -> answer("breakdown", null, "by", "key_hash; DROP TABLE usage_events"))
        .isInstanceOf(ProxyError.Failure.class).hasMessageContaining("by must be one of");
  }

  @Test
  void customersToolsAndOverTime() {
    List<Map<String, Object>> customers = rows(answer("customers", null));
    assertThat(customers.get(0).get("customer_id")).isEqualTo("acme");
    assertThat(n(customers.get(0).get("spend_nanos"))).isEqualTo(1_500_000_010L);
    assertThat(customers.get(0).get("last_active")).isEqualTo("2026-11-30 11:00:00");
    assertThat(customers.get(0).get("identified_by")).isEqualTo("header_customer_id");
    assertThat(rows(answer("tools", null))).extracting(r -> r.get("tool") + " " + r.get("tool_version"))
        .containsExactly("claude-code 2.0.14", "claude-code 2.0.15", "codex 0.50.0");
    assertThat(rows(answer("over_time", null))).extracting(r -> r.get("bucket") + "=" + r.get("requests"))
        .containsExactly("2026-11-29=1", "2026-11-30=3");
    assertThat(rows(answer("over_time", null, "start", "2026-11-30"))).extracting(r -> r.get("bucket"))
        .containsExactly("2026-11-30 11:00:00", "2026-11-30 12:00:00");
  }

  @Test
  void activeUsersLookBackFromTheEndOfTheRange() {
    Map<String, Object> claude = rows(answer("active_users", null)).stream()
        .filter(r -> r.get("tool").equals("claude-code")).findFirst().orElseThrow();
    assertThat(n(claude.get("dau_customers"))).isEqualTo(1);
    assertThat(n(claude.get("wau_customers"))).isEqualTo(1);
    assertThat(n(claude.get("mau_sessions"))).isEqualTo(2);
    Map<String, Object> codex = rows(answer("active_users", null, "start", "2026-10-01", "end", "2026-10-30")).get(0);
    assertThat(codex.get("tool")).isEqualTo("codex");
    assertThat(n(codex.get("dau_keys"))).isZero();
    assertThat(n(codex.get("mau_keys"))).isEqualTo(1);
  }

  @Test
  void logsFilterPageAndShowOneCall() {
    Map<String, Object> page = answer("logs", null, "customer", "acme", "page_size", "1");
    assertThat(n(page.get("total"))).isEqualTo(2);
    assertThat(rows(page)).extracting(r -> r.get("event_id")).containsExactly("e2");
    assertThat(rows(answer("logs", null, "customer", "acme", "page_size", "1", "page", "2")))
        .extracting(r -> r.get("event_id")).containsExactly("e1");
    assertThat(n(answer("logs", null, "status", "error").get("total"))).isEqualTo(1);
    assertThat(n(answer("logs", null, "tag", "prod").get("total"))).isEqualTo(2);
    assertThat(n(answer("logs", null, "unpriced", "true").get("total"))).isEqualTo(1);
    assertThat(n(answer("logs", null, "model", "gpt-x", "tool", "codex", "key_alias", "alias-b").get("total"))).isEqualTo(1);
    Map<String, Object> one = rows(answer("log", null, "id", "e1")).get(0);
    assertThat(one.get("tool_version")).isEqualTo("2.0.14");
    assertThat(n(one.get("ttft_ms"))).isEqualTo(300);
    assertThat(one.get("request_tags")).isEqualTo(List.of("prod"));
  }

  @Test
  void aVirtualKeySeesOnlyItsOwnRowsWhateverItAsks() {
    assertThat(rows(answer("customers", "hb"))).extracting(r -> r.get("customer_id")).containsExactly("o'brien");
    assertThat(n(answer("logs", "hb", "customer", "acme").get("total"))).isZero();
    assertThat(n(answer("logs", "hb", "key_alias", "alias-a").get("total"))).isZero();
    assertThatThrownBy(() -> answer("log", "hb", "id", "e1")).isInstanceOf(ProxyError.Failure.class)
        .hasMessageContaining("no call");
    assertThatThrownBy(() -> answer("alerts", "hb")).isInstanceOf(ProxyError.Failure.class)
        .hasMessageContaining("master key");
    assertThat(rows(answer("breakdown", "hb", "by", "key"))).extracting(r -> r.get("name")).containsExactly("alias-b");
  }

  /**
   * The window tables answer totals, spend over time and the customer / model / tool breakdowns
   * with exactly the numbers usage_events gives ({@code source=events}), for every filter they
   * serve; the older, lower-version window rows beside them change nothing (FINAL).
   */
  @Test
  void theWindowTablesAnswerExactlyWhatUsageEventsAnswers() {
    List<String[]> asks = new java.util.ArrayList<>();
    for (String[] range : new String[][] {{}, {"start", "2026-11-30"}, {"start", "2026-09-01", "end", "2026-11-29"}}) {
      for (String[] filter : new String[][] {{}, {"customer", "acme"}, {"customer", "acme, inc."}, {"tool", "codex"}}) {
        for (String[] report : new String[][] {{"totals"}, {"over_time"}, {"breakdown", "by", "customer"},
            {"breakdown", "by", "model"}, {"breakdown", "by", "tool"}}) {
          String[] all = new String[report.length - 1 + range.length + filter.length];
          System.arraycopy(report, 1, all, 0, report.length - 1);
          System.arraycopy(range, 0, all, report.length - 1, range.length);
          System.arraycopy(filter, 0, all, report.length - 1 + range.length, filter.length);
          asks.add(new String[] {report[0], String.join("\u0000", all)});
        }
      }
    }
    for (String[] ask : asks) {
      String[] params = ask[1].isEmpty() ? new String[0] : ask[1].split("\u0000");
      String[] raw = java.util.Arrays.copyOf(params, params.length + 2);
      raw[params.length] = "source";
      raw[params.length + 1] = "events";
      assertThat(answer(ask[0], null, params)).as(ask[0] + " " + String.join(" ", params))
          .isEqualTo(answer(ask[0], null, raw));
    }
    Map<String, Object> t = rows(answer("totals", null)).get(0);
    assertThat(n(t.get("requests"))).isEqualTo(4);
    assertThat(n(t.get("successes"))).as("the 499 of a client that went away is no error").isEqualTo(3);
    assertThat(rows(answer("breakdown", null, "by", "model"))).extracting(r -> r.get("name"))
        .as("the model asked for").containsExactly("claude-sonnet-4-5", "gpt-y", "gpt-x");
    assertThat(rows(answer("totals", null, "customer", "acme, inc."))).extracting(r -> n(r.get("requests")))
        .containsExactly(1L);
  }

  @Test
  void alertsAnswerFromTheAlertsTable() {
    assertThat(rows(answer("alerts", null))).isEmpty();
  }

  @Test
  void badInputIsA400NamingTheParameter() {
    assertThatThrownBy(() -> answer("totals", null, "start", "yesterday")).hasMessageContaining("start must be a date");
    assertThatThrownBy(() -> answer("totals", null, "start", "2020-01-01")).hasMessageContaining("at most 400 days");
    assertThatThrownBy(() -> answer("logs", null, "page_size", "5000")).hasMessageContaining("page_size");
    assertThatThrownBy(() -> answer("totals", null, "status", "maybe")).hasMessageContaining("status must be");
  }
}
