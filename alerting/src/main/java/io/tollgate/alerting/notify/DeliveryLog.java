package io.tollgate.alerting.notify;

import java.time.Instant;
import java.util.Map;

/**
 * The durable record of finished deliveries ({@code alert id|channel}), read whole when partitions
 * are assigned and written before the alert's offset may be committed. Kafka's compacted
 * {@code tollgate.alert-deliveries.v1} in production ({@link KafkaDeliveryLog}).
 */
interface DeliveryLog extends AutoCloseable {
  /** Every finished delivery and the time it is kept by ({@link DeliveredSet#reference}). */
  Map<String, Instant> readAll();

  /**
   * Records {@code key} as finished at {@code at} ({@code outcome}: delivered or dead_letter), kept
   * by {@code reference}; blocks until durable.
   */
  void record(String key, String outcome, Instant at, Instant reference);

  /** Forgets {@code key} (it aged out of the delivered set). */
  void forget(String key);

  @Override
  void close();
}
