package io.tollgate.ingress.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's durable hand-off to Kafka: an append-only log of CRC-framed records in segment
 * files ({@code handoff-<first seq>.log}) under the spill directory.
 *
 * <p>One writer thread does group commit without a timer: it takes everything queued, writes it
 * in one call, forces it per {@link HandoffOptions.Fsync} (fdatasync), completes the appends and
 * hands the records to the sender; whatever queued during the fsync is the next group (appending
 * only queues: it never waits for the writer or a flush). With {@code interval_ms} the writer never
 * flushes: a syncer thread of its own forces the file every interval, so a slow flush holds no
 * append. A segment
 * is deleted once every record in it was acknowledged by Kafka ({@link #ack}); at start, every
 * record of every remaining segment is pending again (the sender resends them; downstream
 * deduplicates by event id). Reading stops at a torn or damaged record ({@link SegmentReader}).
 *
 * <p>The directory belongs to one gateway ({@link DirLock}).
 */
public final class HandoffLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HandoffLog.class);
  private static final Pending STOP = new Pending(null, null, null);

  private final Path dir;
  private final HandoffOptions options;
  private final DirLock lock;
  private final SegmentFiles files;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Backlog backlog = new Backlog();
  private final AtomicLong groups = new AtomicLong();
  private final long recovered;
  private final Thread writer;
  /** Only with {@code interval_ms}: forces the file every interval, off the writer thread. */
  private final Thread syncer;
  private Consumer<List<Framing.Rec>> listener = records -> { };
  private volatile long durableEnd;
  private volatile boolean writable = true;
  private volatile boolean closed;
  private long lastWriteNanos = System.nanoTime();

  /** How a file is forced to disk ({@code fdatasync}); tests slow it down. */
  @FunctionalInterface
  interface Force {
    Force FDATASYNC = ch -> ch.force(false);

    void force(FileChannel channel) throws IOException;
  }

  /** A fully acknowledged active segment is rolled away after this long without writes. */
  static final long IDLE_ROLL_NANOS = 1_000_000_000L;

  private record Pending(String key, byte[] value, CompletableFuture<Void> done) {
  }

  /** Opens (or creates) the log in {@code dir}; fails if another open log holds the directory. */
  public HandoffLog(Path dir, HandoffOptions options) {
    this(dir, options, Force.FDATASYNC);
  }

  HandoffLog(Path dir, HandoffOptions options, Force force) {
    this.dir = dir;
    this.options = java.util.Objects.requireNonNull(options, "options");
    this.files = new SegmentFiles(dir, options, java.util.Objects.requireNonNull(force, "force"));
    this.lock = new DirLock(dir);
    try {
      this.recovered = files.recover(backlog);
      durableEnd = files.recoveredEnd();
      files.openActive(durableEnd);
    } catch (IOException e) {
      lock.close();
      throw new UncheckedIOException("cannot open hand-off log in " + dir, e);
    }
    this.writer = new Thread(this::writeLoop, "usage-handoff-writer");
    writer.setDaemon(true);
    if (options.fsync() == HandoffOptions.Fsync.INTERVAL_MS) {
      this.syncer = new Thread(() -> files.syncEvery(options.fsyncIntervalMs() * 1_000_000, () -> closed, () -> writable = false),
          "usage-handoff-syncer");
      syncer.setDaemon(true);
    } else {
      this.syncer = null;
    }
  }

  /** Starts writing; {@code durable} receives every group (on the writer thread) once it is written and synced. */
  public void start(Consumer<List<Framing.Rec>> durable) {
    this.listener = java.util.Objects.requireNonNull(durable, "durable");
    writer.start();
    if (syncer != null) {
      syncer.start();
    }
  }

  /** Starts writing with nobody taking the records (benchmarks of the log alone). */
  public void startWithoutSender() {
    start(records -> { });
  }

  /** Records found at start (left by an earlier run): sent again, in order, before new ones. */
  public long recovered() {
    return recovered;
  }

  /**
   * Queues a record; the future completes once it is written (and, with policy {@code group},
   * fsync'd), or fails when the log cannot be written. Never blocks.
   */
  public CompletableFuture<Void> append(String key, byte[] value) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new IllegalStateException("hand-off log is closed"));
    } else {
      queue.add(new Pending(key, value, done));
    }
    return done;
  }

  /** Kafka acknowledged {@code seq}; a segment goes once all of its records are acknowledged. */
  public void ack(long seq, int bytes) {
    Map.Entry<Long, Segment> e = files.segments().floorEntry(seq);
    if (e == null || !e.getValue().ack(seq)) {
      return;
    }
    backlog.acked(bytes);
    if (e.getValue().done()) {
      files.delete(e.getValue());
    }
  }

  private void writeLoop() {
    List<Pending> group = new ArrayList<>();
    while (true) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        maintain(first == null);
        if (first == null) {
          continue;
        }
        group.add(first);
        queue.drainTo(group);
        boolean stop = group.remove(STOP);
        if (!group.isEmpty()) {
          write(group);
        }
        group.clear();
        if (stop) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error("hand-off writer: unexpected {}", e.toString());
      }
    }
  }

  private void write(List<Pending> group) {
    ByteBuffer[] buffers = new ByteBuffer[group.size()];
    long bytes = 0;
    for (int i = 0; i < buffers.length; i++) {
      buffers[i] = Framing.encode(group.get(i).key(), group.get(i).value());
      bytes += buffers[i].remaining();
    }
    try {
      if (files.active().bytes() >= options.segmentBytes()) {
        files.roll(durableEnd);
      }
      files.write(buffers, bytes);
      lastWriteNanos = System.nanoTime();
      if (options.fsync() == HandoffOptions.Fsync.GROUP) {
        files.sync();
      }
      writable = true;
    } catch (IOException | RuntimeException e) {
      writable = false;
      LOG.error("cannot write the hand-off log in {} ({}): {} events not recorded", dir, e.toString(), group.size());
      files.recoverChannel(durableEnd);
      group.forEach(p -> p.done().completeExceptionally(e));
      return;
    }
    long firstSeq = durableEnd;
    List<Framing.Rec> records = new ArrayList<>(group.size());
    for (int i = 0; i < group.size(); i++) {
      records.add(new Framing.Rec(firstSeq + i, group.get(i).key(), group.get(i).value()));
    }
    files.active().written(group.size(), bytes);
    backlog.added(firstSeq, group.size(), bytes, System.nanoTime());
    durableEnd = firstSeq + group.size();
    groups.incrementAndGet();
    try {
      listener.accept(records); // before the appends complete: the sender has a record before its response ends
    } finally {
      group.forEach(p -> p.done().complete(null)); // durable whatever the sender did: never hold a response
    }
    files.preallocateIfDue();
  }

  /** Rolling a fully acknowledged active segment once idle, forgetting the times of acknowledged groups. */
  private void maintain(boolean idle) {
    try {
      // Otherwise an idle gateway would resend its last segment after every restart. Only when
      // idle: a roll (new file, directory fsync) on the writer thread delays the next group.
      Segment active = files.active();
      if (idle && active.count() > 0 && active.allAcked() && System.nanoTime() - lastWriteNanos >= IDLE_ROLL_NANOS) {
        files.roll(durableEnd);
      }
      backlog.prune(files.oldestUnackedSeq(), durableEnd);
    } catch (IOException e) {
      writable = false;
      LOG.error("hand-off log maintenance failed ({})", e.toString());
    }
  }

  /** The segments by first sequence number (for the sender, which reads records back from them). */
  ConcurrentSkipListMap<Long, Segment> segments() {
    return files.segments();
  }

  /** One past the last record written. */
  public long durableEnd() {
    return durableEnd;
  }

  /** Seconds since the oldest record Kafka has not acknowledged was written; 0 when there is none. */
  public double oldestUnackedSeconds() {
    return backlog.oldestSeconds(files.oldestUnackedSeq());
  }

  public long backlogRecords() {
    return backlog.records();
  }

  public long backlogBytes() {
    return backlog.bytes();
  }

  /** False after a write failed (disk full, I/O error), until a write succeeds again. */
  public boolean writable() {
    return writable && !closed;
  }

  /** fdatasync calls so far (tests: group commit syncs once per group, not per append; benchmarks). */
  public long fsyncs() {
    return files.fsyncs();
  }

  /** Groups written so far (each one write, and with {@code group} one fdatasync). */
  public long groups() {
    return groups.get();
  }

  /** Segments that began as a preallocated spare (tests: preallocation is used; benchmarks). */
  public long preallocatedSegments() {
    return files.preallocated();
  }

  /** Writes what is queued, syncs, closes; unacknowledged records stay for the next start. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    queue.add(STOP);
    try {
      if (writer.isAlive()) {
        writer.join(10_000);
      }
      if (syncer != null) {
        java.util.concurrent.locks.LockSupport.unpark(syncer);
        syncer.join(10_000);
      }
      for (Pending late; (late = queue.poll()) != null; ) {
        if (late.done() != null) {
          late.done().completeExceptionally(new IllegalStateException("hand-off log is closed"));
        }
      }
      files.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      LOG.warn("closing the hand-off log: {}", e.toString());
    } finally {
      lock.close();
    }
  }
}
