package io.tollgate.aggregator.topology;

import io.tollgate.schemas.SpendTotal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The running total of one budget period (key, team or customer × duration × period start), as the
 * {@code budget-period-totals} store keeps it: counters, the spend per gateway, and when the period
 * ends (so the purge and late events need not parse the key). Sums saturate instead of throwing:
 * no absurd event may stop the stream thread. Internal to the aggregator.
 */
final class PeriodTotals {
  /** Where the spend of gateways beyond {@link #MAX_GATEWAYS} goes. */
  static final String OTHER = "other";
  static final int MAX_GATEWAYS = 64;
  /** Version 2 added the cache tokens; version 1 (an older aggregator's changelog) still reads. */
  private static final byte VERSION = 2;

  long endMillis;
  long requests;
  long promptTokens;
  long outputTokens;
  long cacheReadTokens;
  long cacheWriteTokens;
  long costNanos;
  /** Grows by the calls added: the newest total of a period has the highest version. */
  long version;
  long updatedAtMillis;
  /** Gateway id → cost included; at most {@link #MAX_GATEWAYS} named gateways, plus {@link #OTHER}. */
  final Map<String, Long> byGateway = new LinkedHashMap<>();

  PeriodTotals(long endMillis) {
    this.endMillis = endMillis;
  }

  PeriodTotals add(PeriodDelta d) {
    requests = BudgetPeriodEntries.saturatedSum(requests, d.requests());
    promptTokens = BudgetPeriodEntries.saturatedSum(promptTokens, d.promptTokens());
    outputTokens = BudgetPeriodEntries.saturatedSum(outputTokens, d.outputTokens());
    cacheReadTokens = BudgetPeriodEntries.saturatedSum(cacheReadTokens, d.cacheReadTokens());
    cacheWriteTokens = BudgetPeriodEntries.saturatedSum(cacheWriteTokens, d.cacheWriteTokens());
    costNanos = BudgetPeriodEntries.saturatedSum(costNanos, d.costNanos());
    version = BudgetPeriodEntries.saturatedSum(version, Math.max(1, d.requests()));
    updatedAtMillis = Math.max(updatedAtMillis, d.newestMillis());
    String gateway = byGateway.containsKey(d.gatewayId()) || namedGateways() < MAX_GATEWAYS ? d.gatewayId() : OTHER;
    byGateway.merge(gateway, d.costNanos(), BudgetPeriodEntries::saturatedSum);
    return this;
  }

  private int namedGateways() {
    return byGateway.size() - (byGateway.containsKey(OTHER) ? 1 : 0);
  }

  /** The contract record; {@code parts} = scope, scope id, duration, period start millis (the store key). */
  SpendTotal toSpendTotal(String[] parts) {
    Instant start = Instant.ofEpochMilli(Long.parseLong(parts[3]));
    return SpendTotal.newBuilder().setScope(parts[0]).setScopeId(parts[1])
        .setDay(start.atZone(ZoneOffset.UTC).toLocalDate()).setDuration(parts[2]).setPeriodStart(start)
        .setRequests(requests).setInputTokens(promptTokens).setOutputTokens(outputTokens).setCostNanos(costNanos)
        .setCacheReadTokens(cacheReadTokens).setCacheWriteTokens(cacheWriteTokens)
        .setVersion(version).setUpdatedAt(Instant.ofEpochMilli(updatedAtMillis))
        .setByGateway(new LinkedHashMap<>(byGateway)).build();
  }

  static Serde<PeriodTotals> serde() {
    Serializer<PeriodTotals> serializer = (topic, t) -> {
      if (t == null) {
        return null;
      }
      int size = 1 + 9 * 8 + 4;
      Map<byte[], Long> gateways = new LinkedHashMap<>();
      for (Map.Entry<String, Long> g : t.byGateway.entrySet()) {
        byte[] name = g.getKey().getBytes(StandardCharsets.UTF_8);
        gateways.put(name, g.getValue());
        size += 4 + name.length + 8;
      }
      ByteBuffer b = ByteBuffer.allocate(size).put(VERSION).putLong(t.endMillis).putLong(t.requests)
          .putLong(t.promptTokens).putLong(t.outputTokens).putLong(t.costNanos).putLong(t.version)
          .putLong(t.updatedAtMillis).putLong(t.cacheReadTokens).putLong(t.cacheWriteTokens).putInt(gateways.size());
      gateways.forEach((name, cost) -> b.putInt(name.length).put(name).putLong(cost));
      return b.array();
    };
    Deserializer<PeriodTotals> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      try {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte version = b.get();
        if (version != 1 && version != VERSION) {
          throw new SerializationException("not budget-period totals of version 1 or " + VERSION + " on " + topic);
        }
        PeriodTotals t = new PeriodTotals(b.getLong());
        t.requests = b.getLong();
        t.promptTokens = b.getLong();
        t.outputTokens = b.getLong();
        t.costNanos = b.getLong();
        t.version = b.getLong();
        t.updatedAtMillis = b.getLong();
        if (version == VERSION) {
          t.cacheReadTokens = b.getLong();
          t.cacheWriteTokens = b.getLong();
        }
        int count = b.getInt();
        for (int i = 0; i < count; i++) {
          byte[] name = new byte[b.getInt()];
          b.get(name);
          t.byGateway.put(new String(name, StandardCharsets.UTF_8), b.getLong());
        }
        return t;
      } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
        throw new SerializationException("truncated budget-period totals on " + topic + " (" + bytes.length + " bytes)");
      }
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
