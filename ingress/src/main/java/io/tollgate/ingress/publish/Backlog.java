package io.tollgate.ingress.publish;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the hand-off log holds that Kafka has not acknowledged: records, bytes, and when each group
 * was written (first sequence number → nanos), so the age of the oldest unacknowledged record is
 * one lookup. Exact: a record counts once however often it is resent and acknowledged.
 */
final class Backlog {
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final ConcurrentSkipListMap<Long, Long> groupNanos = new ConcurrentSkipListMap<>();

  /** A group (or a recovered segment) of {@code count} records from {@code firstSeq}, written at {@code nanos}. */
  void added(long firstSeq, int count, long recordBytes, long nanos) {
    groupNanos.put(firstSeq, nanos);
    records.addAndGet(count);
    bytes.addAndGet(recordBytes);
  }

  void acked(int recordBytes) {
    records.decrementAndGet();
    bytes.addAndGet(-recordBytes);
  }

  /** Seconds since the group holding {@code oldestSeq} was written; 0 when there is none ({@code -1}). */
  double oldestSeconds(long oldestSeq) {
    Map.Entry<Long, Long> e = oldestSeq < 0 ? null : groupNanos.floorEntry(oldestSeq);
    return e == null ? 0 : Math.max(0, System.nanoTime() - e.getValue()) / 1e9;
  }

  /** Forgets the times of groups wholly before {@code oldestSeq} (or of all, when it is -1). */
  void prune(long oldestSeq, long end) {
    Long floor = oldestSeq < 0 ? null : groupNanos.floorKey(oldestSeq);
    groupNanos.headMap(floor == null ? end : floor).clear();
  }

  long records() {
    return records.get();
  }

  long bytes() {
    return bytes.get();
  }
}
