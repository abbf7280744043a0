package io.tollgate.alerting.notify;

import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.topics.StreamsDefaults;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The configurations of the notifier's three Kafka clients. The operator's properties (those each
 * client type knows) win over the tuning defaults; what once-only delivery depends on is the
 * notifier's own and another value is refused: an idempotent {@code acks=all} producer for the
 * delivery log, a {@code read_committed} consumer that commits by hand in its own group from the
 * earliest offset, and a group-less reader of the delivery log. A {@code client.id} gets a suffix
 * per client, so the three (and Streams' clients under the same id) stay apart in broker metrics.
 */
final class NotifierKafka {
  /**
   * {@link StreamsDefaults#MAX_POLL_INTERVAL_MS}: the poll loop never blocks on a channel
   * (deliveries run on their own threads); the longest it waits is handing over partitions on a
   * rebalance, up to 30 s for calls in flight.
   */
  static final int MAX_POLL_INTERVAL_MS = StreamsDefaults.MAX_POLL_INTERVAL_MS;

  private NotifierKafka() {
  }

  static Map<String, Object> producer(String bootstrap, Map<String, String> kafka) {
    // No linger: every record is one synchronous write (an intent before a channel call, an outcome
    // after it) and the 5 ms default would widen the window in which a killed notifier repeats a message.
    return KafkaClientProperties.merge("the notifier's delivery-log producer", Map.of(ProducerConfig.LINGER_MS_CONFIG, 0),
        named(KafkaClientProperties.known(kafka, ProducerConfig.configNames()), "-notifier-log"), Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
  }

  static Map<String, Object> alertsConsumer(String bootstrap, String groupId, Map<String, String> kafka) {
    return KafkaClientProperties.merge("the notifier's alert consumer", Map.of(
            ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, MAX_POLL_INTERVAL_MS,
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, StreamsDefaults.SESSION_TIMEOUT_MS,
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, StreamsDefaults.HEARTBEAT_INTERVAL_MS),
        named(KafkaClientProperties.known(kafka, ConsumerConfig.configNames()), "-notifier"), Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG, groupId,
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
  }

  /** Reads the whole delivery log by assignment: no group, so a {@code group.id} is not passed on. */
  static Map<String, Object> deliveriesReader(String bootstrap, Map<String, String> kafka) {
    Map<String, String> known = named(KafkaClientProperties.known(kafka, ConsumerConfig.configNames()),
        "-notifier-deliveries");
    known.remove(ConsumerConfig.GROUP_ID_CONFIG); // refused by alertsConsumer already, if it differs
    known.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    return KafkaClientProperties.merge("the notifier's delivery-log reader", Map.of(), known, Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
  }

  private static Map<String, String> named(Map<String, String> kafka, String suffix) {
    Map<String, String> copy = new HashMap<>(kafka);
    copy.computeIfPresent(ConsumerConfig.CLIENT_ID_CONFIG, (k, id) -> id + suffix);
    return copy;
  }
}
