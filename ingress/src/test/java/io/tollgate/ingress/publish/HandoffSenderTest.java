package io.tollgate.ingress.publish;

import static io.tollgate.ingress.publish.HandoffLogTest.value;
import static io.tollgate.ingress.publish.HandoffLogTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The sender over Kafka's own {@link MockProducer}: acks truncate, failures rewind, restarts resend, memory is bounded. */
@Timeout(60)
class HandoffSenderTest {
  private static final String TOPIC = "t";
  @TempDir
  Path dir;

  private static MockProducer<String, byte[]> producer(boolean autoComplete) {
    return new MockProducer<>(autoComplete, null, new StringSerializer(), new ByteArraySerializer());
  }

  /** A log and its sender, wired as the publisher wires them. */
  private record Wired(HandoffLog log, HandoffSender sender, Counting metrics) implements AutoCloseable {
    static Wired open(Path dir, HandoffOptions options, MockProducer<String, byte[]> producer) {
      return open(dir, options, producer, HandoffSender.IDLE_WAIT_MS);
    }

    static Wired open(Path dir, HandoffOptions options, MockProducer<String, byte[]> producer, long idleWaitMs) {
      HandoffLog log = new HandoffLog(dir, options);
      Counting metrics = new Counting();
      HandoffSender sender = new HandoffSender(log, producer, TOPIC, new DeadLetterFile(dir), metrics,
          options.memoryBytes(), log.durableEnd(), idleWaitMs);
      log.start(sender::offer);
      sender.start();
      return new Wired(log, sender, metrics);
    }

    void append(int from, int to, int size) throws Exception {
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (int i = from; i < to; i++) {
        all.add(log.append("k" + i, value(i, size)));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      sender.close();
      log.close();
    }
  }

  @Test
  void acknowledgedRecordsAreTruncatedAndARestartResendsTheRest() throws Exception {
    MockProducer<String, byte[]> first = producer(false);
    try (Wired w = Wired.open(dir, HandoffOptions.DEFAULTS, first)) {
      w.append(0, 10, 100);
      waitFor(() -> first.history().size() == 10, "10 sends");
      for (int i = 0; i < 6; i++) {
        first.completeNext();
      }
      assertThat(w.log.backlogRecords()).isEqualTo(4);
      assertThat(w.metrics.published.get()).isEqualTo(6);
    } // killed before the last 4 acks
    MockProducer<String, byte[]> second = producer(true);
    try (Wired w = Wired.open(dir, HandoffOptions.DEFAULTS, second)) {
      assertThat(w.log.recovered()).as("the whole unfinished segment").isEqualTo(10);
      waitFor(() -> w.log.backlogRecords() == 0, "the replay acknowledged");
      assertThat(keys(second)).containsSubsequence("k6", "k7", "k8", "k9").hasSize(10);
      assertThat(w.metrics.replayed.get()).isEqualTo(10);
      w.append(10, 12, 100);
      waitFor(() -> w.metrics.published.get() == 2, "new events after the replay");
    }
  }

  @Test
  void aTransientFailureRewindsAndResendsInOrderAndAPermanentOneIsQuarantined() throws Exception {
    MockProducer<String, byte[]> producer = producer(false);
    try (Wired w = Wired.open(dir, HandoffOptions.DEFAULTS, producer)) {
      w.append(0, 5, 100);
      waitFor(() -> producer.history().size() == 5, "5 sends");
      producer.completeNext(); // k0
      producer.errorNext(new RecordTooLargeException("too big")); // k1: refused for good
      producer.errorNext(new TimeoutException("broker gone")); // k2: resent
      producer.completeNext(); // k3
      producer.errorNext(new TimeoutException("broker gone")); // k4: resent
      waitFor(() -> producer.history().size() >= 7, "the resends after the backoff");
      assertThat(keys(producer).subList(5, 7)).as("from the failed record on, skipping what was acknowledged")
          .containsExactly("k2", "k4");
      while (producer.completeNext()) {
        // acknowledge the resends
      }
      waitFor(() -> w.log.backlogRecords() == 0, "everything handled");
      assertThat(w.metrics.quarantined.get()).isEqualTo(1);
      assertThat(w.metrics.retried.get()).isEqualTo(2);
      assertThat(new DeadLetterFile(dir).records()).isEqualTo(1);
    }
  }

  @Test
  void memoryStaysBoundedWhileKafkaDoesNotAnswerAndTheBacklogDrainsFromDisk() throws Exception {
    long cap = 1024 * 1024;
    HandoffOptions options = new HandoffOptions(HandoffOptions.Fsync.GROUP, 10, 256 * 1024, cap, 0);
    MockProducer<String, byte[]> producer = producer(false);
    try (Wired w = Wired.open(dir, options, producer)) {
      w.append(0, 400, 10_000); // 4 MB, four times the memory cap
      waitFor(() -> w.sender.memoryBytes() >= cap - 20_000, "the sender to fill its memory");
      assertThat(w.sender.memoryBytes()).isLessThanOrEqualTo(cap + 20_000);
      assertThat(producer.history().size()).isLessThan(400);
      List<String> sent = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (w.log.backlogRecords() > 0 && System.nanoTime() < deadline) {
        if (!producer.completeNext()) {
          java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertThat(w.sender.memoryBytes()).isLessThanOrEqualTo(cap + 20_000);
      }
      sent.addAll(keys(producer));
      assertThat(w.log.backlogRecords()).isZero();
      assertThat(sent).hasSize(400);
      assertThat(sent).isEqualTo(java.util.stream.IntStream.range(0, 400).mapToObj(i -> "k" + i).toList());
    }
  }

  /**
   * The sender does not poll: with the wait without wake-up an hour long, every hand-off below
   * (a fresh record to an idle sender, memory freed by an ack, the end of a backoff) only happens
   * if the sender is woken, and the test times out otherwise.
   */
  @Test
  void theSenderIsWokenForNewRecordsFreedMemoryAndTheEndOfABackoff() throws Exception {
    long hour = TimeUnit.HOURS.toMillis(1);
    long cap = 1024 * 1024; // the least the options allow
    HandoffOptions options = new HandoffOptions(HandoffOptions.Fsync.GROUP, 10, 256 * 1024, cap, 0);
    MockProducer<String, byte[]> producer = producer(false);
    try (Wired w = Wired.open(dir, options, producer, hour)) {
      for (int i = 0; i < 50; i++) { // idle between appends: each one must wake the sender
        w.append(i, i + 1, 100);
        int sends = i + 1;
        waitFor(() -> producer.history().size() == sends, "send " + sends);
        producer.completeNext();
      }
      w.append(50, 250, 10_000); // 2 MB against a 1 MB cap: the rest waits for acks to free memory
      waitFor(() -> producer.history().size() > 50, "the first of the big records");
      assertThat(producer.history().size()).as("held back by the memory cap").isLessThan(250);
      while (producer.history().size() < 250) {
        int before = producer.history().size();
        while (producer.completeNext()) {
          // free what is in flight
        }
        waitFor(() -> producer.history().size() > before || producer.history().size() == 250, "sends after acks");
      }
      while (producer.completeNext()) {
        // the last ones
      }
      w.append(250, 251, 100);
      waitFor(() -> producer.history().size() == 251, "send 251");
      producer.errorNext(new TimeoutException("broker gone")); // backoff, then the resend by the clock
      waitFor(() -> producer.history().size() == 252, "the resend after the backoff");
      assertThat(keys(producer).get(251)).isEqualTo("k250");
      producer.completeNext();
      waitFor(() -> w.log.backlogRecords() == 0, "everything acknowledged");
    }
  }

  /** Memory filled to exactly its cap with queued records before the sender runs: it sends them. */
  @Test
  void memoryFullOfQueuedRecordsWithNothingInFlightIsSent() throws Exception {
    long cap = 1024 * 1024;
    HandoffOptions options = new HandoffOptions(HandoffOptions.Fsync.GROUP, 10, 256 * 1024, cap, 0);
    MockProducer<String, byte[]> producer = producer(true);
    HandoffLog log = new HandoffLog(dir, options);
    HandoffSender sender = new HandoffSender(log, producer, TOPIC, new DeadLetterFile(dir), new Counting(),
        options.memoryBytes(), log.durableEnd(), TimeUnit.HOURS.toMillis(1));
    try (log; sender) {
      log.start(sender::offer);
      int each = (int) (cap / 16);
      List<CompletableFuture<Void>> all = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        all.add(log.append("a" + (10 + i), value(i, each - Framing.HEADER - 2 - 3)));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertThat(sender.memoryBytes()).as("queued, exactly the cap").isEqualTo(cap);
      sender.start();
      waitFor(() -> producer.history().size() == 16, "the 16 queued records sent");
      waitFor(() -> log.backlogRecords() == 0, "acknowledged");
    }
  }

  /**
   * Many small groups against a small memory, acknowledged by another thread as they come: groups
   * dropped for lack of room and later ones queued once memory emptied leave gaps in memory, which
   * must be read from disk in order — every record sent once, in order, and the log drained.
   */
  @RepeatedTest(3)
  void groupsDroppedForRoomAreSentInOrderFromDiskWhileLaterOnesWaitInMemory() throws Exception {
    long cap = 1024 * 1024;
    HandoffOptions options = new HandoffOptions(HandoffOptions.Fsync.GROUP, 10, 256 * 1024, cap, 0);
    MockProducer<String, byte[]> producer = producer(false);
    java.util.concurrent.atomic.AtomicBoolean acking = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread acker = new Thread(() -> {
      while (acking.get()) { // in bursts, so that memory fills between them
        java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        while (producer.completeNext()) {
          // everything sent so far
        }
      }
    });
    int n = 1_500;
    try (Wired w = Wired.open(dir, options, producer, TimeUnit.HOURS.toMillis(1))) {
      acker.start();
      java.util.Random random = new java.util.Random(42);
      for (int i = 0; i < n; ) {
        int group = 1 + random.nextInt(8);
        w.append(i, Math.min(n, i + group), 10_000 + random.nextInt(50_000));
        i += group;
      }
      waitFor(() -> w.log.backlogRecords() == 0, "every record acknowledged");
      assertThat(keys(producer)).as("sent once each, in order")
          .isEqualTo(java.util.stream.IntStream.range(0, n).mapToObj(i -> "k" + i).toList());
    } finally {
      acking.set(false);
      acker.join();
    }
  }

  private static List<String> keys(MockProducer<String, byte[]> producer) {
    return producer.history().stream().map(ProducerRecord::key).toList();
  }

  /** Counts outcomes. */
  static final class Counting implements PublishMetrics {
    final AtomicLong published = new AtomicLong();
    final AtomicLong replayed = new AtomicLong();
    final AtomicLong retried = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong quarantined = new AtomicLong();

    @Override
    public void published() {
      published.incrementAndGet();
    }

    @Override
    public void replayed() {
      replayed.incrementAndGet();
    }

    @Override
    public void retried() {
      retried.incrementAndGet();
    }

    @Override
    public void failed() {
      failed.incrementAndGet();
    }

    @Override
    public void quarantined() {
      quarantined.incrementAndGet();
    }
  }
}
