package io.tollgate.schemas.topics;

import java.util.List;
import java.util.Map;

/**
 * The Kafka topics of Tollgate (DESIGN.md, "Data flow"). Every module names topics through these
 * constants, and the local runtime creates exactly this list, so the two cannot drift.
 */
public final class Topics {
  private static final String WEEK_MS = Long.toString(7L * 24 * 3600 * 1000);
  private static final String MONTH_MS = Long.toString(35L * 24 * 3600 * 1000);

  /**
   * Every writer schema a Tollgate app has written with, so that a reader one release behind can
   * resolve the fingerprint of a newer writer. Key = {@code <record full name>:<fingerprint hex>},
   * value = the schema's JSON. Compacted and never deleted: the key names its value exactly, so a
   * re-publication (every app start) replaces a record with the same bytes.
   */
  public static final TopicSpec SCHEMAS = new TopicSpec("tollgate.schemas.v1", "record full name:fingerprint hex",
      Map.of("cleanup.policy", "compact"));

  /** One {@code UsageEvent} per proxied call, key = event_id. */
  public static final TopicSpec USAGE = new TopicSpec("tollgate.usage.v1", "event_id",
      Map.of("cleanup.policy", "delete", "retention.ms", WEEK_MS));

  /** Usage records the aggregator could not decode, with the error in headers. */
  public static final TopicSpec USAGE_DLQ = new TopicSpec("tollgate.usage.dlq.v1", "original key",
      Map.of("cleanup.policy", "delete", "retention.ms", MONTH_MS));

  /**
   * Rows ClickHouse refused for good (or that have no table), dead-lettered by the aggregator's sink
   * instead of stalling it: the original key and bytes, headers {@code tollgate.error},
   * {@code tollgate.source} (topic/partition@offset) and {@code tollgate.table}.
   */
  public static final TopicSpec SINK_DLQ = new TopicSpec("tollgate.sink.dlq.v1", "original key",
      Map.of("cleanup.policy", "delete", "retention.ms", MONTH_MS));

  /** Running window totals ({@code SpendWindow}); the newest version per window wins. */
  public static final TopicSpec SPEND_WINDOWS = new TopicSpec("tollgate.spend-windows.v1",
      "window size | window start | customer | model | tool",
      Map.of("cleanup.policy", "compact,delete", "retention.ms", MONTH_MS));

  /**
   * Spend per key / team / customer ({@code SpendTotal}), read by ingress budgets: per UTC day
   * (key {@code scope|scope id|day}) and per budget period named by the events' {@code budget_periods}
   * (key {@code scope|scope id|duration|period start millis}).
   */
  public static final TopicSpec SPEND_TOTALS = new TopicSpec("tollgate.spend-totals.v1",
      "scope | scope id | day, or scope | scope id | duration | period start millis", Map.of("cleanup.policy", "compact"));

  /** Alerts raised ({@code Alert}), key = deterministic alert id. */
  public static final TopicSpec ALERTS = new TopicSpec("tollgate.alerts.v1", "alert_id",
      Map.of("cleanup.policy", "compact"));

  /** Which (alert, channel) pairs were delivered; key = alert id | channel, value = delivery time. */
  public static final TopicSpec ALERT_DELIVERIES = new TopicSpec("tollgate.alert-deliveries.v1", "alert_id|channel",
      Map.of("cleanup.policy", "compact"));

  /** Virtual keys ({@code VirtualKey}), key = key hash; a null value deletes. */
  public static final TopicSpec KEYS = new TopicSpec("tollgate.keys.v1", "key_hash",
      Map.of("cleanup.policy", "compact"));

  /** Teams ({@code Team}), key = team id; a null value deletes. */
  public static final TopicSpec TEAMS = new TopicSpec("tollgate.teams.v1", "team_id",
      Map.of("cleanup.policy", "compact"));

  /** Budgets ({@code Budget}) customers refer to by id, key = budget id; a null value deletes. */
  public static final TopicSpec BUDGETS = new TopicSpec("tollgate.budgets.v1", "budget_id",
      Map.of("cleanup.policy", "compact"));

  /** Customers ({@code Customer}), key = customer id; a null value deletes. */
  public static final TopicSpec CUSTOMERS = new TopicSpec("tollgate.customers.v1", "customer_id",
      Map.of("cleanup.policy", "compact"));

  /** Every topic, in the order a runtime should create them (schemas first: writers publish there before writing). */
  public static final List<TopicSpec> ALL =
      List.of(SCHEMAS, USAGE, USAGE_DLQ, SINK_DLQ, SPEND_WINDOWS, SPEND_TOTALS, ALERTS, ALERT_DELIVERIES, KEYS, TEAMS, BUDGETS, CUSTOMERS);

  private Topics() {
  }
}
