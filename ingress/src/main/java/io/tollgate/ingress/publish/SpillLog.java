package io.tollgate.ingress.publish;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only file of length-prefixed records (serialized usage events) kept while Kafka is
 * unreachable. Appends are fsync'd in batches ({@link #sync()}); {@link #drain} hands the records
 * back in order and removes them only after the caller succeeded with all of them. A torn last
 * record (crash mid-write) is ignored. Thread-safe.
 *
 * <p>One directory belongs to one gateway: the log holds an exclusive lock on
 * {@code usage-spill.lock} while open. Two instances sharing a directory would lose events — a
 * drain moves the file away while the other instance still appends to it, then deletes it.
 */
public final class SpillLog implements AutoCloseable {
  private final Path file;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private FileChannel channel;
  private long unsynced;

  /** Opens (or creates) the log in {@code dir}; fails if another open log holds the directory. */
  public SpillLog(Path dir) {
    try {
      Files.createDirectories(dir);
      this.file = dir.resolve("usage-spill.log");
      this.lockChannel = FileChannel.open(dir.resolve("usage-spill.lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      this.lock = lockExclusively(lockChannel, dir);
      this.channel = open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open spill log in " + dir, e);
    }
  }

  private static FileLock lockExclusively(FileChannel lockChannel, Path dir) throws IOException {
    FileLock taken;
    try {
      taken = lockChannel.tryLock(); // null: another process holds it
    } catch (OverlappingFileLockException e) {
      taken = null; // another log in this JVM holds it
    }
    if (taken == null) {
      lockChannel.close();
      throw new IllegalStateException("spill directory " + dir + " is in use by another gateway instance; "
          + "give every instance its own tollgate.spill_dir (TOLLGATE_SPILL_DIR)");
    }
    return taken;
  }

  private FileChannel open() throws IOException {
    return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  public synchronized void append(byte[] record) {
    ByteBuffer buf = ByteBuffer.allocate(4 + record.length);
    buf.putInt(record.length).put(record).flip();
    try {
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      unsynced++;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to spill log " + file, e);
    }
  }

  /** Forces appended records to disk; cheap when nothing is pending. */
  public synchronized void sync() {
    if (unsynced == 0) {
      return;
    }
    try {
      channel.force(false);
      unsynced = 0;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot sync spill log " + file, e);
    }
  }

  public synchronized boolean isEmpty() {
    try {
      return channel.size() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** Receives spilled records in order; returns normally only if every record was delivered. */
  @FunctionalInterface
  public interface Sink {
    void deliver(List<byte[]> records) throws Exception;
  }

  /**
   * Hands every spilled record to {@code sink} in order and empties the log if it succeeded.
   * Records appended meanwhile stay for the next drain. Returns how many were delivered.
   */
  public long drain(Sink sink) throws Exception {
    Path draining = file.resolveSibling("usage-spill.draining");
    synchronized (this) {
      if (!Files.exists(draining)) {
        if (channel.size() == 0) {
          return 0;
        }
        channel.force(false);
        channel.close();
        Files.move(file, draining, StandardCopyOption.ATOMIC_MOVE);
        channel = open();
      }
    }
    List<byte[]> records = read(draining);
    sink.deliver(records);
    Files.delete(draining);
    return records.size();
  }

  /** Records not yet delivered, including a batch whose delivery was interrupted. */
  public synchronized long pendingRecords() {
    try {
      long n = Files.exists(file) ? read(file).size() : 0;
      Path draining = file.resolveSibling("usage-spill.draining");
      return n + (Files.exists(draining) ? read(draining).size() : 0);
    } catch (IOException e) {
      return -1;
    }
  }

  static List<byte[]> read(Path path) throws IOException {
    List<byte[]> records = new ArrayList<>();
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(
        Channels.newInputStream(FileChannel.open(path, StandardOpenOption.READ))))) {
      while (true) {
        int length;
        try {
          length = in.readInt();
        } catch (EOFException e) {
          break;
        }
        if (length < 0 || length > 64 * 1024 * 1024) {
          break; // torn or corrupt tail: stop at the last whole record
        }
        byte[] record = new byte[length];
        try {
          in.readFully(record);
        } catch (EOFException e) {
          break;
        }
        records.add(record);
      }
    }
    return records;
  }

  @Override
  public synchronized void close() {
    try {
      sync();
      channel.close();
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
