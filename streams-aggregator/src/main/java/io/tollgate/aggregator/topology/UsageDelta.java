package io.tollgate.aggregator.topology;

import io.tollgate.schemas.UsageEvent;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What one usage event adds to a total: its counters and nothing else. This, not the whole
 * {@code UsageEvent}, goes through the repartition topics (the group — customer, model, tool, or
 * scope and day — is in the record key), so each event is encoded, shipped and decoded there as 66
 * fixed bytes instead of a few hundred bytes of Avro with strings. Internal to the aggregator.
 *
 * @param tsMillis        event time
 * @param failed          status ≥ 400 and not a client abort
 * @param aborted         the client went away
 * @param priceKnown      the model had a price
 */
record UsageDelta(long tsMillis, boolean failed, boolean aborted, boolean priceKnown, long inputTokens,
                  long outputTokens, long cacheReadTokens, long cacheWrite5mTokens, long cacheWrite1hTokens,
                  long reasoningTokens, long costNanos) {
  private static final byte VERSION = 1;
  static final int SIZE = 1 + 8 + 1 + 8 * 7;

  static UsageDelta of(UsageEvent e) {
    return new UsageDelta(e.getTs().toEpochMilli(), e.getStatusCode() >= 400 && !e.getAborted(), e.getAborted(),
        e.getPriceKnown(), e.getInputTokens(), e.getOutputTokens(), e.getCacheReadTokens(), e.getCacheWrite5mTokens(),
        e.getCacheWrite1hTokens(), e.getReasoningTokens(), e.getCostNanos());
  }

  /** Prompt tokens of every kind (input, cache read and writes). */
  long promptTokens() {
    return inputTokens + cacheReadTokens + cacheWrite5mTokens + cacheWrite1hTokens;
  }

  static Serde<UsageDelta> serde() {
    Serializer<UsageDelta> serializer = (topic, d) -> d == null ? null : ByteBuffer.allocate(SIZE).put(VERSION)
        .putLong(d.tsMillis).put((byte) ((d.failed ? 1 : 0) | (d.aborted ? 2 : 0) | (d.priceKnown ? 4 : 0)))
        .putLong(d.inputTokens).putLong(d.outputTokens).putLong(d.cacheReadTokens).putLong(d.cacheWrite5mTokens)
        .putLong(d.cacheWrite1hTokens).putLong(d.reasoningTokens).putLong(d.costNanos).array();
    Deserializer<UsageDelta> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      if (bytes.length != SIZE || bytes[0] != VERSION) {
        throw new SerializationException("not a usage delta of version " + VERSION + " on " + topic + " ("
            + bytes.length + " bytes, version " + (bytes.length == 0 ? "?" : bytes[0]) + ")");
      }
      ByteBuffer b = ByteBuffer.wrap(bytes, 1, SIZE - 1);
      long ts = b.getLong();
      byte flags = b.get();
      return new UsageDelta(ts, (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, b.getLong(), b.getLong(),
          b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getLong());
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
