package io.tollgate.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.tollgate.local.junit.ClickHouseExtension;
import io.tollgate.local.junit.ClickHouseTestDatabase;
import io.tollgate.local.junit.KafkaExtension;
import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.process.ChildJvm;
import io.tollgate.alerting.notify.EmailChannel;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerting as its own process ({@link Main}), killed with SIGKILL twice: while a Slack delivery is
 * in flight, and after everything was delivered. A customer crossing $50 still reaches Slack once
 * and email once, and the ClickHouse {@code alerts} table records the alert and both deliveries.
 */
@ExtendWith({KafkaExtension.class, ClickHouseExtension.class})
class AlertingProcessIT {
  private static final long USD = 1_000_000_000L;

  @Test
  void killedMidDeliveryAndAfterItStillDeliversEachAlertOncePerChannel(KafkaCluster kafka, ClickHouseTestDatabase db,
                                                                       @TempDir Path dir) throws Exception {
    AtomicInteger slackCalls = new AtomicInteger();
    List<String> slackAccepted = new CopyOnWriteArrayList<>();
    CountDownLatch firstCall = new CountDownLatch(1);
    CountDownLatch killed = new CountDownLatch(1);
    HttpServer slack = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    slack.createContext("/hook", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (slackCalls.incrementAndGet() == 1) {
        firstCall.countDown(); // the notifier now waits for this answer: kill it right here
        await(killed);
        ex.sendResponseHeaders(500, -1);
      } else {
        slackAccepted.add(body);
        ex.sendResponseHeaders(200, -1);
      }
      ex.close();
    });
    slack.start();
    GreenMail smtp = new GreenMail(new ServerSetup(FreePorts.pick(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    Path config = dir.resolve("tollgate.yaml");
    Files.writeString(config, """
        tollgate:
          alerts:
            slack: {webhook_url: http://127.0.0.1:%d/hook}
            email: {host: 127.0.0.1, port: %d, security: none, from: tollgate@example.com, to: [finops@example.com]}
            thresholds:
              - {id: daily-50, scope: customer, period: day, amount_usd: 50, channels: [slack, email]}
        """.formatted(slack.getAddress().getPort(), smtp.getSmtp().getPort()));
    List<String> cmd = new ArrayList<>(ChildJvm.javaCommand("384m"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--bootstrap", kafka.bootstrapServers(), "--config", config.toString(),
        "--clickhouse", db.settings().url(), "--database", db.database(),
        "--application-id", "alerting-kill-" + UUID.randomUUID(), "--state-dir", dir.resolve("state").toString(),
        "--metrics-port", Integer.toString(FreePorts.pick())));
    String customer = "kill-" + UUID.randomUUID().toString().substring(0, 8);
    Process process = null;
    try {
      process = start(cmd);
      Instant day = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS);
      publishWindow(kafka, day, customer, 1, 30 * USD);
      publishWindow(kafka, day, customer, 2, 55 * USD); // crosses $50

      assertThat(firstCall.await(60, TimeUnit.SECONDS)).as("Slack called").isTrue();
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9 while Slack has not answered
      killed.countDown();

      process = start(cmd);
      // Email runs on its own thread: the kill may have caught it between SMTP's answer and the
      // record of the delivery, and then the restart sends it again marked as a possible repeat
      // with the same Message-ID (docs/alerting.md). One message either way, never a second unmarked copy.
      waitUntil(() -> slackAccepted.size() == 1 && messageIds(smtp).size() == 1, 60);
      assertThat(slackAccepted).singleElement().satisfies(b -> assertThat(b).contains(customer).contains("$55.00"));
      waitUntil(() -> rows(db, customer, "delivered") == 2, 30);

      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9 with everything delivered
      publishWindow(kafka, day, customer, 2, 55 * USD); // a replay of the same window total, too
      process = start(cmd);
      Thread.sleep(5_000);
      assertThat(slackAccepted).as("Slack messages").hasSize(1);
      assertThat(smtp.getReceivedMessages()).as("emails").isNotEmpty();
      assertThat(unmarkedEmails(smtp)).as("emails not marked as a possible repeat").isLessThanOrEqualTo(1);
      assertThat(messageIds(smtp)).as("distinct Message-IDs among the emails (a mail system keeps one)").hasSize(1);
      assertThat(slackCalls.get()).as("one failed call, one delivered").isEqualTo(2);
      assertThat(rows(db, customer, "raised")).isEqualTo(1);
      assertThat(rows(db, customer, "failed")).as("the killed attempt never got an answer").isZero();
      assertThat(db.client().queryLong("SELECT sum(spend_nanos) FROM alerts FINAL WHERE scope_id = '" + customer
          + "' AND status = 'raised'")).isEqualTo(55 * USD);
    } finally {
      if (process != null) {
        process.toHandle().destroy();
        process.waitFor(30, TimeUnit.SECONDS);
      }
      killed.countDown();
      slack.stop(0);
      smtp.stop();
    }
  }

  private static Process start(List<String> cmd) {
    return ChildJvm.start(cmd, Main.READY, Duration.ofSeconds(60), line -> System.out.println("[alerting] " + line))
        .process();
  }

  private static long unmarkedEmails(GreenMail smtp) {
    return java.util.Arrays.stream(smtp.getReceivedMessages()).filter(m -> header(m, EmailChannel.REPEAT_HEADER) == null).count();
  }

  private static java.util.Set<String> messageIds(GreenMail smtp) {
    return java.util.Arrays.stream(smtp.getReceivedMessages()).map(m -> header(m, "Message-ID"))
        .collect(java.util.stream.Collectors.toSet());
  }

  private static String header(jakarta.mail.internet.MimeMessage m, String name) {
    try {
      String[] values = m.getHeader(name);
      return values == null ? null : values[0];
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long rows(ClickHouseTestDatabase db, String customer, String status) {
    return db.client().queryLong("SELECT count() FROM alerts FINAL WHERE scope_id = '" + customer + "' AND status = '"
        + status + "'");
  }

  private static void publishWindow(KafkaCluster kafka, Instant day, String customer, long version, long costNanos)
      throws Exception {
    SpendWindow w = SpendWindow.newBuilder().setWindowSize("1d").setWindowStart(day).setWindowEnd(day.plusSeconds(86_400))
        .setCustomerId(customer).setModel("claude-opus-4-1").setTool("claude-code").setRequests(version)
        .setCostNanos(costNanos).setVersion(version).setUpdatedAt(day.plusSeconds(version)).build();
    try (KafkaProducer<String, SpendWindow> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers(), "acks", "all"), new StringSerializer(), TollgateSerdes.spendWindow())) {
      producer.send(new ProducerRecord<>(Topics.SPEND_WINDOWS.name(), "1d|" + day + "|" + customer, w)).get(30, TimeUnit.SECONDS);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void waitUntil(BooleanSupplier done, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }
}
