package io.tollgate.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.kafka.KafkaCluster;
import io.tollgate.local.kafka.KafkaProcess;
import io.tollgate.local.process.ChildJvm;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notifier's duplicate window, exactly: alerting as its own process ({@link Main}) is
 * SIGKILLed after Slack and the SMTP server have each <em>accepted</em> an alert (the Slack
 * webhook took the message, the SMTP server the whole {@code DATA}) but before either answered,
 * so the notifier never learnt the outcome. The restarted notifier finds the intent without an
 * outcome and sends the alert once more to each channel, marked: Slack's copy says "Possible
 * repeat", the email carries the first one's {@code Message-ID} and {@code X-Tollgate-Possible-Repeat}.
 * (That nothing is sent again once outcomes are recorded is {@code AlertingProcessIT}'s.) A broker
 * of its own: an alert this test leaves undelivered when it fails must not reach the notifiers of
 * the other ITs, which read the whole alerts topic of the shared broker.
 */
@Timeout(600) // two alerting JVM starts and a Streams restore after a SIGKILL: 190-230 s here when loaded
class NotifierKillIT {
  private static final long USD = 1_000_000_000L;

  @Test
  void killedAfterBothChannelsAcceptedButBeforeTheyAnsweredItSendsOnceMoreMarkedAsAPossibleRepeat(@TempDir Path dir)
      throws Exception {
    KafkaProcess kafka = new KafkaProcess(EmbeddedKafka.Options.in(dir.resolve("kafka"))).start();
    List<String> slackAccepted = new CopyOnWriteArrayList<>();
    CountDownLatch slackHolding = new CountDownLatch(1);
    CountDownLatch killed = new CountDownLatch(1);
    HttpServer slack = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    slack.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    slack.createContext("/hook", ex -> {
      slackAccepted.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)); // posted to the channel
      if (slackAccepted.size() == 1) {
        slackHolding.countDown(); // the answer is held: the notifier is killed before it learns the outcome
        await(killed);
      }
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    slack.start();
    HoldingSmtp smtp = new HoldingSmtp(killed);
    Path config = dir.resolve("tollgate.yaml");
    Files.writeString(config, """
        tollgate:
          alerts:
            slack: {webhook_url: http://127.0.0.1:%d/hook}
            email: {host: 127.0.0.1, port: %d, security: none, from: tollgate@example.com, to: [finops@example.com]}
            thresholds:
              - {id: daily-50, scope: customer, period: day, amount_usd: 50, channels: [slack, email]}
        """.formatted(slack.getAddress().getPort(), smtp.port()));
    String appId = "alerting-dup-" + UUID.randomUUID();
    List<String> cmd = new ArrayList<>(ChildJvm.javaCommand("384m"));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--bootstrap", kafka.bootstrapServers(), "--config", config.toString(), "--application-id", appId,
        "--state-dir", dir.resolve("state").toString(), "--metrics-port", Integer.toString(FreePorts.pick())));
    String customer = "dup-" + UUID.randomUUID().toString().substring(0, 8);
    Process process = null;
    try {
      process = start(cmd);
      Instant day = Instant.now().truncatedTo(ChronoUnit.DAYS);
      publishWindow(kafka, day, customer, 1, 30 * USD);
      publishWindow(kafka, day, customer, 2, 55 * USD); // crosses $50

      assertThat(slackHolding.await(90, TimeUnit.SECONDS)).as("Slack accepted the alert").isTrue();
      assertThat(smtp.holding.await(90, TimeUnit.SECONDS)).as("the SMTP server accepted the alert").isTrue();
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: both channels have it, no outcome recorded
      killed.countDown();

      process = start(cmd);
      waitUntil(() -> slackAccepted.size() >= 2 && smtp.messages.size() >= 2, 90);
      waitUntil(() -> committedToEnd(kafka, appId + "-notifier"), 60); // both outcomes recorded, offsets committed
      System.out.printf("NotifierKillIT: Slack messages %d, emails %d after one SIGKILL mid-delivery%n",
          slackAccepted.size(), smtp.messages.size());
      assertThat(slackAccepted).as("Slack: the accepted one and one repeat").hasSize(2);
      assertThat(slackAccepted.get(0)).contains(customer).doesNotContain("Possible repeat");
      assertThat(slackAccepted.get(1)).contains(customer, ":repeat: Possible repeat:");
      assertThat(smtp.messages).as("email: the accepted one and one repeat").hasSize(2);
      String firstId = header(smtp.messages.get(0), "Message-ID");
      assertThat(firstId).isNotBlank();
      assertThat(header(smtp.messages.get(1), "Message-ID")).as("same Message-ID: mailboxes can drop the repeat")
          .isEqualTo(firstId);
      assertThat(header(smtp.messages.get(0), "X-Tollgate-Possible-Repeat")).isEmpty();
      assertThat(header(smtp.messages.get(1), "X-Tollgate-Possible-Repeat")).isEqualTo("yes");

    } finally {
      if (process != null) {
        process.toHandle().destroy();
        process.waitFor(30, TimeUnit.SECONDS);
      }
      killed.countDown();
      slack.stop(0);
      smtp.close();
      kafka.stop();
    }
  }

  /** The notifier's group has committed every partition of the alerts topic up to its end (and the topic is not empty). */
  private static boolean committedToEnd(KafkaCluster kafka, String group) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      var parts = admin.describeTopics(List.of(Topics.ALERTS.name())).allTopicNames().get(10, TimeUnit.SECONDS)
          .get(Topics.ALERTS.name()).partitions();
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      parts.forEach(p -> latest.put(new TopicPartition(Topics.ALERTS.name(), p.partition()), OffsetSpec.latest()));
      var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
      long total = 0;
      for (var e : ends.entrySet()) {
        long end = e.getValue().offset();
        total += end;
        OffsetAndMetadata c = committed.get(e.getKey());
        if (end > 0 && (c == null || c.offset() < end)) {
          return false;
        }
      }
      return total > 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static String header(String message, String name) {
    Matcher m = Pattern.compile("(?mi)^" + Pattern.quote(name) + ":\\s*(.*)$").matcher(message);
    return m.find() ? m.group(1).strip() : "";
  }

  private static Process start(List<String> cmd) {
    // A restart after SIGKILL restores the exactly-once Streams state first: minutes on a loaded machine.
    return ChildJvm.start(cmd, Main.READY, Duration.ofSeconds(180), line -> System.out.println("[alerting] " + line))
        .process();
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
      latch.await(120, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void waitUntil(BooleanSupplier done, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within %d s", seconds).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /**
   * A minimal SMTP server that keeps every message it received and holds the reply to the first
   * {@code DATA} (the message is already its) until {@code release}: the notifier dies waiting.
   */
  private static final class HoldingSmtp implements AutoCloseable {
    final List<String> messages = new CopyOnWriteArrayList<>();
    final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch release;
    private final ServerSocket server;

    HoldingSmtp(CountDownLatch release) throws IOException {
      this.release = release;
      this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
      Thread accept = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            Thread t = new Thread(() -> serve(s), "fake-smtp-session");
            t.setDaemon(true);
            t.start();
          } catch (IOException e) {
            return; // closed
          }
        }
      }, "fake-smtp");
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return server.getLocalPort();
    }

    private void serve(Socket s) {
      try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
           OutputStream out = s.getOutputStream()) {
        reply(out, "220 fake ESMTP");
        for (String line; (line = in.readLine()) != null; ) {
          String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
          switch (verb) {
            case "EHLO", "HELO" -> reply(out, "250 fake");
            case "DATA" -> {
              reply(out, "354 end with <CRLF>.<CRLF>");
              StringBuilder msg = new StringBuilder();
              for (String l; (l = in.readLine()) != null && !l.equals("."); ) {
                msg.append(l).append('\n');
              }
              messages.add(msg.toString()); // the server has the message now
              if (messages.size() == 1) {
                holding.countDown();
                await(release);
              }
              reply(out, "250 queued");
            }
            case "QUIT" -> {
              reply(out, "221 bye");
              return;
            }
            default -> reply(out, "250 ok"); // MAIL, RCPT, RSET, NOOP
          }
        }
      } catch (IOException e) {
        // the client went away (killed)
      }
    }

    private static void reply(OutputStream out, String line) throws IOException {
      out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
