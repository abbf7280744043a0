package io.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.kafka.EmbeddedKafka;
import io.tollgate.local.kafka.KafkaProcess;
import io.tollgate.local.mock.MockProvider;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No answered call goes unbilled when the gateway dies: the gateway runs as its own JVM and is
 * killed at fixed points — right after a client received its last byte, between the fsync and
 * Kafka's acknowledgement, and with SIGKILL while the broker is frozen (SIGSTOP) — then a new
 * gateway starts on the same spill directory. Every call the client-side {@link Ledger} counts as
 * answered must reach Kafka; duplicates are allowed (the aggregator deduplicates by event id) and
 * reported.
 */
@Timeout(300)
class GatewayKillIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Duration ARRIVAL = Duration.ofSeconds(60);
  private static Path dir;
  private static KafkaProcess kafka;
  private static MockProvider mock;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("gateway-kill-it");
    kafka = new KafkaProcess(EmbeddedKafka.Options.in(dir.resolve("kafka"))).start();
    mock = MockProvider.start(0);
  }

  @AfterAll
  static void stop() {
    if (mock != null) {
      mock.close();
    }
    if (kafka != null) {
      signalKafka("CONT"); // never leave a frozen broker behind
      kafka.stop();
    }
  }

  @Test
  void haltedRightAfterAClientReceivedItsLastByte() throws Exception {
    Path spill = dir.resolve("spill-last-byte");
    Ledger ledger = new Ledger();
    // The producer lingers 300 ms, so the last calls' events cannot have reached Kafka before the
    // halt, however fast the broker: they must come from the hand-off log after the restart.
    try (GatewayChild gateway = GatewayChild.start(dir, mock.baseUrl(), kafka.bootstrapServers(),
        "{linger.ms: \"300\"}", spill, "-Dtollgate.test.halt_after_responses=150")) {
      ledger.load(gateway::port, 8, 400, "kill-last-byte");
      assertThat(gateway.awaitExit(Duration.ofSeconds(30))).as(gateway.tail()).isEqualTo(137);
    }
    // The halt comes at the 150th response of the process, the warm-up's own few calls included.
    assertThat(ledger.answered()).hasSizeGreaterThanOrEqualTo(140);
    assertEveryAnsweredCallArrives("halt after the last byte", spill, ledger);
  }

  @Test
  void haltedBetweenTheFsyncAndKafkasAcknowledgement() throws Exception {
    Path spill = dir.resolve("spill-unacked");
    Ledger ledger = new Ledger();
    try (GatewayChild gateway = GatewayChild.start(dir, mock.baseUrl(), kafka.bootstrapServers(), spill,
        "-Dtollgate.test.hold_after_records=100")) {
      ledger.load(gateway::port, 8, 400, "kill-unacked");
      assertThat(gateway.awaitExit(Duration.ofSeconds(30))).as(gateway.tail()).isEqualTo(137);
      assertThat(gateway.output()).anySatisfy(l -> assertThat(l).contains("TOLLGATE-KILL-POINT").contains("sender held"));
    }
    // About 100: responses complete on the event loops a little after their records are durable,
    // so the halt may come just before the last few of the first hundred reached their clients.
    assertThat(ledger.answered()).hasSizeGreaterThanOrEqualTo(90);
    double replayed = assertEveryAnsweredCallArrives("halt between fsync and ack", spill, ledger);
    assertThat(replayed).as("events that only the log had, sent by the next gateway").isPositive();
  }

  @Test
  void killedWhileTheBrokerIsFrozen() throws Exception {
    Path spill = dir.resolve("spill-frozen");
    Ledger ledger = new Ledger();
    GatewayChild gateway = GatewayChild.start(dir, mock.baseUrl(), kafka.bootstrapServers(), spill);
    try {
      long t0 = System.nanoTime();
      ledger.load(gateway::port, 8, 100, "kill-frozen");
      long healthyMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(signalKafka("STOP")).as("the Kafka child was found and frozen").isEqualTo(1);
      long frozenAt = System.nanoTime();
      ledger.load(gateway::port, 8, 200, "kill-frozen");
      System.out.println("[GatewayKillIT] 100 calls with Kafka healthy: " + healthyMs + " ms; 200 with it frozen: "
          + (System.nanoTime() - frozenAt) / 1_000_000 + " ms");
      // A few seconds of frozen broker: the producer's requests hang, nothing is acknowledged.
      while (System.nanoTime() - frozenAt < Duration.ofSeconds(3).toNanos()) {
        ledger.load(gateway::port, 2, 10, "kill-frozen");
      }
      assertThat(ledger.answered()).as("the gateway answers while the broker is frozen").hasSizeGreaterThanOrEqualTo(300);
      gateway.kill();
    } finally {
      gateway.close();
      signalKafka("CONT");
    }
    assertEveryAnsweredCallArrives("SIGKILL during a frozen broker", spill, ledger);
  }

  /** Starts a new gateway on {@code spill} and asserts every answered call reaches the topic; its replayed count. */
  private static double assertEveryAnsweredCallArrives(String scenario, Path spill, Ledger ledger) throws Exception {
    try (GatewayChild next = GatewayChild.start(dir, mock.baseUrl(), kafka.bootstrapServers(), spill)) {
      Map<String, Integer> topic = ledger.onTopic(kafka.bootstrapServers(), ARRIVAL);
      System.out.println("[GatewayKillIT] " + ledger.report(scenario, topic));
      Set<String> lost = ledger.answered().stream().filter(id -> !topic.containsKey(id)).collect(Collectors.toSet());
      assertThat(lost).as("answered calls whose event never reached Kafka (" + scenario + ")\n" + next.tail()).isEmpty();
      return next.metric(HTTP, "tollgate_usage_events_total{outcome=\"replayed\"}");
    }
  }

  /** The process's whole command line (ProcessHandle.Info truncates long ones, such as a JVM with a classpath). */
  private static String commandLine(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
          java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /** Sends SIGSTOP / SIGCONT to the Kafka child process (found among this JVM's children by its data dir). */
  private static long signalKafka(String signal) {
    String marker = dir.resolve("kafka").toString();
    return ProcessHandle.current().children()
        .filter(p -> {
          String c = commandLine(p.pid());
          return c.contains(EmbeddedKafka.class.getName()) && c.contains(marker);
        })
        .peek(p -> {
          try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
            if (!kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
              throw new AssertionError("kill -" + signal + " " + p.pid() + " failed");
            }
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }).count();
  }
}
