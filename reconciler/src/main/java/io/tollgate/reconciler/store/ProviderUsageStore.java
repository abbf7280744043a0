package io.tollgate.reconciler.store;

import io.tollgate.reconciler.compare.Row;
import io.tollgate.reconciler.provider.ProviderReport.ModelDay;
import io.tollgate.reconciler.provider.Tokens;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.Reports;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The reconciler's ClickHouse side: Tollgate's metered usage per model and day (from
 * {@code usage_events FINAL}), the alert ids already raised, and the comparison rows written to
 * {@code provider_usage}.
 */
public final class ProviderUsageStore {
  static final List<String> COLUMNS = List.of("provider", "model", "day", "status", "billed_source",
      "billed_input_tokens", "billed_output_tokens", "billed_cache_read_tokens", "billed_cache_write_5m_tokens",
      "billed_cache_write_1h_tokens", "billed_requests", "billed_nanos", "metered_input_tokens", "metered_output_tokens",
      "metered_cache_read_tokens", "metered_cache_write_5m_tokens", "metered_cache_write_1h_tokens", "metered_requests",
      "metered_nanos", "drift_nanos", "alert_id", "version", "fetched_at");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final long MAX_ROWS = 1_000_000;

  private final ClickHouseClient client;

  public ProviderUsageStore(ClickHouseClient client) {
    this.client = Objects.requireNonNull(client);
  }

  /** Metered tokens and cost of {@code provider} per model and day over {@code [from, to)}. */
  public Map<ModelDay, Tokens> metered(String provider, LocalDate from, LocalDate to) {
    Map<ModelDay, Tokens> out = new HashMap<>();
    for (Map<String, Object> r : client.query(Reports.statement("reconciliation_metered"),
        List.of(provider, from.toString(), to.toString()), TIMEOUT, MAX_ROWS)) {
      out.put(new ModelDay((String) r.get("model"), LocalDate.parse(String.valueOf(r.get("day")))),
          new Tokens(num(r, "input_tokens"), num(r, "output_tokens"), num(r, "cache_read_tokens"),
              num(r, "cache_write_5m_tokens"), num(r, "cache_write_1h_tokens"), num(r, "requests"),
              num(r, "cost_nanos")));
    }
    return out;
  }

  /** Alert ids already raised per (model, day) of {@code provider} over {@code [from, to)}. */
  public Map<ModelDay, String> alerted(String provider, LocalDate from, LocalDate to) {
    Map<ModelDay, String> out = new HashMap<>();
    for (Map<String, Object> r : client.query("SELECT model, toString(day) AS day_text, max(alert_id) AS raised"
            + " FROM provider_usage WHERE provider = ? AND day >= toDate(?) AND day < toDate(?) AND alert_id != ''"
            + " GROUP BY model, day", List.of(provider, from.toString(), to.toString()), TIMEOUT, MAX_ROWS)) {
      out.put(new ModelDay((String) r.get("model"), LocalDate.parse((String) r.get("day_text"))), (String) r.get("raised"));
    }
    return out;
  }

  /** Writes {@code rows} as one new version; {@code alertIds} per (model, day) are kept on the rows. */
  public void write(List<Row> rows, Map<ModelDay, String> alertIds, long version, Instant fetchedAt) {
    client.insertRowBinary("provider_usage", COLUMNS, out -> {
      for (Row r : rows) {
        out.writeString(r.provider());
        out.writeString(r.model());
        out.writeDate(r.day());
        out.writeString(r.status().wire());
        out.writeString(r.billedSource());
        tokens(out, r.billed());
        tokens(out, r.metered());
        out.writeInt64(r.driftNanos());
        out.writeString(alertIds.getOrDefault(new ModelDay(r.model(), r.day()), ""));
        out.writeUInt64(version);
        out.writeDateTime(fetchedAt);
      }
      return rows.size();
    });
  }

  private static void tokens(io.tollgate.schemas.clickhouse.RowBinaryOut out, Tokens t) throws java.io.IOException {
    out.writeUInt64(Math.max(0, t.input()));
    out.writeUInt64(Math.max(0, t.output()));
    out.writeUInt64(Math.max(0, t.cacheRead()));
    out.writeUInt64(Math.max(0, t.cacheWrite5m()));
    out.writeUInt64(Math.max(0, t.cacheWrite1h()));
    out.writeUInt64(Math.max(0, t.requests()));
    out.writeInt64(t.nanos());
  }

  /** A summed column (Decimal128, so the sum never wrapped), clamped to the long range instead of truncated. */
  private static long num(Map<String, Object> r, String column) {
    Object v = r.get(column);
    if (v == null) {
      return 0;
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    java.math.BigDecimal d = v instanceof java.math.BigDecimal b ? b : new java.math.BigDecimal(v.toString());
    if (d.compareTo(LONG_MAX) > 0) {
      return Long.MAX_VALUE;
    }
    return d.compareTo(LONG_MIN) < 0 ? Long.MIN_VALUE : d.longValue();
  }

  private static final java.math.BigDecimal LONG_MAX = java.math.BigDecimal.valueOf(Long.MAX_VALUE);
  private static final java.math.BigDecimal LONG_MIN = java.math.BigDecimal.valueOf(Long.MIN_VALUE);
}
