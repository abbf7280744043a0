package io.tollgate.aggregator.topology;

import io.tollgate.schemas.UsageEvent;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What any number of usage events of one group add to a total: counts instead of flags, so the
 * per-partition pre-aggregation ({@link PreAggregate}) sends one sum per group and flush across the
 * repartition topics instead of one {@link UsageDelta} per event. Sums saturate at the long range
 * (an absurd event may not stop the stream thread). Version 2 on the wire; a version-1
 * {@link UsageDelta} (one event, left in a repartition topic by the per-event topology) reads as a
 * sum of one. Internal to the aggregator.
 */
record UsageSum(long requests, long errors, long aborted, long unknownPriceRequests, long inputTokens,
                long outputTokens, long cacheReadTokens, long cacheWrite5mTokens, long cacheWrite1hTokens,
                long reasoningTokens, long costNanos, long newestMillis) {
  private static final byte VERSION = 2;
  static final int SIZE = 1 + 12 * 8;

  static UsageSum of(UsageEvent e) {
    return of(UsageDelta.of(e));
  }

  static UsageSum of(UsageDelta d) {
    return new UsageSum(1, d.failed() ? 1 : 0, d.aborted() ? 1 : 0, d.priceKnown() ? 0 : 1, d.inputTokens(),
        d.outputTokens(), d.cacheReadTokens(), d.cacheWrite5mTokens(), d.cacheWrite1hTokens(), d.reasoningTokens(),
        d.costNanos(), d.tsMillis());
  }

  UsageSum plus(UsageSum o) {
    return new UsageSum(sum(requests, o.requests), sum(errors, o.errors), sum(aborted, o.aborted),
        sum(unknownPriceRequests, o.unknownPriceRequests), sum(inputTokens, o.inputTokens),
        sum(outputTokens, o.outputTokens), sum(cacheReadTokens, o.cacheReadTokens),
        sum(cacheWrite5mTokens, o.cacheWrite5mTokens), sum(cacheWrite1hTokens, o.cacheWrite1hTokens),
        sum(reasoningTokens, o.reasoningTokens), sum(costNanos, o.costNanos), Math.max(newestMillis, o.newestMillis));
  }

  private static long sum(long a, long b) {
    return BudgetPeriodEntries.saturatedSum(a, b);
  }

  static Serde<UsageSum> serde() {
    Serializer<UsageSum> serializer = (topic, s) -> s == null ? null : ByteBuffer.allocate(SIZE).put(VERSION)
        .putLong(s.requests).putLong(s.errors).putLong(s.aborted).putLong(s.unknownPriceRequests)
        .putLong(s.inputTokens).putLong(s.outputTokens).putLong(s.cacheReadTokens).putLong(s.cacheWrite5mTokens)
        .putLong(s.cacheWrite1hTokens).putLong(s.reasoningTokens).putLong(s.costNanos).putLong(s.newestMillis).array();
    Deserializer<UsageDelta> single = UsageDelta.serde().deserializer();
    Deserializer<UsageSum> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length == UsageDelta.SIZE && bytes[0] == 1) {
        return of(single.deserialize(topic, bytes));
      }
      if (bytes.length != SIZE || bytes[0] != VERSION) {
        throw new SerializationException("not a usage sum of version " + VERSION + " on " + topic + " ("
            + bytes.length + " bytes)");
      }
      ByteBuffer b = ByteBuffer.wrap(bytes, 1, SIZE - 1);
      return new UsageSum(b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(),
          b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong());
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
