package io.tollgate.aggregator.topology;

import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;

/**
 * The running totals of one group (a window of a customer × model × tool, or a key's or customer's
 * day), as the state stores keep them: thirteen numbers in fixed binary, updated in place. The
 * group's names are in the store key; the Avro {@code SpendWindow} / {@code SpendTotal} contract
 * records are built only when a total is emitted, so the per-event path never encodes Avro.
 * Internal to the aggregator (its stores and changelogs).
 */
final class Totals {
  private static final byte VERSION = 1;
  static final int SIZE = 1 + 13 * 8;

  long requests;
  long errors;
  long aborted;
  long inputTokens;
  long outputTokens;
  long cacheReadTokens;
  long cacheWrite5mTokens;
  long cacheWrite1hTokens;
  long reasoningTokens;
  long costNanos;
  long unknownPriceRequests;
  /** Grows by one per event: the newest total of a group has the highest version. */
  long version;
  long updatedAtMillis;

  /**
   * Adds one event. Cost saturates at the long range instead of wrapping or throwing: a throw here
   * stopped every stream thread on one absurd event (two calls of Long.MAX_VALUE nano-USD), and the
   * next start met the same event again. Real spend is 9 × 10^9 USD away from the bound.
   */
  Totals add(UsageDelta d) {
    requests++;
    errors += d.failed() ? 1 : 0;
    aborted += d.aborted() ? 1 : 0;
    inputTokens += d.inputTokens();
    outputTokens += d.outputTokens();
    cacheReadTokens += d.cacheReadTokens();
    cacheWrite5mTokens += d.cacheWrite5mTokens();
    cacheWrite1hTokens += d.cacheWrite1hTokens();
    reasoningTokens += d.reasoningTokens();
    costNanos = BudgetPeriodEntries.saturatedSum(costNanos, d.costNanos());
    unknownPriceRequests += d.priceKnown() ? 0 : 1;
    version++;
    updatedAtMillis = Math.max(updatedAtMillis, d.tsMillis());
    return this;
  }

  /** Adds the sum of any number of events (the pre-aggregated topology): version grows by their count. */
  Totals add(UsageSum s) {
    requests = BudgetPeriodEntries.saturatedSum(requests, s.requests());
    errors = BudgetPeriodEntries.saturatedSum(errors, s.errors());
    aborted = BudgetPeriodEntries.saturatedSum(aborted, s.aborted());
    inputTokens = BudgetPeriodEntries.saturatedSum(inputTokens, s.inputTokens());
    outputTokens = BudgetPeriodEntries.saturatedSum(outputTokens, s.outputTokens());
    cacheReadTokens = BudgetPeriodEntries.saturatedSum(cacheReadTokens, s.cacheReadTokens());
    cacheWrite5mTokens = BudgetPeriodEntries.saturatedSum(cacheWrite5mTokens, s.cacheWrite5mTokens());
    cacheWrite1hTokens = BudgetPeriodEntries.saturatedSum(cacheWrite1hTokens, s.cacheWrite1hTokens());
    reasoningTokens = BudgetPeriodEntries.saturatedSum(reasoningTokens, s.reasoningTokens());
    costNanos = BudgetPeriodEntries.saturatedSum(costNanos, s.costNanos());
    unknownPriceRequests = BudgetPeriodEntries.saturatedSum(unknownPriceRequests, s.unknownPriceRequests());
    version = BudgetPeriodEntries.saturatedSum(version, Math.max(1, s.requests()));
    updatedAtMillis = Math.max(updatedAtMillis, s.newestMillis());
    return this;
  }

  /** The window total on the wire: {@code parts} = customer, model, tool. */
  SpendWindow toWindow(String size, Instant start, Instant end, String[] parts) {
    return SpendWindow.newBuilder().setWindowSize(size).setWindowStart(start).setWindowEnd(end)
        .setCustomerId(parts[0]).setModel(parts[1]).setTool(parts[2]).setRequests(requests).setErrors(errors)
        .setAborted(aborted).setInputTokens(inputTokens).setOutputTokens(outputTokens)
        .setCacheReadTokens(cacheReadTokens).setCacheWrite5mTokens(cacheWrite5mTokens)
        .setCacheWrite1hTokens(cacheWrite1hTokens).setReasoningTokens(reasoningTokens).setCostNanos(costNanos)
        .setUnknownPriceRequests(unknownPriceRequests).setVersion(version)
        .setUpdatedAt(Instant.ofEpochMilli(updatedAtMillis)).build();
  }

  /**
   * The record a window's total goes out as on {@code tollgate.spend-windows.v1}: key
   * {@code size|start millis|customer|model|tool}, the window's Avro record; {@code group} = the
   * (customer, model, tool) key. One format for the DSL windows and {@link SpendWindowTotals}, which
   * must agree for an aggregator to switch between them in place.
   */
  KeyValue<String, SpendWindow> windowRecord(String size, String group, long startMillis, long endMillis) {
    String[] parts = SpendKeys.split(group, 3);
    SpendWindow out = toWindow(size, Instant.ofEpochMilli(startMillis), Instant.ofEpochMilli(endMillis), parts);
    return KeyValue.pair(SpendKeys.group(size, Long.toString(startMillis), parts[0], parts[1], parts[2]), out);
  }

  /** The day total on the wire: {@code parts} = scope, scope id, day; tokens in = every prompt token. */
  SpendTotal toDayTotal(String[] parts) {
    return SpendTotal.newBuilder().setScope(parts[0]).setScopeId(parts[1]).setDay(LocalDate.parse(parts[2]))
        .setRequests(requests).setInputTokens(inputTokens + cacheReadTokens + cacheWrite5mTokens + cacheWrite1hTokens)
        .setOutputTokens(outputTokens).setCostNanos(costNanos).setVersion(version)
        .setCacheReadTokens(cacheReadTokens).setCacheWriteTokens(cacheWrite5mTokens + cacheWrite1hTokens)
        .setUpdatedAt(Instant.ofEpochMilli(updatedAtMillis)).build();
  }

  static Serde<Totals> serde() {
    Serializer<Totals> serializer = (topic, t) -> t == null ? null : ByteBuffer.allocate(SIZE).put(VERSION)
        .putLong(t.requests).putLong(t.errors).putLong(t.aborted).putLong(t.inputTokens).putLong(t.outputTokens)
        .putLong(t.cacheReadTokens).putLong(t.cacheWrite5mTokens).putLong(t.cacheWrite1hTokens)
        .putLong(t.reasoningTokens).putLong(t.costNanos).putLong(t.unknownPriceRequests).putLong(t.version)
        .putLong(t.updatedAtMillis).array();
    Deserializer<Totals> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length != SIZE || bytes[0] != VERSION) {
        throw new SerializationException("not running totals of version " + VERSION + " on " + topic + " ("
            + bytes.length + " bytes)");
      }
      ByteBuffer b = ByteBuffer.wrap(bytes, 1, SIZE - 1);
      Totals t = new Totals();
      t.requests = b.getLong();
      t.errors = b.getLong();
      t.aborted = b.getLong();
      t.inputTokens = b.getLong();
      t.outputTokens = b.getLong();
      t.cacheReadTokens = b.getLong();
      t.cacheWrite5mTokens = b.getLong();
      t.cacheWrite1hTokens = b.getLong();
      t.reasoningTokens = b.getLong();
      t.costNanos = b.getLong();
      t.unknownPriceRequests = b.getLong();
      t.version = b.getLong();
      t.updatedAtMillis = b.getLong();
      return t;
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
