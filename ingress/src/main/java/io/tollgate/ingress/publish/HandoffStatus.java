package io.tollgate.ingress.publish;

/**
 * The hand-off's state, for readiness and metrics.
 *
 * @param writable            the log accepts writes (false after an I/O error such as a full disk)
 * @param kafkaReachable      Kafka acknowledges: nothing waits longer than a few seconds and the last
 *                            send did not fail
 * @param backlogRecords      records Kafka has not acknowledged yet
 * @param backlogBytes        their bytes on disk
 * @param oldestUnackedSeconds age of the oldest of them (0 when there is none)
 * @param lastAckSeconds      seconds since Kafka's last acknowledgement (-1: none since start)
 * @param overBacklogLimit    the backlog is above {@code tollgate.handoff.backlog_limit_mb}
 * @param fsync               the fsync policy
 * @param groups              groups written since start (a group is what queued while the last one was written)
 * @param fsyncs              fdatasyncs of those groups (the syncer's, with {@code interval_ms})
 * @param preallocatedSegments segments that began as a preallocated spare
 */
public record HandoffStatus(boolean writable, boolean kafkaReachable, long backlogRecords, long backlogBytes,
                            double oldestUnackedSeconds, double lastAckSeconds, boolean overBacklogLimit,
                            String fsync, long groups, long fsyncs, long preallocatedSegments) {
  /** For publishers without a log (tests, the warm-up). */
  public static final HandoffStatus HEALTHY = new HandoffStatus(true, true, 0, 0, 0, -1, false, "none", 0, 0, 0);

  /**
   * Whether a load balancer should send calls here: the gateway answers and records every call
   * durably as long as its log can be written and has room, whatever Kafka's state.
   */
  public boolean ready() {
    return writable && !overBacklogLimit;
  }
}
