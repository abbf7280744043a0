package io.tollgate.ingress.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tollgate.local.kafka.BrokerTls;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.tls.SelfSignedCertificate;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.kafka.KafkaClientProperties;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.TopicSetup;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The gateway's usage producer and the apps' topic setup against a real broker that speaks SSL and
 * SASL_SSL (a certificate {@code keytool} makes for this run): with the properties they connect,
 * without them (or with a wrong password) they do not, and no password reaches a log line.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KafkaSslPublishIT {
  private static final String SASL_PASSWORD = "sasl-" + UUID.randomUUID();
  @TempDir
  static Path dir;
  private static SelfSignedCertificate cert;
  private static BrokerTls tls;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws Exception {
    cert = SelfSignedCertificate.generate(dir.resolve("tls"));
    tls = new BrokerTls(cert, Map.of("gateway", SASL_PASSWORD));
    kafka = EmbeddedKafka.start(EmbeddedKafka.Options.in(dir.resolve("kafka")).withTls(tls));
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void theUsageProducerPublishesOverSsl() throws Exception {
    assertThat(publishAndReadBack(kafka.sslBootstrapServers(), cert.kafkaSslClient(), 5)).isTrue();
  }

  @Test
  void theUsageProducerPublishesOverSaslSslAndNoPasswordIsLogged() throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger kafkaLogs = (Logger) LoggerFactory.getLogger("org.apache.kafka");
    Level before = kafkaLogs.getLevel();
    kafkaLogs.setLevel(Level.INFO); // Kafka's "ProducerConfig values:" dump, which must mask the JAAS config
    root.addAppender(logs);
    try {
      assertThat(publishAndReadBack(kafka.saslSslBootstrapServers(), tls.saslSslClient("gateway", SASL_PASSWORD), 3))
          .isTrue();
    } finally {
      root.detachAppender(logs);
      kafkaLogs.setLevel(before);
    }
    assertThat(logs.list).as("log lines").isNotEmpty()
        .anyMatch(e -> e.getFormattedMessage().contains("sasl.jaas.config = [hidden]"))
        .anyMatch(e -> e.getFormattedMessage().contains("extra Kafka properties: [sasl.jaas.config"))
        .noneMatch(e -> e.getFormattedMessage().contains(SASL_PASSWORD))
        .noneMatch(e -> e.getFormattedMessage().contains(cert.password()));
  }

  @Test
  void withoutTheSecurityPropertiesEventsAreSpilledNotSent() throws Exception {
    // Plaintext to the SSL port, SSL without the trust store, SASL with a wrong password.
    List<Map<String, String>> wrong = List.of(Map.of(),
        Map.of("security.protocol", "SSL"),
        tls.saslSslClient("gateway", "not-the-password"));
    List<String> bootstraps = List.of(kafka.sslBootstrapServers(), kafka.sslBootstrapServers(),
        kafka.saslSslBootstrapServers());
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < wrong.size(); i++) {
      Path spill = Files.createTempDirectory(dir, "spill");
      try (KafkaUsagePublisher publisher = new KafkaUsagePublisher(bootstraps.get(i), spill, "gw-wrong-" + i,
          PublishMetrics.NONE, wrong.get(i))) {
        String id = "wrong-" + i + "-" + UUID.randomUUID();
        ids.add(id);
        publisher.publish(event(id));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (publisher.spilledPending() == 0 && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(publisher.spilledPending()).as("spilled with settings #" + i).isPositive();
      }
    }
    assertThat(readBack(kafka.sslBootstrapServers(), cert.kafkaSslClient(), ids, true))
        .as("events that reached the topic").doesNotContainAnyElementsOf(ids);
  }

  @Test
  void theTopicSetupsAdminClientTakesTheSameProperties() {
    assertThat(TopicSetup.ensure(kafka.sslBootstrapServers(), Duration.ofSeconds(20), cert.kafkaSslClient()))
        .as("topics exist already").isEmpty();
    assertThatThrownBy(() -> TopicSetup.ensure(kafka.sslBootstrapServers(), Duration.ofSeconds(5),
        Map.of("security.protocol", "SSL"))).isInstanceOf(IllegalStateException.class);
  }

  /**
   * Publishes {@code n} events and reads them back over SSL while the publisher is open (an event
   * spilled because the first connection took longer than {@code max.block.ms} is replayed by then).
   */
  private static boolean publishAndReadBack(String bootstrap, Map<String, String> kafkaProperties, int n)
      throws Exception {
    Set<String> ids = new HashSet<>();
    Path spill = Files.createTempDirectory(dir, "spill");
    try (KafkaUsagePublisher publisher = new KafkaUsagePublisher(bootstrap, spill, "gw-ssl", PublishMetrics.NONE,
        kafkaProperties)) {
      for (int i = 0; i < n; i++) {
        String id = UUID.randomUUID().toString();
        ids.add(id);
        publisher.publish(event(id));
      }
      Set<String> seen = readBack(kafka.sslBootstrapServers(), cert.kafkaSslClient(), ids, false);
      assertThat(seen).containsAll(ids);
      assertThat(publisher.spilledPending()).isZero();
      return true;
    }
  }

  /**
   * Reads the usage topic from the start over the given properties, by assignment (no group):
   * until every wanted id was seen, or — when {@code toEnd} — until the end offsets of the start.
   */
  private static Set<String> readBack(String bootstrap, Map<String, String> kafkaProperties, Set<String> wanted,
                                      boolean toEnd) {
    Map<String, Object> config = KafkaClientProperties.merge("test consumer", Map.of(), kafkaProperties, Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
    Set<String> seen = new HashSet<>();
    try (KafkaConsumer<String, UsageEvent> consumer = new KafkaConsumer<>(new HashMap<>(config),
        new StringDeserializer(), TollgateSerdes.usageEvent())) {
      List<TopicPartition> parts = consumer.partitionsFor(Topics.USAGE.name(), Duration.ofSeconds(30)).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!seen.containsAll(wanted) && System.nanoTime() < deadline
          && !(toEnd && parts.stream().allMatch(p -> consumer.position(p) >= end.get(p)))) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value().getEventId()));
      }
    }
    return seen;
  }

  private static UsageEvent event(String id) {
    return UsageEvent.newBuilder()
        .setEventId(id).setTs(Instant.now()).setDurationMs(100).setTtftMs(null).setGatewayId("gw-ssl")
        .setKeyHash("ab").setKeyAlias(null).setCustomerId("acme").setCustomerSource("header_customer_id")
        .setTool("curl").setToolVersion("8").setUserAgent("curl/8").setSessionId(null)
        .setProvider("openai").setApi("chat").setModelRequested("gpt-5").setModel("gpt-5")
        .setStatusCode(200).setErrorType(null).setStreamed(false).setAborted(false)
        .setInputTokens(10).setOutputTokens(2).setCacheReadTokens(0).setCacheWrite5mTokens(0)
        .setCacheWrite1hTokens(0).setReasoningTokens(0).setCostNanos(1_000L).setPriceKnown(true)
        .setUpstreamRequestId("req").setTags(Map.of())
        .build();
  }
}
