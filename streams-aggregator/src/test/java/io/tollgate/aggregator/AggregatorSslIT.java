package io.tollgate.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.kafka.BrokerTls;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.tls.SelfSignedCertificate;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregator with nothing but a broker's SSL listener and the Kafka properties that trust its
 * certificate (made by {@code keytool} for this run): Streams (exactly-once: consumers, the
 * transactional producer, the admin client), the topic setup and the ClickHouse sink's consumer
 * all connect, and the totals land in ClickHouse exactly. Events are produced on the broker's
 * plaintext listener, so only the aggregator's own clients use SSL.
 */
@ExtendWith(ClickHouseExtension.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AggregatorSslIT {

  @Test
  void streamsAndTheSinkWorkOverSsl(@TempDir Path dir, ClickHouseTestDatabase db) throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.generate(dir.resolve("tls"));
    try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka"))
        .withTls(new BrokerTls(cert, Map.of())))) {
      UsageLoad load = new UsageLoad(7, 300, 600_000L, "ssl");
      try (AggregatorApp app = AggregatorApp.start(kafka.sslBootstrapServers(), "agg-ssl-" + UUID.randomUUID(),
          dir.resolve("state"), db.client(), cert.kafkaSslClient(), new io.tollgate.schemas.metrics.MetricsRegistry())) {
        // Produced once the app has created the topics: an idempotent producer racing the first
        // leader election of a brand-new broker can retry OUT_OF_ORDER_SEQUENCE for minutes.
        load.produce(kafka.bootstrapServers(), 0, load.events.size());
        AggregatorIT.assertExact(db.client(), load, "ssl");
        assertThat(app.healthy()).isTrue();
      }
    }
  }
}
