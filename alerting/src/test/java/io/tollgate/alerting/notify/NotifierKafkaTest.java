package io.tollgate.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the alerting's Kafka properties change in the notifier's clients (docs/security.md). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NotifierKafkaTest {
  private static final Map<String, String> SSL = Map.of("security.protocol", "SSL",
      "ssl.truststore.location", "/t.p12", "client.id", "alerting-a", "num.standby.replicas", "1");

  @Test
  void everyClientGetsTheSecuritySettingsItKnowsAndAClientIdOfItsOwn() {
    Map<String, Object> producer = NotifierKafka.producer("k:9093", SSL);
    Map<String, Object> consumer = NotifierKafka.alertsConsumer("k:9093", "alerting-notifier", SSL);
    Map<String, Object> reader = NotifierKafka.deliveriesReader("k:9093", SSL);
    for (Map<String, Object> c : java.util.List.of(producer, consumer, reader)) {
      assertThat(c).containsEntry("security.protocol", "SSL").containsEntry("ssl.truststore.location", "/t.p12")
          .doesNotContainKey("num.standby.replicas").containsEntry("bootstrap.servers", "k:9093");
    }
    assertThat(producer).containsEntry("client.id", "alerting-a-notifier-log").containsEntry("acks", "all")
        .containsEntry("enable.idempotence", true);
    assertThat(consumer).containsEntry("client.id", "alerting-a-notifier").containsEntry("group.id", "alerting-notifier")
        .containsEntry("isolation.level", "read_committed").containsEntry("enable.auto.commit", false);
    assertThat(reader).containsEntry("client.id", "alerting-a-notifier-deliveries").doesNotContainKey("group.id");
  }

  @Test
  void weakeningOnceOnlyDeliveryIsRefused() {
    assertThatThrownBy(() -> new Notifier("k:9093", "g", Map.of("enable.idempotence", "false"), Map.of(),
        java.time.Clock.systemUTC(), null, AlertLog.NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enable.idempotence");
    assertThatThrownBy(() -> NotifierKafka.alertsConsumer("k:9093", "g", Map.of("group.id", "other")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group.id");
  }
}
