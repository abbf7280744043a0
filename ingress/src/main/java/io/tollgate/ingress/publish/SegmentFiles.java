package io.tollgate.ingress.publish;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment files of the {@link HandoffLog}: the active one, written, forced (per
 * {@link HandoffOptions.Fsync}) and rolled by the writer thread (forced by the syncer with
 * {@code interval_ms}), and the older ones, deleted once every record in them is acknowledged.
 *
 * <p>Preallocation ({@link HandoffOptions#preallocate}): once the active segment is half full, a
 * thread of its own writes the next one ahead as {@value #SPARE} (zeros, forced with its size),
 * and the roll renames it into place. Records are then written over zeros the disk already holds,
 * so the fdatasync after a group flushes only data: appending to a growing file also commits the
 * new size and blocks to the filesystem's journal on every fsync (measured on ext4 with 2 KB
 * writes: ~170 → ~107 µs per write+fdatasync, half the system CPU). A reader stops at the first
 * zero length ({@link SegmentReader}), so a preallocated tail reads as the end of the records.
 * An idle gateway, whose segments are rolled away long before they are half full, never
 * preallocates: a spare costs a segment's worth of disk writes.
 */
final class SegmentFiles {
  private static final Logger LOG = LoggerFactory.getLogger(HandoffLog.class);
  /** The next segment, preallocated; not a segment name, so recovery never reads it as one. */
  static final String SPARE = "handoff-next.spare";

  private final Path dir;
  private final HandoffOptions options;
  private final HandoffLog.Force force;
  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
  private final AtomicLong fsyncs = new AtomicLong();
  /** Held while the file is forced or the active segment changes (the syncer must not force a closed channel). */
  private final ReentrantLock syncLock = new ReentrantLock();
  /** Written since the last fsync began. */
  private final AtomicBoolean unsynced = new AtomicBoolean();
  private final Path spare;
  /** The spare is complete (zero-filled and forced): the next roll takes it. */
  private volatile boolean spareReady;
  /** The writer asked for a spare and the preparer has not finished it (or given up) yet. */
  private volatile boolean spareWanted;
  private volatile boolean closing;
  /** The active segment the last spare was asked for (one try per segment, also after a failure). */
  private long spareAskedFor = -1;
  /** Writes spares when asked; started at the first ask, so a log that never needs one has no thread for it. */
  private Thread preparer;
  private final AtomicLong preallocated = new AtomicLong();
  private Segment active;
  private volatile FileChannel channel;
  private long recoveredEnd;

  SegmentFiles(Path dir, HandoffOptions options, HandoffLog.Force force) {
    this.dir = dir;
    this.options = options;
    this.force = force;
    this.spare = dir.resolve(SPARE);
  }

  /** Takes the segments an earlier run left (into {@code backlog} too); returns their records. */
  long recover(Backlog backlog) throws IOException {
    Files.deleteIfExists(spare); // an earlier run's, maybe half written (the directory is DirLock's by now)
    long found = 0;
    long next = 0;
    for (Segment s : Recovery.segments(dir)) {
      segments.put(s.base, s);
      long ageNanos = Math.max(0, System.currentTimeMillis() - Files.getLastModifiedTime(s.file).toMillis()) * 1_000_000;
      backlog.added(s.base, s.count(), s.bytes(), System.nanoTime() - ageNanos);
      found += s.count();
      next = s.end();
    }
    recoveredEnd = next;
    return found;
  }

  /** One past the last recovered record (0 when there was none). */
  long recoveredEnd() {
    return recoveredEnd;
  }

  void openActive(long base) throws IOException {
    active = new Segment(dir, base);
    channel = takeSpare(active.file)
        ? FileChannel.open(active.file, StandardOpenOption.WRITE) // zeros: written over from its start
        : FileChannel.open(active.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    segments.put(base, active);
    if (options.fsync() != HandoffOptions.Fsync.NONE) {
      // fdatasync covers a file's data and size, not its name: without this a power loss could
      // drop the whole new segment, fsync'd records and all.
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    }
  }

  /** Renames a complete spare to {@code file}; false (a plain new file then) when there is none. */
  private boolean takeSpare(Path file) {
    if (!spareReady) {
      return false;
    }
    spareReady = false;
    try {
      Files.move(spare, file, StandardCopyOption.ATOMIC_MOVE);
      preallocated.incrementAndGet();
      return true;
    } catch (IOException e) {
      LOG.warn("cannot take the preallocated hand-off segment ({}); this one is written without it", e.toString());
      return false;
    }
  }

  /**
   * Asks for the spare of the next segment once the active one is half full (writer thread, after
   * each group's appends completed): one ask per segment, none while the last one is unfinished.
   * Starting the preparer is the only thing here that can fail (no thread to be had): then
   * segments are simply written without preallocation.
   */
  void preallocateIfDue() {
    if (!options.preallocates() || spareReady || spareWanted || closing || spareAskedFor == active.base
        || active.bytes() < options.segmentBytes() / 2) {
      return;
    }
    spareAskedFor = active.base;
    try {
      if (preparer == null) {
        Thread t = new Thread(this::prepareWhenAsked, "usage-handoff-preallocate");
        t.setDaemon(true);
        t.start();
        preparer = t;
      }
      spareWanted = true;
      LockSupport.unpark(preparer);
    } catch (Throwable e) { // OutOfMemoryError "unable to create native thread" must not stop the writer
      spareWanted = false;
      LOG.warn("cannot start preallocating hand-off segments ({}); they are written without it", e.toString());
    }
  }

  private void prepareWhenAsked() {
    while (!closing) {
      if (!spareWanted) {
        LockSupport.park(this);
        continue;
      }
      try {
        prepareSpare();
      } catch (Throwable e) {
        LOG.warn("cannot preallocate the next hand-off segment in {} ({}); it is written without it", dir, e.toString());
        deleteSpareQuietly();
      } finally {
        spareWanted = false;
      }
    }
  }

  /**
   * Zeros, forced a megabyte at a time (so no single flush is large enough to hold up the writer's
   * fdatasyncs behind it in the journal), then once more with the file's size.
   */
  private void prepareSpare() throws IOException {
    if (dir.toFile().getUsableSpace() < 4 * options.segmentBytes()) {
      LOG.debug("less than four segments of disk left: no preallocation");
      return;
    }
    Files.deleteIfExists(spare);
    try (FileChannel ch = FileChannel.open(spare, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocate(256 * 1024);
      long written = 0;
      while (written < options.segmentBytes()) {
        if (closing) {
          break;
        }
        zeros.clear().limit((int) Math.min(zeros.capacity(), options.segmentBytes() - written));
        while (zeros.hasRemaining()) {
          written += ch.write(zeros);
        }
        if (written % (1024 * 1024) == 0) {
          ch.force(false);
        }
      }
      if (!closing) {
        ch.force(true); // the blocks and the size, so the writer's fdatasyncs need not commit them
      }
    }
    if (closing) {
      deleteSpareQuietly();
    } else {
      spareReady = true;
    }
  }

  private void deleteSpareQuietly() {
    try {
      Files.deleteIfExists(spare);
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot delete {} ({}); the next start deletes it", spare, e.toString());
    }
  }

  /** Segments that began as a preallocated spare (tests, benchmarks). */
  long preallocated() {
    return preallocated.get();
  }

  /** Writes a group's frames ({@code bytes} in all) to the active segment. */
  void write(ByteBuffer[] buffers, long bytes) throws IOException {
    long left = bytes;
    while (left > 0) {
      left -= channel.write(buffers);
    }
    unsynced.set(true);
  }

  /**
   * Forces what is written. The flag is cleared first: a write that ends during the force sets it
   * again, so the next sync covers it.
   */
  void sync() throws IOException {
    unsynced.set(false);
    force.force(channel);
    fsyncs.incrementAndGet();
  }

  /**
   * {@code interval_ms}: forces what was written at most every interval (the syncer thread; the
   * writer goes on meanwhile) until the log is closed. On a failure {@code failed} runs.
   */
  void syncEvery(long intervalNanos, BooleanSupplier closed, Runnable failed) {
    long next = System.nanoTime() + intervalNanos;
    while (!closed.getAsBoolean()) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(this, wait);
        continue;
      }
      next = System.nanoTime() + intervalNanos;
      if (!unsynced.get()) {
        continue;
      }
      syncLock.lock();
      try {
        if (!closed.getAsBoolean()) {
          sync();
        }
      } catch (IOException | RuntimeException e) {
        failed.run();
        unsynced.set(true); // try again at the next interval
        LOG.error("cannot fsync the hand-off log in {} ({})", dir, e.toString());
      } finally {
        syncLock.unlock();
      }
    }
  }

  /** After a failed write the file may end in a partial record: start a fresh segment after the good ones. */
  void recoverChannel(long nextBase) {
    try {
      channel.truncate(active.bytes()); // a partial group must not look like records at the next start
    } catch (IOException e) {
      // Rolled all the same: nothing more is written after the partial record, and a reader stops at it.
      LOG.warn("cannot truncate the hand-off segment after a write failure ({})", e.toString());
    }
    try {
      roll(nextBase);
    } catch (IOException e) {
      LOG.warn("cannot roll the hand-off log after a write failure ({})", e.toString());
    }
  }

  /** Seals the active segment and starts a new one at {@code nextBase}. */
  void roll(long nextBase) throws IOException {
    Segment old = active;
    syncLock.lock();
    try {
      if (unsynced.get() && options.fsync() != HandoffOptions.Fsync.NONE) {
        sync();
      }
      channel.close();
      old.seal();
      openActive(nextBase);
    } finally {
      syncLock.unlock();
    }
    if (old.done()) {
      delete(old);
    }
  }

  void delete(Segment s) {
    if (segments.remove(s.base, s)) {
      try {
        Files.deleteIfExists(s.file);
      } catch (NoSuchFileException e) {
        // already gone
      } catch (IOException e) {
        LOG.warn("cannot delete acknowledged hand-off segment {} ({}); its records will be resent", s.file, e.toString());
      }
    }
  }

  /** Syncs what is left and closes; the active segment goes when nothing in it is needed any more. */
  void close() throws IOException {
    closing = true;
    Thread p = preparer;
    if (p != null) {
      LockSupport.unpark(p);
      try {
        p.join(10_000); // it stops at its next chunk
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    syncLock.lock();
    try {
      if (unsynced.get() && options.fsync() != HandoffOptions.Fsync.NONE) {
        sync();
      }
      channel.close();
    } finally {
      syncLock.unlock();
      deleteSpareQuietly(); // after the last sync: a failure here must not skip it
    }
    if (active.allAcked()) { // nothing in it is needed any more (or nothing was written)
      segments.remove(active.base, active);
      Files.deleteIfExists(active.file);
    }
  }

  long oldestUnackedSeq() {
    for (Segment s : segments.values()) {
      long seq = s.firstUnacked();
      if (seq >= 0) {
        return seq;
      }
    }
    return -1;
  }

  /** The segment being written (writer thread only). */
  Segment active() {
    return active;
  }

  ConcurrentSkipListMap<Long, Segment> segments() {
    return segments;
  }

  long fsyncs() {
    return fsyncs.get();
  }
}
