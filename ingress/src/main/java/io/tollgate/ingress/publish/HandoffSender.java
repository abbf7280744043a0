package io.tollgate.ingress.publish;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the {@link HandoffLog}'s records to Kafka in log order, pipelined: many records in flight,
 * the producer batching them, each acknowledgement recorded in the log (which then deletes what is
 * fully acknowledged). There is no per-record wait, so a backlog drains at producer speed and new
 * records follow right behind it.
 *
 * <p>Fresh records come from the writer in memory, up to {@link HandoffOptions#memoryBytes()} of
 * unacknowledged bytes (queued plus in flight); beyond that, and for everything an earlier run left
 * behind, the sender reads them back from the segments. A transient failure rewinds: the sender
 * goes back to the failed record, waits {@value #BACKOFF_MS} ms and resends from there (from disk,
 * skipping what was acknowledged meanwhile). A record Kafka refuses for good goes to the
 * {@link DeadLetterFile} and counts as handled.
 *
 * <p>Threads: the writer adds fresh records and the producer's callbacks release memory without a
 * lock (a deque only the writer adds to and only the sender takes from, an atomic byte count);
 * the lock guards the sender's position, rewinds and backoff, and is taken by the others only to
 * wake a sender that waits for work.
 */
final class HandoffSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HandoffSender.class);
  static final long BACKOFF_MS = 1_000;
  private static final int MAX_BATCH = 1_000;
  /** The longest wait without a wake-up: it only backs the wake-ups up, it is not a poll. */
  static final long IDLE_WAIT_MS = 100;

  private final HandoffLog log;
  private final Producer<String, byte[]> producer;
  private final String topic;
  private final DeadLetterFile deadLetters;
  private final PublishMetrics metrics;
  private final long memoryCap;
  /** Records below this were left by an earlier run: counted as replayed, not published. */
  private final long replayEnd;
  private final long idleWaitMs;
  private final Thread thread;
  private final Object lock = new Object();
  /** Fresh records: added by the writer only, taken by the sender only (neither takes the lock for it). */
  private final ConcurrentLinkedDeque<Framing.Rec> memory = new ConcurrentLinkedDeque<>();
  /** Unacknowledged bytes held in memory: released lock-free by the producer's callbacks. */
  private final AtomicLong memoryBytes = new AtomicLong();
  /**
   * True while the sender waits on {@link #lock}: set before it checks whether there is work, so a
   * writer or acknowledgement that changes that after the check sees it and wakes the sender (and
   * nobody takes the lock to wake a sender that is busy).
   */
  private volatile boolean waiting;
  private long nextSeq;
  private long rewindTo = Long.MAX_VALUE;
  private long backoffUntilNanos;
  private volatile long lastAckNanos;
  private volatile long lastErrorNanos;
  private volatile boolean running = true;
  private final DiskCursor disk;
  private long sent;

  HandoffSender(HandoffLog log, Producer<String, byte[]> producer, String topic, DeadLetterFile deadLetters,
                PublishMetrics metrics, long memoryCap, long replayEnd) {
    this(log, producer, topic, deadLetters, metrics, memoryCap, replayEnd, IDLE_WAIT_MS);
  }

  /** With another bound on a wait without wake-up (tests make it hours, so a missed wake-up hangs). */
  HandoffSender(HandoffLog log, Producer<String, byte[]> producer, String topic, DeadLetterFile deadLetters,
                PublishMetrics metrics, long memoryCap, long replayEnd, long idleWaitMs) {
    this.log = Objects.requireNonNull(log, "log");
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.memoryCap = memoryCap;
    this.replayEnd = replayEnd;
    this.idleWaitMs = idleWaitMs;
    Map.Entry<Long, Segment> first = log.segments().firstEntry();
    this.nextSeq = first == null ? log.durableEnd() : first.getKey();
    this.disk = new DiskCursor(log.segments());
    this.thread = new Thread(this::run, "usage-handoff-sender");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /**
   * A group the writer made durable (writer thread; the log's end already covers it). Kept in
   * memory if it fits, else read back later. Takes the lock only to wake a waiting sender.
   */
  void offer(List<Framing.Rec> records) {
    long bytes = 0;
    for (Framing.Rec r : records) {
      bytes += r.bytes();
    }
    // Memory must stay one contiguous run; after a dropped group, the disk fills the gap first.
    // Only this thread adds: the last record can only be taken (by the sender), never replaced.
    Framing.Rec last = memory.peekLast();
    if ((last == null || last.seq() + 1 == records.get(0).seq()) && reserve(bytes)) {
      memory.addAll(records);
    }
    if (waiting) {
      synchronized (lock) {
        lock.notifyAll();
      }
    }
  }

  /** Adds {@code bytes} to the memory in use unless that passes the cap (atomic: the sender reserves too). */
  private boolean reserve(long bytes) {
    for (long used = memoryBytes.get(); used + bytes <= memoryCap; used = memoryBytes.get()) {
      if (memoryBytes.compareAndSet(used, used + bytes)) {
        return true;
      }
    }
    return false;
  }

  /** Reserves what is left below the cap (for a read from disk) and returns it; 0 when there is none. */
  private long reserveRest() {
    for (long used = memoryBytes.get(); used < memoryCap; used = memoryBytes.get()) {
      if (memoryBytes.compareAndSet(used, memoryCap)) {
        return memoryCap - used;
      }
    }
    return 0;
  }

  private void run() {
    while (running) {
      try {
        List<Framing.Rec> batch = next();
        if (batch != null) {
          send(batch);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException | IOException e) {
        LOG.warn("hand-off sender: {}; retrying", e.toString());
        failed(nextSeq(), null);
      }
    }
  }

  private long nextSeq() {
    synchronized (lock) {
      return nextSeq;
    }
  }

  /** The next records to send, in order (waits while there is nothing to do or memory is full). */
  private List<Framing.Rec> next() throws InterruptedException, IOException {
    long from;
    long limit;
    long budget;
    synchronized (lock) {
      while (running) {
        waiting = true;
        if (ready()) {
          break;
        }
        // Woken by new records, a release of memory, a failure or close; a backoff ends by the clock.
        long backoffNanos = backoffUntilNanos - System.nanoTime();
        lock.wait(backoffNanos > 0 ? Math.min((backoffNanos + 999_999) / 1_000_000, idleWaitMs) : idleWaitMs);
      }
      waiting = false;
      if (!running) {
        return null;
      }
      if (rewindTo < nextSeq) {
        nextSeq = rewindTo;
      }
      rewindTo = Long.MAX_VALUE;
      while (!memory.isEmpty() && memory.peekFirst().seq() < nextSeq) {
        // Sent already: read from disk while the writer was handing it over, or before a rewind.
        memoryBytes.addAndGet(-memory.pollFirst().bytes());
      }
      if (!memory.isEmpty() && memory.peekFirst().seq() == nextSeq) {
        List<Framing.Rec> batch = new ArrayList<>();
        // Only the run that follows on: a group the writer dropped (no room) and a later one it
        // queued once memory had emptied leave a gap in the deque, which the disk fills first.
        Framing.Rec r;
        while (batch.size() < MAX_BATCH && (r = memory.peekFirst()) != null && r.seq() == nextSeq) {
          batch.add(memory.pollFirst()); // its bytes stay counted until acknowledged
          nextSeq++;
        }
        return batch;
      }
      from = nextSeq;
      limit = memory.isEmpty() ? log.durableEnd() : memory.peekFirst().seq();
      budget = reserveRest(); // reserved while reading, so the writer's offers cannot take it meanwhile
      if (budget == 0) {
        // A gap before the queued records and no room to read it: the queue goes (its records are
        // on disk) and frees the room, else a queue filling memory with nothing in flight stalls.
        for (Framing.Rec dropped; (dropped = memory.pollFirst()) != null; ) {
          memoryBytes.addAndGet(-dropped.bytes());
        }
        return List.of();
      }
    }
    List<Framing.Rec> batch = new ArrayList<>();
    long after = from;
    boolean readOk = false;
    try {
      after = disk.read(from, limit, budget, MAX_BATCH, batch);
      readOk = true;
    } finally {
      long read = 0;
      for (int i = 0; readOk && i < batch.size(); i++) {
        read += batch.get(i).bytes(); // a failed read's records are dropped: so is their room
      }
      synchronized (lock) {
        if (nextSeq == from) {
          nextSeq = after;
        }
        memoryBytes.addAndGet(read - budget); // the reservation becomes what was actually read
      }
    }
    return batch;
  }

  private boolean ready() {
    long from = Math.min(nextSeq, rewindTo);
    if (System.nanoTime() < backoffUntilNanos || from >= log.durableEnd()) {
      return false;
    }
    // Records queued in memory are counted already: sending them takes no more. Only a read from
    // disk needs room; without it, queued records after a gap are dropped to make some (next()),
    // so memory full of queued records with nothing in flight cannot stall.
    return memoryBytes.get() < memoryCap || !memory.isEmpty();
  }

  private void send(List<Framing.Rec> batch) {
    for (int i = 0; i < batch.size(); i++) {
      Framing.Rec rec = batch.get(i);
      while (running && KillPoints.holdSend(sent)) {
        java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // test hook: wait for the halt
      }
      sent++;
      try {
        producer.send(new ProducerRecord<>(topic, rec.key(), rec.value()), (meta, error) -> done(rec, error));
      } catch (RuntimeException e) {
        // Not sent (metadata or buffer wait timed out, producer closed): resend from here after a pause.
        long unsent = 0;
        for (int j = i; j < batch.size(); j++) {
          unsent += batch.get(j).bytes();
        }
        if (KafkaUsagePublisher.permanent(e)) {
          done(rec, e);
          unsent -= rec.bytes();
        }
        release(unsent);
        failed(rec.seq(), e);
        return;
      }
    }
  }

  private void done(Framing.Rec rec, Exception error) {
    if (error == null) {
      log.ack(rec.seq(), rec.bytes());
      lastAckNanos = System.nanoTime();
      if (rec.seq() < replayEnd) {
        metrics.replayed();
      } else {
        metrics.published();
      }
    } else if (KafkaUsagePublisher.permanent(error)) {
      quarantine(rec, error);
      log.ack(rec.seq(), rec.bytes()); // handled: it must not hold back the truncation of its segment
    } else {
      metrics.retried();
      failed(rec.seq(), error);
    }
    release(rec.bytes());
  }

  private void quarantine(Framing.Rec rec, Throwable error) {
    try {
      deadLetters.append(rec.value());
      metrics.quarantined();
      LOG.error("usage event {} ({} bytes) is refused by Kafka for good ({}); kept in {} instead of retried",
          rec.key(), rec.value().length, error.getClass().getSimpleName(), DeadLetterFile.NAME);
    } catch (RuntimeException e) {
      metrics.failed();
      LOG.error("usage event {} refused by Kafka and the dead-letter file failed too ({})", rec.key(), e.toString());
    }
  }

  /** Acknowledged or unsent bytes leave memory (producer callback thread): no lock unless the sender waits. */
  private void release(long bytes) {
    memoryBytes.addAndGet(-bytes);
    if (waiting) {
      synchronized (lock) {
        lock.notifyAll();
      }
    }
  }

  private void failed(long seq, Exception error) {
    long now = System.nanoTime();
    boolean first = lastErrorNanos <= lastAckNanos;
    lastErrorNanos = now;
    synchronized (lock) {
      rewindTo = Math.min(rewindTo, seq);
      backoffUntilNanos = now + BACKOFF_MS * 1_000_000;
      if (waiting) {
        lock.notifyAll(); // it recomputes its wait: until the backoff ends
      }
    }
    if (first && error != null) {
      LOG.warn("Kafka does not take usage events ({}); they wait in the hand-off log and are resent", error.toString());
    }
  }

  /** Nanos of the last acknowledgement (0 = none yet). */
  long lastAckNanos() {
    return lastAckNanos;
  }

  /** Nanos of the last send failure (0 = none yet). */
  long lastErrorNanos() {
    return lastErrorNanos;
  }

  /** Bytes of unacknowledged records held in memory (queued and in flight). */
  long memoryBytes() {
    return memoryBytes.get();
  }

  /** True once every record written so far was sent (not necessarily acknowledged). */
  boolean caughtUp() {
    synchronized (lock) {
      return nextSeq >= log.durableEnd() && rewindTo == Long.MAX_VALUE;
    }
  }

  @Override
  public void close() {
    running = false;
    synchronized (lock) {
      lock.notifyAll();
    }
    try {
      thread.join(10_000);
      disk.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      LOG.debug("closing segment reader: {}", e.toString());
    }
  }
}
