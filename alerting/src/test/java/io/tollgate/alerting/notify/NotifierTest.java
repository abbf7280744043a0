package io.tollgate.alerting.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.schemas.Alert;
import io.tollgate.schemas.metrics.Prometheus;
import io.tollgate.schemas.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The notifier's delivery plan against Kafka's MockConsumer, with channels that fail as Slack and SMTP do. */
@Timeout(30)
class NotifierTest {
  private static final TopicPartition P0 = new TopicPartition(Topics.ALERTS.name(), 0);

  private final MockConsumer<String, Alert> consumer = new MockConsumer<>("earliest");
  private final MemoryDeliveryLog log = new MemoryDeliveryLog();
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final List<String> alertRows = new CopyOnWriteArrayList<>();

  @Test
  void aPermanentlyFailingChannelIsDeadLetteredAndHoldsUpNeitherTheOtherChannelNorTheCommits() {
    FakeChannel slack = new FakeChannel("slack", a -> Channel.Result.permanent("Slack answered HTTP 404 no_service"));
    FakeChannel email = new FakeChannel("email", a -> Channel.Result.ok());
    Notifier n = start(slack, email);
    add(0, alert("a1"), Instant.now());
    add(1, alert("a2"), Instant.now());

    pollUntil(n, () -> committed() == 2);
    assertThat(email.calls.get()).isEqualTo(2);
    assertThat(slack.calls.get()).as("a permanent failure is not retried").isEqualTo(2);
    assertThat(log.entries).containsOnlyKeys("a1|slack", "a1|email", "a2|slack", "a2|email");
    assertThat(log.entries.get("a1|slack")).isEqualTo("dead_letter");
    assertThat(alertRows).contains("a1|slack|dead_letter|1|Slack answered HTTP 404 no_service", "a2|email|delivered|1|");
    assertThat(Prometheus.scrape(registry))
        .contains("tollgate_alert_deliveries_total{channel=\"slack\",outcome=\"dead_letter\"} 2.0")
        .contains("tollgate_alert_deliveries_pending 0.0");

    add(2, alert("a1"), Instant.now()); // replayed: nothing is sent again, its offset is committed
    pollUntil(n, () -> committed() == 3);
    assertThat(slack.calls.get() + email.calls.get()).isEqualTo(4);
  }

  @Test
  void aHangingChannelDelaysOnlyItselfAndTheCommitWaitsForIt() throws Exception {
    CountDownLatch answer = new CountDownLatch(1);
    FakeChannel slack = new FakeChannel("slack", a -> {
      await(answer); // Slack takes its time (the real client gives up after 15 s)
      return Channel.Result.ok();
    });
    FakeChannel email = new FakeChannel("email", a -> Channel.Result.ok());
    Notifier n = start(slack, email);
    add(0, alert("a1"), Instant.now());

    pollUntil(n, () -> email.calls.get() == 1 && slack.calls.get() == 1);
    n.pollOnce(Duration.ZERO);
    assertThat(committed()).as("slack still in flight").isZero();
    assertThat(n.pendingCount()).isEqualTo(1);
    answer.countDown();
    pollUntil(n, () -> committed() == 1);
    assertThat(n.pendingCount()).isZero();
  }

  @Test
  void aRetryableFailureIsRetriedUntilDeliveredAndOnlyThenCommitted() {
    AtomicInteger n503 = new AtomicInteger(2);
    FakeChannel slack = new FakeChannel("slack", a -> n503.getAndDecrement() > 0
        ? SlackResponses.classify(503, "", Optional.empty()) : Channel.Result.ok());
    Notifier n = start(slack);
    add(0, alert("a1", "slack"), Instant.now());
    pollUntil(n, () -> slack.calls.get() == 1);
    assertThat(committed()).isZero();
    pollUntil(n, () -> committed() == 1);
    assertThat(slack.calls.get()).isEqualTo(3);
    assertThat(log.entries).containsEntry("a1|slack", "delivered");
  }

  @Test
  void eachAttemptRecordsItsIntentFirstAndAFailedAttemptForgetsIt() {
    AtomicInteger n503 = new AtomicInteger(1);
    FakeChannel slack = new FakeChannel("slack", a -> {
      assertThat(log.entries).as("the intent is durable before the call").containsEntry("a1|slack", "sending");
      return n503.getAndDecrement() > 0 ? SlackResponses.classify(503, "", Optional.empty()) : Channel.Result.ok();
    });
    Notifier n = start(slack);
    add(0, alert("a1", "slack"), Instant.now());
    pollUntil(n, () -> committed() == 1);
    assertThat(log.writes).containsExactly("a1|slack sending", "a1|slack forgotten", "a1|slack sending",
        "a1|slack delivered");
    assertThat(slack.repeats).containsExactly(false, false);
  }

  @Test
  void aDeliveryAKilledNotifierLeftInFlightIsSentAgainAsAPossibleRepeatAndAFinishedOneIsNot() {
    log.entries.put("a1|slack", KafkaDeliveryLog.SENDING); // the previous notifier died during this call
    log.entries.put("a1|email", "delivered"); // ... and after recording this one
    FakeChannel slack = new FakeChannel("slack", a -> Channel.Result.ok());
    FakeChannel email = new FakeChannel("email", a -> Channel.Result.ok());
    Notifier n = start(slack, email);
    add(0, alert("a1"), Instant.now());
    add(1, alert("a2"), Instant.now());
    pollUntil(n, () -> committed() == 2);
    assertThat(email.calls.get()).as("a2 only").isEqualTo(1);
    assertThat(email.repeats).containsExactly(false);
    assertThat(slack.repeats).as("a1 marked, a2 not").containsExactlyInAnyOrder(true, false);
    assertThat(log.entries).containsEntry("a1|slack", "delivered");
    assertThat(Prometheus.scrape(registry)).contains("tollgate_alert_possible_repeats_total{channel=\"slack\"} 1.0")
        .doesNotContain("tollgate_alert_possible_repeats_total{channel=\"email\"}");
    assertThat(KafkaDeliveryLog.entry("2026-12-03T10:00:05Z sending 2027-01-01T00:00:00Z", Instant.EPOCH))
        .isEqualTo(new DeliveryLog.Entry(Instant.parse("2027-01-01T00:00:00Z"), false));
    assertThat(KafkaDeliveryLog.entry("2026-12-03T10:00:05Z delivered 2027-01-01T00:00:00Z", Instant.EPOCH).finished())
        .isTrue();
    assertThat(KafkaDeliveryLog.entry("2026-12-03T10:00:05Z", Instant.EPOCH).finished()).as("an older notifier's").isTrue();
  }

  @Test
  void anAlertAboutAPeriodThatEndedMoreThanAWeekAgoIsNotSentButCommitted() {
    FakeChannel email = new FakeChannel("email", a -> Channel.Result.ok());
    Notifier n = start(email);
    Alert old = Alert.newBuilder(alert("old", "email"))
        .setWindowStart(Instant.now().minus(Duration.ofDays(9)).truncatedTo(java.time.temporal.ChronoUnit.DAYS)).build();
    add(0, old, Instant.now().minus(Duration.ofDays(8)));
    pollUntil(n, () -> committed() == 1);
    assertThat(email.calls.get()).isZero();
    assertThat(Prometheus.scrape(registry)).contains("tollgate_alert_deliveries_total{channel=\"email\",outcome=\"expired\"} 1.0");
  }

  @Test
  void aDeliveryIsKeptByTheEndOfItsAlertsPeriodSoItIsNeverForgottenWhileTheAlertCanStillBeSent() {
    Alert month = Alert.newBuilder(alert("m", "email")).setPeriod("month")
        .setWindowStart(Instant.parse("2026-12-01T00:00:00Z")).build();
    long written = Instant.parse("2026-12-03T10:00:00Z").toEpochMilli();
    assertThat(DeliveredSet.reference(month, written)).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    Alert day = Alert.newBuilder(month).setPeriod("day").build();
    assertThat(DeliveredSet.reference(day, written)).isEqualTo(Instant.ofEpochMilli(written));
    assertThat(KafkaDeliveryLog.keptBy("2026-12-03T10:00:05Z delivered 2027-01-01T00:00:00Z", Instant.EPOCH))
        .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(KafkaDeliveryLog.keptBy("2026-12-03T10:00:05Z", Instant.EPOCH)).as("written by an older notifier")
        .isEqualTo(Instant.parse("2027-01-04T10:00:05Z"));
  }

  private Notifier start(FakeChannel... channels) {
    Map<String, Channel> byName = new java.util.HashMap<>();
    for (FakeChannel c : channels) {
      byName.put(c.name(), c);
    }
    AlertLog rows = new AlertLog() {
      @Override
      public void raised(Alert alert) {
      }

      @Override
      public void outcome(Alert alert, String channel, String status, int attempts, String error) {
        alertRows.add(alert.getAlertId() + "|" + channel + "|" + status + "|" + attempts + "|" + (error == null ? "" : error));
      }

      @Override
      public void close() {
      }
    };
    Notifier n = new Notifier(consumer, log, byName, Clock.systemUTC(), new AlertingMetrics(registry), rows,
        RetryPolicy.defaults());
    n.subscribe();
    consumer.rebalance(List.of(P0));
    consumer.updateBeginningOffsets(Map.of(P0, 0L));
    consumer.updateEndOffsets(Map.of(P0, 0L));
    return n;
  }

  private void add(long offset, Alert alert, Instant written) {
    consumer.addRecord(new ConsumerRecord<>(P0.topic(), P0.partition(), offset, written.toEpochMilli(),
        TimestampType.CREATE_TIME, -1, -1, alert.getAlertId(), alert, new RecordHeaders(), Optional.empty()));
  }

  private long committed() {
    OffsetAndMetadata o = consumer.committed(Set.of(P0)).get(P0);
    return o == null ? 0 : o.offset();
  }

  /** Drives the notifier's loop (MockConsumer's poll never waits) until {@code done}, failing after 20 s. */
  private static void pollUntil(Notifier n, BooleanSupplier done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!done.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(deadline);
      n.pollOnce(Duration.ZERO);
      try {
        Thread.sleep(5); // pacing the loop, as the real poll's timeout does
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Alert alert(String id, String... channels) {
    Instant day = Instant.parse("2026-11-24T00:00:00Z");
    return Alert.newBuilder().setAlertId(id).setRuleId("daily-50").setKind("threshold").setSeverity("critical")
        .setScope("customer").setScopeId("acme").setPeriod("day").setWindowStart(day).setSpendNanos(51_000_000_000L)
        .setThresholdNanos(50_000_000_000L).setBaselineMeanNanos(null).setBaselineStddevNanos(null).setZScore(null)
        .setChannels(channels.length == 0 ? List.of("slack", "email") : List.of(channels))
        .setMessage("customer acme reached its day limit").setCreatedAt(day).setDetails(Map.of()).build();
  }

  private static final class FakeChannel implements Channel {
    private final String name;
    private final java.util.function.Function<Alert, Result> answer;
    final AtomicInteger calls = new AtomicInteger();
    final List<Boolean> repeats = new CopyOnWriteArrayList<>();

    FakeChannel(String name, java.util.function.Function<Alert, Result> answer) {
      this.name = name;
      this.answer = answer;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Result deliver(Alert alert) {
      return deliver(alert, false);
    }

    @Override
    public Result deliver(Alert alert, boolean possibleRepeat) {
      calls.incrementAndGet();
      repeats.add(possibleRepeat);
      return answer.apply(alert);
    }
  }

  private static final class MemoryDeliveryLog implements DeliveryLog {
    final Map<String, String> entries = new ConcurrentHashMap<>();
    final List<String> writes = new CopyOnWriteArrayList<>();

    @Override
    public Map<String, Entry> readAll() {
      Map<String, Entry> out = new java.util.HashMap<>();
      Instant keep = Instant.now().plus(Duration.ofDays(1));
      entries.forEach((k, v) -> out.put(k, new Entry(keep, !v.equals(KafkaDeliveryLog.SENDING))));
      return out;
    }

    @Override
    public void sending(String key, Instant at, Instant reference) {
      entries.put(key, KafkaDeliveryLog.SENDING);
      writes.add(key + " sending");
    }

    @Override
    public void record(String key, String outcome, Instant at, Instant reference) {
      entries.put(key, outcome);
      writes.add(key + " " + outcome);
    }

    @Override
    public void forget(String key) {
      entries.remove(key);
      writes.add(key + " forgotten");
    }

    @Override
    public void close() {
    }
  }
}
