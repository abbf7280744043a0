package io.tollgate.alerting.notify;

import io.tollgate.schemas.Alert;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.topics.StreamsDefaults;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The notifier's consumer of the alerts topic. */
final class NotifierConsumer {
  /**
   * {@link StreamsDefaults#MAX_POLL_INTERVAL_MS}: the poll loop never blocks on a channel
   * (deliveries run on their own threads); the longest it waits is handing over partitions on a
   * rebalance, up to 30 s for calls in flight.
   */
  static final int MAX_POLL_INTERVAL_MS = StreamsDefaults.MAX_POLL_INTERVAL_MS;

  private NotifierConsumer() {
  }

  static KafkaConsumer<String, Alert> create(String bootstrap, String groupId, AvroSerde<Alert> alertSerde) {
    return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.GROUP_ID_CONFIG, groupId, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, StreamsDefaults.SESSION_TIMEOUT_MS,
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, StreamsDefaults.HEARTBEAT_INTERVAL_MS,
        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, MAX_POLL_INTERVAL_MS), new StringDeserializer(), alertSerde);
  }
}
