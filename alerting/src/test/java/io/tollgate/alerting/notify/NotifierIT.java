package io.tollgate.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.schemas.Alert;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.schemas.metrics.Prometheus;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real local HTTP server plays the Slack webhook (500, then 429 with Retry-After, then 200) and
 * GreenMail a real SMTP server: one message and one email arrive, also after the notifier is
 * restarted and the alert replayed. A revoked webhook (404 {@code no_service}) is dead-lettered: email
 * and the offset commits carry on.
 */
@ExtendWith(KafkaExtension.class)
@Timeout(180)
class NotifierIT {

  @Test
  void eachAlertReachesEachChannelExactlyOnce(KafkaCluster kafka) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<String> accepted = new CopyOnWriteArrayList<>();
    HttpServer slack = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    slack.createContext("/services/T000/B000/secret", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int n = calls.incrementAndGet();
      int status = n == 1 ? 500 : n == 2 ? 429 : 200;
      if (status == 429) {
        ex.getResponseHeaders().set("Retry-After", "1");
      }
      if (status == 200) {
        accepted.add(body);
      }
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    slack.start();
    GreenMail smtp = new GreenMail(new ServerSetup(FreePorts.pick(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    try {
      URI webhook = URI.create("http://127.0.0.1:" + slack.getAddress().getPort() + "/services/T000/B000/secret");
      Map<String, Channel> channels = Map.of(
          "slack", new SlackChannel(webhook, "http://grafana.local/d/spend"),
          "email", new EmailChannel(new EmailChannel.Smtp("127.0.0.1", smtp.getSmtp().getPort(), "none", null, null,
              "tollgate@example.com", List.of("finops@example.com")), Map.of("daily-50", List.of("leads@example.com"))));
      String group = "notifier-" + UUID.randomUUID();
      Alert alert = alert("alert-" + UUID.randomUUID());
      publish(kafka, alert);

      runFor(kafka, group, channels, () -> accepted.size() == 1 && smtp.getReceivedMessages().length == 1, 30);
      assertThat(calls.get()).as("500, 429, 200").isEqualTo(3);
      assertThat(accepted).singleElement().satisfies(body -> assertThat(body)
          .contains("\"blocks\"").contains("customer `acme`").contains("$51.00").contains("$50.00")
          .contains("daily-50").contains("http://grafana.local/d/spend"));
      MimeMessage mail = smtp.getReceivedMessages()[0];
      assertThat(mail.getSubject()).contains("critical").contains("customer acme reached its day limit");
      assertThat(GreenMailUtil.getBody(mail)).contains("text/html").contains("Threshold: $50.00")
          .contains("top model: claude-opus-4-1");
      assertThat(mail.getAllRecipients()).extracting(Object::toString).containsExactly("leads@example.com");

      // A restart with the same alert replayed (as after a crash before commit): nothing is sent again.
      publish(kafka, alert);
      runFor(kafka, group, channels, () -> false, 6);
      runFor(kafka, "another-" + UUID.randomUUID(), channels, () -> false, 6); // even a new group re-reading everything
      assertThat(accepted).hasSize(1);
      assertThat(smtp.getReceivedMessages()).hasSize(1);
    } finally {
      slack.stop(0);
      smtp.stop();
    }
  }

  @Test
  void aRevokedSlackWebhookIsDeadLetteredWhileEmailAndTheCommitsCarryOn(KafkaCluster kafka) throws Exception {
    AtomicInteger slackCalls = new AtomicInteger();
    HttpServer slack = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    slack.createContext("/services/T000/B000/revoked", ex -> {
      ex.getRequestBody().readAllBytes();
      slackCalls.incrementAndGet();
      byte[] body = "no_service".getBytes(StandardCharsets.UTF_8); // what Slack answers for a revoked webhook
      ex.sendResponseHeaders(404, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    slack.start();
    GreenMail smtp = new GreenMail(new ServerSetup(FreePorts.pick(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    PrometheusRegistry registry = new PrometheusRegistry();
    try {
      URI webhook = URI.create("http://127.0.0.1:" + slack.getAddress().getPort() + "/services/T000/B000/revoked");
      Map<String, Channel> channels = Map.of("slack", new SlackChannel(webhook, null),
          "email", new EmailChannel(new EmailChannel.Smtp("127.0.0.1", smtp.getSmtp().getPort(), "none", null, null,
              "tollgate@example.com", List.of("finops@example.com"))));
      String group = "notifier-dead-" + UUID.randomUUID();
      Alert first = alert("alert-" + UUID.randomUUID());
      Alert second = alert("alert-" + UUID.randomUUID());
      publish(kafka, first);
      publish(kafka, second);
      long end = endOffset(kafka);

      runFor(kafka, group, channels, registry, () -> smtp.getReceivedMessages().length == 2 && committed(kafka, group) == end, 30);
      assertThat(smtp.getReceivedMessages()).as("email is not held up by Slack").hasSize(2);
      assertThat(committed(kafka, group)).as("offsets committed past the dead letters").isEqualTo(end);
      assertThat(slackCalls.get()).as("one call per alert: a 404 is not retried").isEqualTo(2);
      assertThat(Prometheus.scrape(registry))
          .contains("tollgate_alert_deliveries_total{channel=\"slack\",outcome=\"dead_letter\"} 2.0")
          .contains("tollgate_alert_deliveries_total{channel=\"email\",outcome=\"delivered\"} 2.0")
          .doesNotContain("revoked");

      // A new group re-reading the whole topic sends nothing again: dead letters are finished. Waiting
      // for its commit to reach the end proves it read (and finished) both alerts.
      String another = "another-" + UUID.randomUUID();
      runFor(kafka, another, channels, new PrometheusRegistry(), () -> committed(kafka, another) == endOffset(kafka), 60);
      assertThat(committed(kafka, another)).isEqualTo(endOffset(kafka));
      assertThat(slackCalls.get()).isEqualTo(2);
      assertThat(smtp.getReceivedMessages()).hasSize(2);
    } finally {
      slack.stop(0);
      smtp.stop();
    }
  }

  private static long endOffset(KafkaCluster kafka) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      TopicPartition tp = new TopicPartition(Topics.ALERTS.name(), 0);
      int partitions = admin.describeTopics(List.of(Topics.ALERTS.name())).allTopicNames().get(30, TimeUnit.SECONDS)
          .get(Topics.ALERTS.name()).partitions().size();
      long sum = 0;
      for (int p = 0; p < partitions; p++) {
        tp = new TopicPartition(Topics.ALERTS.name(), p);
        sum += admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
      }
      return sum;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The group's committed offsets summed over the alerts topic. */
  private static long committed(KafkaCluster kafka, String group) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS).values()
          .stream().filter(java.util.Objects::nonNull).mapToLong(OffsetAndMetadata::offset).sum();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void runFor(KafkaCluster kafka, String group, Map<String, Channel> channels,
                            java.util.function.BooleanSupplier done, int seconds) throws InterruptedException {
    runFor(kafka, group, channels, new PrometheusRegistry(), done, seconds);
  }

  /** Runs a notifier until {@code done} holds or {@code seconds} passed, then stops it. */
  private static void runFor(KafkaCluster kafka, String group, Map<String, Channel> channels, PrometheusRegistry registry,
                            java.util.function.BooleanSupplier done, int seconds) throws InterruptedException {
    Notifier notifier = new Notifier(kafka.bootstrapServers(), group, channels, Clock.systemUTC(),
        new AlertingMetrics(registry), AlertLog.NONE);
    Thread thread = new Thread(notifier, "notifier-under-test");
    thread.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    notifier.close();
    thread.join(10_000);
  }

  private static void publish(KafkaCluster kafka, Alert alert) throws Exception {
    try (KafkaProducer<String, Alert> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
        "acks", "all"), new StringSerializer(), TollgateSerdes.alert())) {
      producer.send(new ProducerRecord<>(Topics.ALERTS.name(), alert.getAlertId(), alert)).get(30, TimeUnit.SECONDS);
    }
  }

  private static Alert alert(String id) {
    Instant day = Instant.parse("2026-11-24T00:00:00Z");
    return Alert.newBuilder().setAlertId(id).setRuleId("daily-50").setKind("threshold").setSeverity("critical")
        .setScope("customer").setScopeId("acme").setPeriod("day").setWindowStart(day).setSpendNanos(51_000_000_000L)
        .setThresholdNanos(50_000_000_000L).setBaselineMeanNanos(null).setBaselineStddevNanos(null).setZScore(null)
        .setChannels(List.of("slack", "email")).setMessage("customer acme reached its day limit").setCreatedAt(day)
        .setDetails(Map.of("top_model", "claude-opus-4-1")).build();
  }
}
