package io.tollgate.ingress.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Usage events Kafka refuses for good (a record over {@code max.request.size}, one that cannot be
 * serialized), kept instead of retried: one such record must never stall the events behind it.
 * The framing of the old spill log ({@link LegacySpill}: 4-byte length, then the serialized event), fsync'd per
 * record — they are rare, and each is a bill someone will want to recover by hand.
 */
final class DeadLetterFile implements AutoCloseable {
  static final String NAME = "usage-deadletter.log";
  private final Path file;
  private FileChannel channel;

  DeadLetterFile(Path dir) {
    this.file = dir.resolve(NAME);
  }

  synchronized void append(byte[] record) {
    try {
      if (channel == null) {
        Files.createDirectories(file.getParent());
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      }
      ByteBuffer buf = ByteBuffer.allocate(4 + record.length);
      buf.putInt(record.length).put(record).flip();
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      channel.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to dead-letter file " + file, e);
    }
  }

  /** Records in the file (for metrics and tests). */
  synchronized long records() {
    if (!Files.exists(file)) {
      return 0;
    }
    try {
      return LegacySpill.read(file).size();
    } catch (IOException e) {
      return -1;
    }
  }

  @Override
  public synchronized void close() {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
