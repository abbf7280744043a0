package io.tollgate.ingress.publish;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Test hooks that kill the gateway at exact points of the hand-off, for the gateway-kill tests
 * (a child JVM started with these system properties). Off unless a property is set; read once.
 * {@link Runtime#halt} runs no shutdown hook and flushes nothing, as a SIGKILL would.
 *
 * <ul>
 *   <li>{@code tollgate.test.halt_after_responses=N}: halt right after the N-th answered call's
 *       last byte was handed to the client's socket (its event is on disk; Kafka may not have it).
 *   <li>{@code tollgate.test.hold_after_records=N}: the sender sends N records, then sends nothing
 *       more; the {@value #ANSWERS_WHILE_HELD}-th call answered after that halts the gateway, so
 *       several answered calls' events were fsync'd and never acknowledged by Kafka (halting at
 *       the first would race its own last bytes to the client).
 * </ul>
 *
 * <p>Static because the hooks belong to the process, not to one gateway object; nothing in
 * production sets them.
 */
public final class KillPoints {
  private static final long HALT_AFTER_RESPONSES = Long.getLong("tollgate.test.halt_after_responses", -1);
  private static final long HOLD_AFTER_RECORDS = Long.getLong("tollgate.test.hold_after_records", -1);
  private static final AtomicLong RESPONSES = new AtomicLong();
  private static final AtomicLong ANSWERED_WHILE_HELD = new AtomicLong();
  static final int ANSWERS_WHILE_HELD = 5;
  private static volatile boolean holding;

  private KillPoints() {
  }

  /** A call's response was fully handed to the client. */
  public static void responseCompleted() {
    if (HALT_AFTER_RESPONSES < 0 && HOLD_AFTER_RECORDS < 0) {
      return;
    }
    long n = RESPONSES.incrementAndGet();
    boolean heldEnough = holding && ANSWERED_WHILE_HELD.incrementAndGet() >= ANSWERS_WHILE_HELD;
    if ((HALT_AFTER_RESPONSES >= 0 && n >= HALT_AFTER_RESPONSES) || heldEnough) {
      System.out.println("TOLLGATE-KILL-POINT after response " + n + (holding ? " (sender held)" : ""));
      System.out.flush();
      Runtime.getRuntime().halt(137);
    }
  }

  /** True when the sender must not send its {@code sent}-th record (it then waits for the halt). */
  static boolean holdSend(long sent) {
    if (HOLD_AFTER_RECORDS >= 0 && sent >= HOLD_AFTER_RECORDS) {
      holding = true;
      return true;
    }
    return false;
  }
}
