package io.tollgate.schemas.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that are not a readable Tollgate event. The message names the record type, where the
 * bytes came from (topic, partition, offset when known), their length and the reason, so a
 * poison record can be found and explained without a debugger.
 */
public final class EventDecodingException extends SerializationException {
  private static final long serialVersionUID = 1L;

  /** Partition or offset not known at the place of decoding. */
  public static final long UNKNOWN = -1;

  private final String recordType;
  private final String topic;
  private final int partition;
  private final long offset;

  EventDecodingException(String recordType, String topic, int partition, long offset, int length,
                         String reason, Throwable cause) {
    super(message(recordType, topic, partition, offset, length, reason), cause);
    this.recordType = recordType;
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
  }

  private static String message(String type, String topic, int partition, long offset, int length,
                                String reason) {
    String where = "topic " + (topic == null ? "(unknown)" : topic)
        + (partition < 0 ? "" : ", partition " + partition)
        + (offset < 0 ? ", offset unknown" : ", offset " + offset);
    return "cannot decode " + type + " from " + where + " (" + length + " bytes): " + reason;
  }

  public String recordType() {
    return recordType;
  }

  public String topic() {
    return topic;
  }

  public int partition() {
    return partition;
  }

  public long offset() {
    return offset;
  }
}
