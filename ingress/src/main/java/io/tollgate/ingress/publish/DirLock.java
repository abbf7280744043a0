package io.tollgate.ingress.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive lock on {@code usage-spill.lock} that makes a spill directory belong to one
 * gateway. Two instances sharing one would lose events: each deletes segments the other still
 * needs. The name is the one earlier releases used, so an old and a new gateway exclude each other too.
 */
final class DirLock implements AutoCloseable {
  static final String NAME = "usage-spill.lock";
  private final FileChannel channel;
  private final FileLock lock;

  DirLock(Path dir) {
    try {
      Files.createDirectories(dir);
      this.channel = FileChannel.open(dir.resolve(NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open spill directory " + dir, e);
    }
    FileLock taken;
    try {
      taken = channel.tryLock(); // null: another process holds it
    } catch (OverlappingFileLockException e) {
      taken = null; // another log in this JVM holds it
    } catch (IOException e) {
      taken = null;
    }
    if (taken == null) {
      closeQuietly();
      throw new IllegalStateException("spill directory " + dir + " is in use by another gateway instance; "
          + "give every instance its own tollgate.spill_dir (TOLLGATE_SPILL_DIR)");
    }
    this.lock = taken;
  }

  private void closeQuietly() {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing held
    }
  }

  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } catch (IOException e) {
      // released when the channel closes anyway
    }
    closeQuietly();
  }
}
