package io.tollgate.ingress.admin;

import io.tollgate.ingress.identity.Directory;
import io.tollgate.schemas.Team;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ClickHouse rows → LiteLLM's response shapes. Spend is exact decimal USD (LiteLLM's {@code spend})
 * and, where a row has room, integer nano-USD ({@code spend_nanos}); keys appear only as their
 * SHA-256 hash, as LiteLLM shows them. Plain maps and lists: {@link SpendRoutes} writes them (decimals plain).
 */
final class SpendRows {
  private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(ZoneOffset.UTC);

  private SpendRows() {
  }

  /** One call as a row of LiteLLM's {@code LiteLLM_SpendLogs}, plus Tollgate's own fields. */
  static Map<String, Object> log(Map<String, Object> r) {
    long cost = longOf(r.get("cost_nanos"));
    long prompt = sum(r, "input_tokens", "cache_read_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens");
    long completion = longOf(r.get("output_tokens"));
    long startMs = longOf(r.get("ts_s")) * 1000 + longOf(r.get("ts_ms"));
    long duration = longOf(r.get("duration_ms"));
    Object ttft = r.get("ttft_ms");
    int status = (int) longOf(r.get("status_code"));
    String outcome = status < 400 ? "success" : "failure";
    Object alias = blankToNull(r.get("key_alias"));
    Object team = blankToNull(r.get("team_id"));
    Object user = blankToNull(r.get("user_id"));
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("request_id", r.get("event_id"));
    row.put("call_type", r.get("api"));
    row.put("api_key", r.get("key_hash"));
    row.put("spend", usd(cost));
    row.put("spend_nanos", cost);
    row.put("total_tokens", saturatedAdd(prompt, completion));
    row.put("prompt_tokens", prompt);
    row.put("completion_tokens", completion);
    row.put("startTime", time(startMs));
    row.put("endTime", time(startMs + duration));
    row.put("completionStartTime", ttft == null ? null : time(startMs + longOf(ttft)));
    row.put("request_duration_ms", duration);
    row.put("model", r.get("model"));
    row.put("model_group", blankToNull(r.get("model_group")) != null ? r.get("model_group") : r.get("model_requested"));
    row.put("custom_llm_provider", r.get("provider"));
    row.put("user", r.get("user_id"));
    row.put("team_id", team);
    row.put("end_user", r.get("customer_id"));
    row.put("session_id", blankToNull(r.get("session_id")));
    row.put("status", outcome);
    row.put("request_tags", r.get("request_tags") instanceof List<?> tags ? tags : List.of());
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("user_api_key", r.get("key_hash"));
    metadata.put("user_api_key_alias", alias);
    metadata.put("user_api_key_team_id", team);
    metadata.put("user_api_key_user_id", user);
    metadata.put("status", outcome);
    metadata.put("error_type", blankToNull(r.get("error_type")));
    row.put("metadata", metadata);
    // Tollgate's own: what LiteLLM's row has no field for.
    row.put("key_alias", alias);
    row.put("status_code", status);
    row.put("tool", r.get("tool"));
    row.put("cache_read_tokens", longOf(r.get("cache_read_tokens")));
    row.put("cache_creation_tokens", sum(r, "cache_write_5m_tokens", "cache_write_1h_tokens"));
    row.put("reasoning_tokens", longOf(r.get("reasoning_tokens")));
    row.put("streamed", longOf(r.get("streamed")) == 1);
    row.put("aborted", longOf(r.get("aborted")) == 1);
    row.put("price_known", longOf(r.get("price_known")) == 1);
    return row;
  }

  /**
   * LiteLLM's summarized {@code /spend/logs}: one entry per UTC day from {@code first} to
   * {@code last}, days without calls included with zero spend —
   * {@code {startTime, spend, <key hash>: spend, users: {user: spend}, models: {model: spend}}}.
   */
  static List<Map<String, Object>> summary(List<Map<String, Object>> rows, LocalDate first, LocalDate last) {
    Map<String, Map<String, Object>> days = new LinkedHashMap<>();
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      Map<String, Object> day = new LinkedHashMap<>();
      day.put("startTime", d.toString());
      day.put("spend", BigDecimal.ZERO);
      day.put("users", new LinkedHashMap<String, Object>());
      day.put("models", new LinkedHashMap<String, Object>());
      days.put(d.toString(), day);
    }
    for (Map<String, Object> r : rows) {
      Map<String, Object> day = days.get((String) r.get("day"));
      if (day == null) {
        continue; // outside the asked days (the WHERE bounds the same range)
      }
      BigDecimal spend = usd(nanos(r.get("spend")));
      day.put("spend", ((BigDecimal) day.get("spend")).add(spend));
      add(day, (String) r.get("key_hash"), spend);
      add(child(day, "users"), (String) r.get("user_id"), spend);
      add(child(day, "models"), (String) r.get("model"), spend);
    }
    return List.copyOf(days.values());
  }

  /**
   * {@code /global/spend/report} by team ({@code team}) or customer, LiteLLM's shape:
   * {@code [{group_by_day, teams|customers: [{team_name|customer, total_spend, metadata: [{model,
   * api_key, spend, total_tokens}]}]}]}. A team's name is its alias from the directory, else its id;
   * calls without a team are LiteLLM's "Unassigned Team".
   */
  static List<Map<String, Object>> byDay(List<Map<String, Object>> rows, boolean team, Directory directory) {
    Map<String, Map<String, Map<String, Object>>> days = new LinkedHashMap<>();
    for (Map<String, Object> r : rows) {
      Map<String, Map<String, Object>> groups = days.computeIfAbsent((String) r.get("day"), d -> new LinkedHashMap<>());
      Map<String, Object> g = groups.computeIfAbsent((String) r.get("grp"), id -> {
        Map<String, Object> group = new LinkedHashMap<>();
        group.put(team ? "team_name" : "customer", team ? teamName(id, directory) : id);
        group.put("total_spend", BigDecimal.ZERO);
        group.put("metadata", new ArrayList<Map<String, Object>>());
        return group;
      });
      BigDecimal spend = usd(nanos(r.get("spend")));
      g.put("total_spend", ((BigDecimal) g.get("total_spend")).add(spend));
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("model", r.get("model"));
      detail.put("api_key", r.get("key_hash"));
      detail.put("spend", spend);
      detail.put("total_tokens", longOf(r.get("tokens")));
      list(g, "metadata").add(detail);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    days.forEach((day, groups) -> {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("group_by_day", day);
      entry.put(team ? "teams" : "customers", List.copyOf(groups.values()));
      out.add(entry);
    });
    return out;
  }

  /**
   * {@code /global/spend/report} by api_key, LiteLLM's shape: {@code [{api_key, total_cost,
   * total_input_tokens, total_output_tokens, model_details: [{model, total_cost, …}]}]}, most
   * spent first.
   */
  static List<Map<String, Object>> byKey(List<Map<String, Object>> rows) {
    Map<String, Map<String, Object>> keys = new LinkedHashMap<>();
    Map<String, Long> nanos = new LinkedHashMap<>();
    for (Map<String, Object> r : rows) {
      String hash = (String) r.get("key_hash");
      long spend = nanos(r.get("spend"));
      long in = longOf(r.get("prompt"));
      long out = longOf(r.get("completion"));
      Map<String, Object> k = keys.computeIfAbsent(hash, h -> {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("api_key", h);
        key.put("total_cost", BigDecimal.ZERO);
        key.put("total_input_tokens", 0L);
        key.put("total_output_tokens", 0L);
        key.put("model_details", new ArrayList<Map<String, Object>>());
        return key;
      });
      nanos.merge(hash, spend, SpendRows::saturatedAdd);
      k.put("total_cost", usd(nanos.get(hash)));
      k.put("total_input_tokens", saturatedAdd((Long) k.get("total_input_tokens"), in));
      k.put("total_output_tokens", saturatedAdd((Long) k.get("total_output_tokens"), out));
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("model", r.get("model"));
      detail.put("total_cost", usd(spend));
      detail.put("total_input_tokens", in);
      detail.put("total_output_tokens", out);
      list(k, "model_details").add(detail);
    }
    return keys.values().stream()
        .sorted((a, b) -> Long.compare(nanos.get((String) b.get("api_key")), nanos.get((String) a.get("api_key"))))
        .toList();
  }

  /**
   * One row of {@code /spend/reconciliation}: what the provider billed and what Tollgate metered
   * for a provider, model ({@code *} = the provider's day total) and day, in USD and nano-USD;
   * {@code drift} = metered − billed (positive: Tollgate over-meters).
   */
  static Map<String, Object> reconciliation(Map<String, Object> r) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("date", r.get("date"));
    row.put("provider", r.get("provider"));
    row.put("model", r.get("model"));
    row.put("status", r.get("status"));
    row.put("billed_source", r.get("billed_source"));
    for (String kind : new String[] {"billed", "metered", "drift"}) {
      long n = nanos(r.get(kind + "_nanos"));
      row.put(kind + "_spend", usd(n));
      row.put(kind + "_nanos", n);
    }
    row.put("billed_prompt_tokens", nanos(r.get("billed_prompt_tokens")));
    row.put("billed_completion_tokens", nanos(r.get("billed_output_tokens")));
    row.put("metered_prompt_tokens", nanos(r.get("metered_prompt_tokens")));
    row.put("metered_completion_tokens", nanos(r.get("metered_output_tokens")));
    Object alert = r.get("alert_id");
    row.put("alert_id", alert == null || "".equals(alert) ? null : alert);
    row.put("fetched_at", r.get("fetched"));
    return row;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> child(Map<String, Object> parent, String name) {
    return (Map<String, Object>) parent.get(name);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> parent, String name) {
    return (List<Map<String, Object>>) parent.get(name);
  }

  private static String teamName(String teamId, Directory directory) {
    if (teamId == null || teamId.isEmpty()) {
      return "Unassigned Team";
    }
    Team team = directory.team(teamId);
    return team != null && team.getTeamAlias() != null && !team.getTeamAlias().isEmpty() ? team.getTeamAlias() : teamId;
  }

  private static void add(Map<String, Object> totals, String name, BigDecimal spend) {
    String key = name == null ? "" : name;
    BigDecimal before = (BigDecimal) totals.get(key);
    totals.put(key, before == null ? spend : before.add(spend));
  }

  /** A Decimal128 sum of nano-USD, saturated to a long. */
  static long nanos(Object value) {
    if (value instanceof BigDecimal d) {
      BigInteger n = d.toBigInteger();
      return n.bitLength() < 64 ? n.longValue() : n.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    return longOf(value);
  }

  static BigDecimal usd(long nanos) {
    return BigDecimal.valueOf(nanos, 9);
  }

  private static String time(long epochMillis) {
    return ISO_MILLIS.format(Instant.ofEpochMilli(epochMillis));
  }

  /** A number the driver returned (Long, Integer, BigInteger for UInt64), saturated to a long. */
  private static long longOf(Object value) {
    if (value instanceof BigInteger b) {
      return b.bitLength() < 64 ? b.longValue() : b.signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
    }
    if (value instanceof BigDecimal d) {
      return nanos(d);
    }
    return value == null ? 0 : ((Number) value).longValue();
  }

  private static long sum(Map<String, Object> row, String... columns) {
    long total = 0;
    for (String c : columns) {
      total = saturatedAdd(total, longOf(row.get(c)));
    }
    return total;
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (r < 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
  }

  private static Object blankToNull(Object value) {
    return value == null || value.toString().isEmpty() ? null : value;
  }
}
