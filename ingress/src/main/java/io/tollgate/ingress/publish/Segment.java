package io.tollgate.ingress.publish;

import java.nio.file.Path;
import java.util.BitSet;

/**
 * One segment file of the {@link HandoffLog}: records {@code base … base+count-1}, which of them
 * Kafka acknowledged (acks arrive out of order, across partitions, and a resent record may be
 * acknowledged twice), and whether the writer moved on to a newer segment. A sealed segment whose
 * every record is acknowledged can be deleted.
 */
final class Segment {
  static final String PREFIX = "handoff-";
  static final String SUFFIX = ".log";

  final long base;
  final Path file;
  private final BitSet acked = new BitSet();
  private int count;
  private int ackedCount;
  private long bytes;
  private boolean sealed;

  Segment(Path dir, long base) {
    this.base = base;
    this.file = dir.resolve(name(base));
  }

  static String name(long base) {
    return PREFIX + String.format("%020d", base) + SUFFIX;
  }

  /** The base sequence number in a segment file's name, or -1 when it is not one. */
  static long baseOf(String fileName) {
    if (!fileName.startsWith(PREFIX) || !fileName.endsWith(SUFFIX)) {
      return -1;
    }
    try {
      return Long.parseLong(fileName.substring(PREFIX.length(), fileName.length() - SUFFIX.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  synchronized void written(int records, long recordBytes) {
    count += records;
    bytes += recordBytes;
  }

  /** Marks {@code seq} acknowledged; true only the first time (so backlog counters stay exact). */
  synchronized boolean ack(long seq) {
    int i = (int) (seq - base);
    if (i < 0 || i >= count || acked.get(i)) {
      return false;
    }
    acked.set(i);
    ackedCount++;
    return true;
  }

  synchronized void seal() {
    sealed = true;
  }

  synchronized boolean sealed() {
    return sealed;
  }

  /** Sealed and every record acknowledged: nothing in it is needed any more. */
  synchronized boolean done() {
    return sealed && ackedCount == count;
  }

  synchronized boolean allAcked() {
    return ackedCount == count;
  }

  synchronized int count() {
    return count;
  }

  synchronized long bytes() {
    return bytes;
  }

  /** One past the last record. */
  synchronized long end() {
    return base + count;
  }

  /** The lowest unacknowledged sequence number, or -1 when all are. */
  synchronized long firstUnacked() {
    int i = acked.nextClearBit(0);
    return i < count ? base + i : -1;
  }

  synchronized boolean isAcked(long seq) {
    int i = (int) (seq - base);
    return i >= 0 && i < count && acked.get(i);
  }
}
