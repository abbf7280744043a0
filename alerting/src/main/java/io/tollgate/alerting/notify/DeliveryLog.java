package io.tollgate.alerting.notify;

import java.time.Instant;
import java.util.Map;

/**
 * The durable record of deliveries ({@code alert id|channel}), read whole when partitions are
 * assigned: an intent written before each attempt ({@link #sending}), replaced by the outcome once
 * the channel answered, which is written before the alert's offset may be committed. Kafka's
 * compacted {@code tollgate.alert-deliveries.v1} in production ({@link KafkaDeliveryLog}).
 */
interface DeliveryLog extends AutoCloseable {
  /**
   * A delivery's last durable state: {@code finished} (delivered or dead-lettered), or only its
   * intent (a notifier died between writing it and recording the channel's answer: the channel may
   * or may not have the message); kept by {@link DeliveredSet#reference}.
   */
  record Entry(Instant keptBy, boolean finished) {
  }

  /** Every delivery finished or in flight when its notifier stopped. */
  Map<String, Entry> readAll();

  /**
   * Records that {@code key} is about to be sent (at {@code at}, kept by {@code reference}); blocks
   * until durable, so a notifier killed mid-call leaves a trace its successor reads.
   */
  void sending(String key, Instant at, Instant reference);

  /**
   * Records {@code key} as finished at {@code at} ({@code outcome}: delivered or dead_letter), kept
   * by {@code reference}; blocks until durable.
   */
  void record(String key, String outcome, Instant at, Instant reference);

  /** Forgets {@code key} (it aged out of the delivered set, or its attempt failed and will be retried). */
  void forget(String key);

  @Override
  void close();
}
