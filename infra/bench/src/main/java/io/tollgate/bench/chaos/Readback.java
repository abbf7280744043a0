package io.tollgate.bench.chaos;

import io.tollgate.schemas.clickhouse.ClickHouseClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What ClickHouse holds for a scenario's customers (names are the harness's own, so no escaping). */
public final class Readback {
  private final ClickHouseClient ch;

  /** {@code customer_id IN (...)} for one or more of the harness's customer names. */
  private static String of(String... customers) {
    return "customer_id IN ('" + String.join("', '", customers) + "')";
  }

  public Readback(ClickHouseClient ch) {
    this.ch = ch;
  }

  /** Rows of {@code usage_events} FINAL (a replayed event collapses; a second event for one call does not). */
  public List<Ledger.Row> rows(String... customers) {
    List<Ledger.Row> out = new ArrayList<>();
    for (Map<String, Object> r : ch.query("SELECT upstream_request_id AS id, cost_nanos AS cost, status_code AS status"
        + " FROM usage_events FINAL WHERE " + of(customers))) {
      out.add(new Ledger.Row(String.valueOf(r.get("id")), ((Number) r.get("cost")).longValue(),
          ((Number) r.get("status")).intValue()));
    }
    return out;
  }

  /** Distinct upstream ids in {@code usage_events} (no FINAL: for polling). */
  Set<String> ids(String... customers) {
    Set<String> out = new HashSet<>();
    for (Map<String, Object> r : ch.query("SELECT DISTINCT upstream_request_id AS id FROM usage_events WHERE "
        + of(customers))) {
      out.add(String.valueOf(r.get("id")));
    }
    return out;
  }

  /** Requests and cost the 1-minute windows hold for {@code customer} (FINAL: the newest total of each window). */
  public long[] windows(String... customers) {
    List<Map<String, Object>> r = ch.query("SELECT sum(requests) AS n, sum(cost_nanos) AS c FROM spend_1m FINAL"
        + " WHERE " + of(customers));
    if (r.isEmpty() || r.get(0).get("n") == null) {
      return new long[] {0, 0};
    }
    return new long[] {((Number) r.get(0).get("n")).longValue(), ((Number) r.get(0).get("c")).longValue()};
  }

  /** Rows per status code / error type for {@code customer} (FINAL). */
  List<Map<String, Object>> outcomes(String customer) {
    return ch.query("SELECT status_code AS status, error_type AS error, usage_source AS source, count() AS n, sum(cost_nanos) AS cost"
        + " FROM usage_events FINAL WHERE customer_id = '" + customer + "' GROUP BY status_code, error_type, usage_source"
        + " ORDER BY n DESC");
  }

  public long count(String... customers) {
    return ch.queryLong("SELECT count() FROM usage_events FINAL WHERE " + of(customers));
  }
}
