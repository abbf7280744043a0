package io.tollgate.ingress.publish;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the records of one segment file in order, checking each CRC. Used to recover a log at
 * start (how many good records each segment holds) and by the sender to read back records it
 * does not keep in memory. Reading stops at the first torn or damaged record: nothing after it
 * can be framed reliably.
 */
final class SegmentReader implements AutoCloseable {
  private final DataInputStream in;
  private long seq;
  private long position;

  SegmentReader(Path file, long base) throws IOException {
    this.in = new DataInputStream(new BufferedInputStream(
        Channels.newInputStream(FileChannel.open(file, StandardOpenOption.READ)), 256 * 1024));
    this.seq = base;
  }

  /** The next good record, or null at the end (or at a torn or damaged record). */
  Framing.Rec next() throws IOException {
    int length;
    int crc;
    try {
      length = in.readInt();
      crc = in.readInt();
    } catch (EOFException e) {
      return null;
    }
    if (length < 2 || length > Framing.MAX_BODY) {
      return null;
    }
    byte[] body = new byte[length];
    try {
      in.readFully(body);
    } catch (EOFException e) {
      return null; // torn tail: the crash came mid-write
    }
    Framing.Rec rec = Framing.decode(seq, crc, body);
    if (rec == null) {
      return null;
    }
    seq++;
    position += Framing.HEADER + length;
    return rec;
  }

  /** Sequence number of the next record. */
  long seq() {
    return seq;
  }

  /** Bytes of good records read so far. */
  long position() {
    return position;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
