package io.tollgate.ingress.provider;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Tells a blocked event loop from a starved machine. Vert.x's checker measures wall time, so on a
 * loaded 2-core machine a loop thread that simply was not scheduled looks blocked too. This
 * thread asks for 5 ms naps and records every nap that took over {@link #STALL_MS}: when a
 * "blocked" warning falls into such a stall, nothing on the loop was to blame — every thread of
 * the JVM waited for a core.
 */
final class StarvationCanary implements AutoCloseable {
  static final long STALL_MS = 40;
  private final List<long[]> stalls = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  StarvationCanary() {
    thread = new Thread(() -> {
      while (running) {
        long before = System.currentTimeMillis();
        LockSupport.parkNanos(5_000_000);
        long after = System.currentTimeMillis();
        if (after - before > STALL_MS) {
          stalls.add(new long[] {before, after});
        }
      }
    }, "starvation-canary");
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether the JVM as a whole stalled during [fromMs, toMs] (wall clock). */
  boolean starvedDuring(long fromMs, long toMs) {
    return stalls.stream().anyMatch(s -> s[0] < toMs && s[1] > fromMs);
  }

  @Override
  public void close() {
    running = false;
  }
}
