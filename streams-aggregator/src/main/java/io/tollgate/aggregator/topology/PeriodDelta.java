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
 *
 * @param requests     calls summed in this delta
 * @param promptTokens input tokens of every kind (input, cache read and writes)
 * @param newestMillis event time of the newest call in it
 * @param gatewayId    the gateway that metered the calls (already capped in length)
 */
record PeriodDelta(long requests, long promptTokens, long outputTokens, long costNanos, long newestMillis,
                   String gatewayId) {
  private static final byte VERSION = 1;
  private static final int FIXED = 1 + 5 * 8;

  static Serde<PeriodDelta> serde() {
    Serializer<PeriodDelta> serializer = (topic, d) -> {
      if (d == null) {
        return null;
      }
      byte[] gateway = d.gatewayId.getBytes(StandardCharsets.UTF_8);
      return ByteBuffer.allocate(FIXED + gateway.length).put(VERSION).putLong(d.requests).putLong(d.promptTokens)
          .putLong(d.outputTokens).putLong(d.costNanos).putLong(d.newestMillis).put(gateway).array();
    };
    Deserializer<PeriodDelta> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length < FIXED || bytes[0] != VERSION) {
        throw new SerializationException("not a budget-period delta of version " + VERSION + " on " + topic + " ("
            + bytes.length + " bytes)");
      }
      ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
      return new PeriodDelta(b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong(),
          new String(bytes, FIXED, bytes.length - FIXED, StandardCharsets.UTF_8));
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
