package io.tollgate.ingress.ui;

import io.tollgate.ingress.admin.ProxyError;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The filters of a {@code /ui/api/report/*} request, parsed and capped, and the WHERE clause they
 * make. The clause is built from constants of this class only; every client value is a bound
 * {@code ?} in {@link #params()} order. A virtual key's requests are narrowed to its own key here
 * ({@code onlyKey}), whatever the client sent.
 *
 * @param start     first UTC day (inclusive)
 * @param end       last UTC day (inclusive)
 * @param customers customers to keep (any of), empty = all
 * @param keyAlias  a key's alias, or null
 * @param model     the model asked for, its group or the model that answered, or null
 * @param tool      the coding tool, or null
 * @param team      the team id, or null
 * @param tag       a request tag the call carries, or null
 * @param status    "success" (below 400, or aborted by the client), "error" (400 and above, not aborted) or null
 * @param unpriced  only calls without a price
 * @param eventId   one call, or null
 * @param onlyKey   the virtual key's hash the caller is limited to, or null for the master key
 * @param eventsOnly read every report from usage_events even where a window table could answer
 *                  ({@code source=events}: how tests and a curious operator compare the two)
 */
record UiQuery(LocalDate start, LocalDate end, List<String> customers, String keyAlias, String model, String tool,
               String team, String tag, String status, boolean unpriced, String eventId, String onlyKey,
               boolean eventsOnly) {
  static final int MAX_DAYS = 400;
  static final int MAX_CUSTOMERS = 100;
  static final int MAX_VALUE = 256;

  /** Parses the query string; a bad value is a 400 naming the parameter. {@code today} defaults the range. */
  static UiQuery parse(Map<String, List<String>> q, LocalDate today, String onlyKey) {
    LocalDate end = date(q, "end", today);
    LocalDate start = date(q, "start", end.minusDays(6));
    if (start.isAfter(end)) {
      throw bad("start must not be after end", "start");
    }
    if (start.plusDays(MAX_DAYS).isBefore(end)) {
      throw bad("the range may span at most " + MAX_DAYS + " days", "start");
    }
    // One customer id per value (repeat the parameter for several): an id may contain a comma.
    List<String> customers = new ArrayList<>();
    for (String v : q.getOrDefault("customer", List.of())) {
      if (!v.isBlank()) {
        customers.add(capped(v.strip(), "customer"));
      }
    }
    if (customers.size() > MAX_CUSTOMERS) {
      throw bad("at most " + MAX_CUSTOMERS + " customers at once", "customer");
    }
    String status = one(q, "status");
    if (status != null && !status.equals("success") && !status.equals("error")) {
      throw bad("status must be success or error", "status");
    }
    String unpriced = one(q, "unpriced");
    String source = one(q, "source");
    if (source != null && !source.equals("events") && !source.equals("auto")) {
      throw bad("source must be auto or events", "source");
    }
    return new UiQuery(start, end, List.copyOf(customers), one(q, "key_alias"), one(q, "model"), one(q, "tool"),
        one(q, "team"), one(q, "tag"), status, "true".equals(unpriced), one(q, "id"), onlyKey, "events".equals(source));
  }

  /**
   * Whether the window tables (spend_1d / spend_1h, keyed by window, customer, model asked for and
   * tool) hold what these filters select: the master key's view, filtered at most by customers and
   * tool. Key, team, tag, status, the model filter (which also matches the model that answered and
   * the model group) and unpriced calls are only in usage_events.
   */
  boolean windowsSuffice() {
    return !eventsOnly && onlyKey == null && eventId == null && keyAlias == null && model == null && team == null
        && tag == null && status == null && !unpriced;
  }

  /** The WHERE clause over a window table for {@link #windowsSuffice() these filters}; values appended to {@code params}. */
  String windowWhere(List<Object> params) {
    List<String> c = new ArrayList<>();
    c.add("window_start >= toDateTime(?)");
    params.add(from().getEpochSecond());
    c.add("window_start < toDateTime(?)");
    params.add(until().getEpochSecond());
    if (!customers.isEmpty()) {
      c.add("customer_id IN (" + String.join(", ", java.util.Collections.nCopies(customers.size(), "?")) + ")");
      params.addAll(customers);
    }
    equal(c, params, "tool", tool);
    return " WHERE " + String.join(" AND ", c);
  }

  /** The instant the range starts (start day, 00:00 UTC). */
  Instant from() {
    return start.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The instant the range ends (exclusive: the day after {@code end}, 00:00 UTC). */
  Instant until() {
    return end.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** The same filters over another time range (the active-user windows look back from the end). */
  UiQuery between(LocalDate first, LocalDate last) {
    return new UiQuery(first, last, customers, keyAlias, model, tool, team, tag, status, unpriced, eventId, onlyKey,
        eventsOnly);
  }

  /** The WHERE clause ({@code ""} or {@code " WHERE …"}); its values are appended to {@code params}. */
  String where(List<Object> params, boolean timeRange) {
    List<String> c = new ArrayList<>();
    if (timeRange) {
      c.add("ts >= toDateTime(?)");
      params.add(from().getEpochSecond());
      c.add("ts < toDateTime(?)");
      params.add(until().getEpochSecond());
    }
    equal(c, params, "key_hash", onlyKey);
    equal(c, params, "event_id", eventId);
    if (!customers.isEmpty()) {
      c.add("customer_id IN (" + String.join(", ", java.util.Collections.nCopies(customers.size(), "?")) + ")");
      params.addAll(customers);
    }
    equal(c, params, "key_alias", keyAlias);
    if (model != null) {
      c.add("(model = ? OR model_requested = ? OR model_group = ?)");
      params.add(model);
      params.add(model);
      params.add(model);
    }
    equal(c, params, "tool", tool);
    equal(c, params, "team_id", team);
    if (tag != null) {
      c.add("has(request_tags, ?)");
      params.add(tag);
    }
    if (status != null) {
      // As the aggregator counts errors: a client that went away is not an error of the call.
      c.add(status.equals("success") ? "(status_code < 400 OR aborted = 1)" : "(status_code >= 400 AND aborted = 0)");
    }
    if (unpriced) {
      c.add("price_known = 0");
    }
    return c.isEmpty() ? "" : " WHERE " + String.join(" AND ", c);
  }

  private static void equal(List<String> c, List<Object> params, String column, String value) {
    if (value != null) {
      c.add(column + " = ?");
      params.add(value);
    }
  }

  private static LocalDate date(Map<String, List<String>> q, String name, LocalDate fallback) {
    String v = one(q, name);
    if (v == null) {
      return fallback;
    }
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      throw bad(name + " must be a date like 2026-01-31", name);
    }
  }

  /** A single-valued parameter, blank = absent. */
  static String one(Map<String, List<String>> q, String name) {
    List<String> values = q.get(name);
    if (values == null || values.isEmpty() || values.get(0).isBlank()) {
      return null;
    }
    if (values.size() > 1) {
      throw bad(name + " may be given once", name);
    }
    return capped(values.get(0).strip(), name);
  }

  private static String capped(String v, String name) {
    if (v.length() > MAX_VALUE) {
      throw bad(name + " is longer than " + MAX_VALUE + " characters", name);
    }
    return v;
  }

  static ProxyError.Failure bad(String message, String param) {
    return new ProxyError.Failure(ProxyError.badRequest(message, param));
  }
}
