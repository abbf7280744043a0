package io.tollgate.aggregator.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What calls add to one budget-period total, as it crosses the {@code budget-periods} repartition
 * topic (the period is in the record key). One event today ({@code requests} = 1); the fields are
 * additive, so a per-partition pre-aggregation (issue 14) can send the sum of many calls of one
 * period and gateway as one delta without changing the total processor. Internal to the aggregator.
 * Version 2 added the cache tokens; version 1 records (left in the topic by an older aggregator)
 * still read, with no cache tokens.
 *
 * @param requests         calls summed in this delta
 * @param promptTokens     input tokens of every kind (input, cache read and writes)
 * @param cacheReadTokens  of those, read from the prompt cache
 * @param cacheWriteTokens of those, written to the prompt cache (5 m and 1 h)
 * @param newestMillis     event time of the newest call in it
 * @param gatewayId        the gateway that metered the calls (already capped in length)
 */
record PeriodDelta(long requests, long promptTokens, long outputTokens, long costNanos, long newestMillis,
                   String gatewayId, long cacheReadTokens, long cacheWriteTokens) {
  private static final byte VERSION = 2;
  private static final int FIXED_V1 = 1 + 5 * 8;
  private static final int FIXED = FIXED_V1 + 2 * 8;

  /** Both together (same period and gateway): sums saturate, the newest time wins. */
  PeriodDelta plus(PeriodDelta o) {
    return new PeriodDelta(BudgetPeriodEntries.saturatedSum(requests, o.requests),
        BudgetPeriodEntries.saturatedSum(promptTokens, o.promptTokens),
        BudgetPeriodEntries.saturatedSum(outputTokens, o.outputTokens),
        BudgetPeriodEntries.saturatedSum(costNanos, o.costNanos), Math.max(newestMillis, o.newestMillis), gatewayId,
        BudgetPeriodEntries.saturatedSum(cacheReadTokens, o.cacheReadTokens),
        BudgetPeriodEntries.saturatedSum(cacheWriteTokens, o.cacheWriteTokens));
  }

  static Serde<PeriodDelta> serde() {
    Serializer<PeriodDelta> serializer = (topic, d) -> {
      if (d == null) {
        return null;
      }
      byte[] gateway = d.gatewayId.getBytes(StandardCharsets.UTF_8);
      return ByteBuffer.allocate(FIXED + gateway.length).put(VERSION).putLong(d.requests).putLong(d.promptTokens)
          .putLong(d.outputTokens).putLong(d.costNanos).putLong(d.newestMillis).putLong(d.cacheReadTokens)
          .putLong(d.cacheWriteTokens).put(gateway).array();
    };
    Deserializer<PeriodDelta> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      int fixed = bytes.length == 0 ? -1 : bytes[0] == 1 ? FIXED_V1 : bytes[0] == VERSION ? FIXED : -1;
      if (fixed < 0 || bytes.length < fixed) {
        throw new SerializationException("not a budget-period delta of version 1 or " + VERSION + " on " + topic
            + " (" + bytes.length + " bytes)");
      }
      ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
      long requests = b.getLong();
      long prompt = b.getLong();
      long output = b.getLong();
      long cost = b.getLong();
      long newest = b.getLong();
      long cacheRead = fixed == FIXED ? b.getLong() : 0;
      long cacheWrite = fixed == FIXED ? b.getLong() : 0;
      return new PeriodDelta(requests, prompt, output, cost, newest,
          new String(bytes, fixed, bytes.length - fixed, StandardCharsets.UTF_8), cacheRead, cacheWrite);
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
