package io.tollgate.ingress.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The hand-off log on its own: group commit, framing and recovery, truncation after acks, policies. */
@Timeout(60)
class HandoffLogTest {
  @TempDir
  Path dir;

  static HandoffOptions options(HandoffOptions.Fsync fsync) {
    return HandoffOptions.DEFAULTS.withFsync(fsync);
  }

  static byte[] value(int i, int size) {
    byte[] v = new byte[size];
    byte[] id = Integer.toString(i).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(id, 0, v, 0, Math.min(id.length, size));
    return v;
  }

  /** Opens the log, collecting every durable group the writer hands over. */
  static HandoffLog open(Path dir, HandoffOptions options, List<Framing.Rec> durable) {
    HandoffLog log = new HandoffLog(dir, options);
    log.start(durable::addAll);
    return log;
  }

  @Test
  void concurrentAppendsShareFsyncsAndAllSurviveARestart() throws Exception {
    List<Framing.Rec> durable = new CopyOnWriteArrayList<>();
    int threads = 8;
    int each = 500;
    try (HandoffLog log = open(dir, options(HandoffOptions.Fsync.GROUP), durable)) {
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Void>> all = new CopyOnWriteArrayList<>();
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int base = t * each;
        Thread w = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < each; i++) {
            all.add(log.append("k" + (base + i), value(base + i, 200)));
          }
        });
        w.start();
        writers.add(w);
      }
      go.countDown();
      for (Thread w : writers) {
        w.join(30_000);
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertThat(log.fsyncs()).as("one fsync per group, not per append").isLessThan(threads * each)
          .isEqualTo(log.groups());
      assertThat(durable).hasSize(threads * each);
      assertThat(durable.stream().map(Framing.Rec::seq).toList()).as("sequence numbers in log order")
          .isEqualTo(java.util.stream.LongStream.range(0, threads * each).boxed().toList());
    }
    try (HandoffLog reopened = open(dir, options(HandoffOptions.Fsync.GROUP), new ArrayList<>())) {
      assertThat(reopened.recovered()).isEqualTo(threads * each);
      assertThat(reopened.backlogRecords()).isEqualTo(threads * each);
    }
  }

  @Test
  void aTornTailIsIgnored() throws Exception {
    appendAndClose(3);
    Path segment = onlySegment();
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.APPEND)) {
      ByteBuffer half = Framing.encode("k-torn", value(9, 100));
      half.limit(half.limit() / 2); // the crash came mid-write
      ch.write(half);
    }
    List<Framing.Rec> durable = new ArrayList<>();
    try (HandoffLog log = open(dir, options(HandoffOptions.Fsync.GROUP), durable)) {
      assertThat(log.recovered()).isEqualTo(3);
      log.append("k-next", value(10, 10)).get(10, TimeUnit.SECONDS);
      assertThat(durable).singleElement().satisfies(r -> assertThat(r.seq()).isEqualTo(3));
    }
    try (HandoffLog log = open(dir, options(HandoffOptions.Fsync.GROUP), new ArrayList<>())) {
      assertThat(log.recovered()).as("the torn record is gone, the next one kept").isEqualTo(4);
    }
  }

  @Test
  void aCrcMismatchStopsAtTheLastGoodRecord() throws Exception {
    appendAndClose(5);
    Path segment = onlySegment();
    byte[] bytes = Files.readAllBytes(segment);
    int recordSize = bytes.length / 5;
    bytes[2 * recordSize + Framing.HEADER + 5] ^= 0x40; // one bit of the third record's body
    Files.write(segment, bytes);
    try (HandoffLog log = open(dir, options(HandoffOptions.Fsync.GROUP), new ArrayList<>())) {
      assertThat(log.recovered()).isEqualTo(2);
    }
  }

  @Test
  void aSegmentIsDeletedOnlyOnceEveryRecordInItIsAcknowledged() throws Exception {
    HandoffOptions small = new HandoffOptions(HandoffOptions.Fsync.GROUP, 10, 64 * 1024, 1 << 20, 0);
    List<Framing.Rec> durable = new CopyOnWriteArrayList<>();
    try (HandoffLog log = open(dir, small, durable)) {
      for (int i = 0; i < 40; i++) { // 10 KB each: several 64 KB segments
        log.append("k" + i, value(i, 10_000)).get(10, TimeUnit.SECONDS);
      }
      int segments = segmentFiles().size();
      assertThat(segments).isGreaterThan(2);
      Segment first = log.segments().firstEntry().getValue();
      for (long seq = first.base; seq < first.end() - 1; seq++) {
        log.ack(seq, durable.get((int) seq).bytes());
      }
      assertThat(Files.exists(first.file)).as("one record of it is not acknowledged").isTrue();
      log.ack(first.end() - 1, durable.get((int) first.end() - 1).bytes());
      log.ack(first.end() - 1, durable.get((int) first.end() - 1).bytes()); // a resend acknowledged twice
      assertThat(Files.exists(first.file)).isFalse();
      assertThat(log.backlogRecords()).isEqualTo(40 - first.count());
      for (Framing.Rec r : durable) {
        log.ack(r.seq(), r.bytes());
      }
      assertThat(log.backlogRecords()).isZero();
      assertThat(log.backlogBytes()).isZero();
      waitFor(() -> segmentFiles().size() <= 1, "the fully acknowledged active segment is rolled away");
    }
    try (HandoffLog log = open(dir, small, new ArrayList<>())) {
      assertThat(log.recovered()).as("nothing acknowledged is resent").isZero();
    }
  }

  @Test
  void policyNoneNeverSyncsAndIntervalSyncsLessThanPerGroup() throws Exception {
    try (HandoffLog log = open(dir, options(HandoffOptions.Fsync.NONE), new ArrayList<>())) {
      for (int i = 0; i < 50; i++) {
        log.append("k" + i, value(i, 100)).get(10, TimeUnit.SECONDS);
      }
      assertThat(log.fsyncs()).isZero();
      assertThat(log.groups()).isEqualTo(50);
    }
    Path other = dir.resolve("interval");
    HandoffOptions interval = new HandoffOptions(HandoffOptions.Fsync.INTERVAL_MS, 50, 1 << 24, 1 << 20, 0);
    try (HandoffLog log = open(other, interval, new ArrayList<>())) {
      long start = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        log.append("k" + i, value(i, 100)).get(10, TimeUnit.SECONDS);
      }
      waitFor(() -> log.fsyncs() > 0, "an interval fsync");
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(log.fsyncs()).isLessThanOrEqualTo(elapsedMs / 50 + 2).isLessThan(log.groups());
    }
  }

  /** A force that blocks its first call until released (a flush that takes as long as the test wants). */
  static final class SlowFirstForce implements HandoffLog.Force {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public void force(FileChannel channel) throws IOException {
      if (calls.getAndIncrement() == 0) {
        entered.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      channel.force(false);
    }
  }

  @Test
  void groupAppendsMadeDuringAFlushWaitForItAndFormTheNextGroup() throws Exception {
    SlowFirstForce slow = new SlowFirstForce();
    try (HandoffLog log = new HandoffLog(dir, options(HandoffOptions.Fsync.GROUP), slow)) {
      log.start(records -> { });
      CompletableFuture<Void> first = log.append("k-first", value(0, 100));
      assertThat(slow.entered.await(10, TimeUnit.SECONDS)).as("the first group's fsync started").isTrue();
      List<CompletableFuture<Void>> during = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 1; i <= 50; i++) {
        during.add(log.append("k" + i, value(i, 100)));
      }
      assertThat((System.nanoTime() - t0) / 1_000_000).as("appending never waits for the flush in flight").isLessThan(2_000);
      assertThat(first).as("not durable before its fsync returned").isNotDone();
      assertThat(during).as("nor are the appends behind it").noneMatch(CompletableFuture::isDone);
      slow.release.countDown();
      first.get(10, TimeUnit.SECONDS);
      CompletableFuture.allOf(during.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      assertThat(log.groups()).as("the 50 appends made during the flush are one group").isEqualTo(2);
      assertThat(log.fsyncs()).isEqualTo(2);
    }
  }

  @Test
  void intervalAppendsDoNotWaitForAFlushInFlight() throws Exception {
    SlowFirstForce slow = new SlowFirstForce();
    HandoffOptions interval = new HandoffOptions(HandoffOptions.Fsync.INTERVAL_MS, 5, 1 << 24, 1 << 20, 0);
    try (HandoffLog log = new HandoffLog(dir, interval, slow)) {
      log.start(records -> { });
      log.append("k0", value(0, 100)).get(10, TimeUnit.SECONDS);
      assertThat(slow.entered.await(10, TimeUnit.SECONDS)).as("an interval fsync started").isTrue();
      try {
        for (int i = 1; i <= 20; i++) {
          log.append("k" + i, value(i, 100)).get(5, TimeUnit.SECONDS); // written while the flush still runs
        }
        assertThat(slow.release.getCount()).as("the flush was in flight throughout").isEqualTo(1);
      } finally {
        slow.release.countDown();
      }
      waitFor(() -> log.fsyncs() >= 2, "the next interval fsync after the slow one");
    }
    try (HandoffLog reopened = open(dir, interval, new ArrayList<>())) {
      assertThat(reopened.recovered()).isEqualTo(21);
    }
  }

  /** 64 KB segments, preallocated: a spare is begun at 32 KB and taken at the roll. */
  static final HandoffOptions SMALL_PREALLOCATED = new HandoffOptions(HandoffOptions.Fsync.GROUP, 10, 64 * 1024, 1 << 20, 0);

  /** Appends records of 2 KB, one group each, until {@code segments} rolls onto spares happened. */
  private static int appendUntilPreallocated(HandoffLog log, int segments, int from) throws Exception {
    int i = from;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (log.preallocatedSegments() < segments) {
      assertThat(System.nanoTime()).as("a preallocated segment in use").isLessThan(deadline);
      log.append("k" + i, value(i, 2_000)).get(10, TimeUnit.SECONDS);
      i++;
    }
    return i;
  }

  @Test
  void preallocatedSegmentsAreWrittenOverTheirZerosAndRecoveredExactly() throws Exception {
    List<Framing.Rec> durable = new CopyOnWriteArrayList<>();
    int appended;
    try (HandoffLog log = open(dir, SMALL_PREALLOCATED, durable)) {
      appended = appendUntilPreallocated(log, 2, 0);
      appended += 5; // some records into the preallocated active segment, then the gateway stops
      for (int i = appended - 5; i < appended; i++) {
        log.append("k" + i, value(i, 2_000)).get(10, TimeUnit.SECONDS);
      }
      Segment active = log.segments().lastEntry().getValue();
      assertThat(Files.size(active.file)).as("the preallocated file is longer than its records")
          .isGreaterThanOrEqualTo(64 * 1024).isGreaterThan(active.bytes());
    }
    assertThat(Files.exists(dir.resolve(SegmentFiles.SPARE))).as("no spare is left behind").isFalse();
    List<Framing.Rec> after = new CopyOnWriteArrayList<>();
    try (HandoffLog log = open(dir, SMALL_PREALLOCATED, after)) {
      assertThat(log.recovered()).as("every record, none read from the zeros").isEqualTo(appended);
      List<String> keys = new ArrayList<>();
      for (Segment s : log.segments().values()) {
        try (SegmentReader r = new SegmentReader(s.file, s.base)) {
          for (Framing.Rec rec = r.next(); rec != null; rec = r.next()) {
            keys.add(rec.key());
          }
        }
      }
      assertThat(keys).isEqualTo(java.util.stream.IntStream.range(0, appended).mapToObj(i -> "k" + i).toList());
      log.append("k-next", value(1, 10)).get(10, TimeUnit.SECONDS);
      long expectedSeq = appended;
      assertThat(after).singleElement().satisfies(r -> assertThat(r.seq()).isEqualTo(expectedSeq));
    }
  }

  @Test
  void theSenderReadsRecordsWrittenOverZerosAfterItsReadAhead() throws Exception {
    List<Framing.Rec> durable = new CopyOnWriteArrayList<>();
    try (HandoffLog log = open(dir, SMALL_PREALLOCATED, durable); DiskCursor cursor = new DiskCursor(log.segments())) {
      int next = appendUntilPreallocated(log, 1, 0);
      long base = log.segments().lastEntry().getKey();
      for (int i = 0; i < 3; i++) {
        log.append("k" + next, value(next++, 2_000)).get(10, TimeUnit.SECONDS);
      }
      List<Framing.Rec> read = new ArrayList<>();
      long end = log.durableEnd();
      long at = cursor.read(base, end, Long.MAX_VALUE, 1_000, read);
      assertThat(at).isEqualTo(end);
      for (int i = 0; i < 3; i++) { // written where the cursor's reader may already have read zeros
        log.append("k" + next, value(next++, 2_000)).get(10, TimeUnit.SECONDS);
      }
      assertThat(cursor.read(at, log.durableEnd(), Long.MAX_VALUE, 1_000, read)).isEqualTo(log.durableEnd());
      assertThat(read.stream().map(Framing.Rec::seq).toList()).as("every record of the active segment, in order")
          .isEqualTo(java.util.stream.LongStream.range(base, log.durableEnd()).boxed().toList());
      assertThat(read.stream().map(Framing.Rec::key).toList())
          .isEqualTo(durable.stream().filter(r -> r.seq() >= base).map(Framing.Rec::key).toList());
    }
  }

  @Test
  void withoutPreallocationSegmentsAreExactlyTheirRecords() throws Exception {
    try (HandoffLog log = open(dir, SMALL_PREALLOCATED.withPreallocate(false), new ArrayList<>())) {
      for (int i = 0; i < 100; i++) {
        log.append("k" + i, value(i, 2_000)).get(10, TimeUnit.SECONDS);
        assertThat(Files.exists(dir.resolve(SegmentFiles.SPARE))).isFalse();
      }
      assertThat(log.preallocatedSegments()).isZero();
      for (Segment s : log.segments().values()) {
        assertThat(Files.size(s.file)).isEqualTo(s.bytes());
      }
    }
    try (HandoffLog log = open(dir, HandoffOptions.DEFAULTS.withFsync(HandoffOptions.Fsync.NONE), new ArrayList<>())) {
      assertThat(log.recovered()).isEqualTo(100);
      assertThat(HandoffOptions.DEFAULTS.withFsync(HandoffOptions.Fsync.NONE).preallocates())
          .as("nothing to gain without fsyncs").isFalse();
    }
  }

  @Test
  void aSpareLeftByAnEarlierRunIsDeletedAtStart() throws Exception {
    appendAndClose(3);
    Files.write(dir.resolve(SegmentFiles.SPARE), new byte[10_000]); // a crash while preallocating
    try (HandoffLog log = open(dir, options(HandoffOptions.Fsync.GROUP), new ArrayList<>())) {
      assertThat(log.recovered()).isEqualTo(3);
      assertThat(Files.exists(dir.resolve(SegmentFiles.SPARE))).isFalse();
    }
  }

  @Test
  void twoLogsCannotShareADirectory() {
    try (HandoffLog log = new HandoffLog(dir, HandoffOptions.DEFAULTS)) {
      assertThatThrownBy(() -> new HandoffLog(dir, HandoffOptions.DEFAULTS))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("in use by another gateway");
    }
  }

  private void appendAndClose(int n) throws Exception {
    try (HandoffLog log = open(dir, options(HandoffOptions.Fsync.GROUP), new ArrayList<>())) {
      for (int i = 0; i < n; i++) {
        log.append("k" + i, value(i, 100)).get(10, TimeUnit.SECONDS); // one group each: fixed record size
      }
    }
  }

  private Path onlySegment() throws IOException {
    List<Path> files = segmentFiles();
    assertThat(files).hasSize(1);
    return files.get(0);
  }

  private List<Path> segmentFiles() {
    try (var s = Files.list(dir)) {
      return s.filter(p -> Segment.baseOf(p.getFileName().toString()) >= 0).sorted().toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void waitFor(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
    }
  }
}
