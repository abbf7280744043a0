package io.tollgate.ingress.publish;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Reads the hand-off log's records back by sequence number, for the sender: what an earlier run
 * left, what did not fit in memory, what a failed send must resend. Sequential reads stay on one
 * open {@link SegmentReader}; records already acknowledged are skipped, and so are gaps (a
 * segment whose damaged tail was dropped at start, segments deleted once fully acknowledged).
 * Used by the sender thread only.
 */
final class DiskCursor implements AutoCloseable {
  private final NavigableMap<Long, Segment> segments;
  private SegmentReader reader;
  private long readerBase = -1;

  DiskCursor(NavigableMap<Long, Segment> segments) {
    this.segments = segments;
  }

  /**
   * Reads unacknowledged records {@code from … limit-1} into {@code out}, at most
   * {@code maxRecords} and about {@code budget} bytes (one record more); returns the sequence
   * number after the last one looked at.
   */
  long read(long from, long limit, long budget, int maxRecords, List<Framing.Rec> out) throws IOException {
    long seq = from;
    long bytes = 0;
    while (seq < limit && out.size() < maxRecords && bytes < budget) {
      Map.Entry<Long, Segment> e = segments.floorEntry(seq);
      if (e == null) {
        Long first = segments.ceilingKey(seq); // below the oldest segment: acknowledged and deleted
        if (first == null) {
          return limit;
        }
        seq = first;
        continue;
      }
      Segment s = e.getValue();
      if (seq >= s.end()) {
        Long following = segments.higherKey(s.base); // past this segment's records (or a damaged tail)
        if (following == null) {
          return Math.max(seq, Math.min(limit, s.end()));
        }
        seq = Math.max(seq, following);
        continue;
      }
      Framing.Rec rec = readAt(s, seq);
      if (rec == null) {
        seq = s.end(); // deleted meanwhile (all acknowledged), or damaged: nothing after it can be framed
        continue;
      }
      seq++;
      if (!s.isAcked(rec.seq())) {
        out.add(rec);
        bytes += rec.bytes();
      }
    }
    return seq;
  }

  private Framing.Rec readAt(Segment s, long seq) throws IOException {
    if (reader == null || readerBase != s.base || reader.seq() > seq) {
      close();
      try {
        reader = new SegmentReader(s.file, s.base, s::bytes); // never past what was written: the rest may be zeros
      } catch (java.nio.file.NoSuchFileException gone) {
        return null;
      }
      readerBase = s.base;
    }
    Framing.Rec rec = reader.next();
    while (rec != null && rec.seq() < seq) {
      rec = reader.next();
    }
    return rec;
  }

  @Override
  public void close() throws IOException {
    if (reader != null) {
      reader.close();
      reader = null;
      readerBase = -1;
    }
  }
}
