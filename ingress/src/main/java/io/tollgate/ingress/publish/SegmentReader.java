package io.tollgate.ingress.publish;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

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

  /** Reads the whole file: recovery, where a zero length (a preallocated tail) ends the records. */
  SegmentReader(Path file, long base) throws IOException {
    this(file, base, () -> Long.MAX_VALUE);
  }

  /**
   * Reads no further than {@code written} says, asked anew at each read: a segment still being
   * written may be preallocated, and a read-ahead buffer holding its zeros would hide the records
   * written over them later.
   */
  SegmentReader(Path file, long base, LongSupplier written) throws IOException {
    this.in = new DataInputStream(new BufferedInputStream(new Bounded(FileChannel.open(file, StandardOpenOption.READ),
        written), 256 * 1024));
    this.seq = base;
  }

  /** The file up to {@code limit} bytes, read as far as the limit is at each call. */
  private static final class Bounded extends InputStream {
    private final FileChannel channel;
    private final LongSupplier limit;
    private long position;

    Bounded(FileChannel channel, LongSupplier limit) {
      this.channel = channel;
      this.limit = limit;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      long room = limit.getAsLong() - position;
      if (len == 0) {
        return 0;
      }
      if (room <= 0) {
        return -1;
      }
      int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, room)));
      if (n > 0) {
        position += n;
      }
      return n;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) == 1 ? one[0] & 0xff : -1;
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
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
      return null; // damage, or length 0: the zeros of a preallocated segment after its last record
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
