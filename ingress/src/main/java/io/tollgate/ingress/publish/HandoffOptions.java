package io.tollgate.ingress.publish;

import java.util.Locale;

/**
 * How the {@link HandoffLog} syncs and how much it keeps.
 *
 * @param fsync           when appended records are forced to disk (see {@link Fsync})
 * @param fsyncIntervalMs for {@link Fsync#INTERVAL_MS}: at most this long between fsyncs
 * @param segmentBytes    a segment is rolled once it is this large (or fully acknowledged)
 * @param memoryBytes     unacknowledged records kept in memory for sending; beyond it the sender
 *                        reads them back from the segments, so a long Kafka outage cannot fill the heap
 * @param backlogLimitBytes readiness fails once this many bytes wait for Kafka (0 = no limit)
 * @param preallocate     segments are zero-filled and forced ahead of use (by a thread of their
 *                        own, while the segment before fills up), so an fsync after a group only
 *                        flushes data, not the file's growing size and new blocks; has no effect
 *                        with {@link Fsync#NONE}, which never fsyncs
 */
public record HandoffOptions(Fsync fsync, long fsyncIntervalMs, long segmentBytes, long memoryBytes,
                             long backlogLimitBytes, boolean preallocate) {
  public static final long DEFAULT_FSYNC_INTERVAL_MS = 10;
  public static final long DEFAULT_SEGMENT_BYTES = 16L * 1024 * 1024;
  public static final long DEFAULT_MEMORY_BYTES = 32L * 1024 * 1024;
  public static final long DEFAULT_BACKLOG_LIMIT_BYTES = 1024L * 1024 * 1024;
  public static final HandoffOptions DEFAULTS = new HandoffOptions(Fsync.GROUP, DEFAULT_FSYNC_INTERVAL_MS,
      DEFAULT_SEGMENT_BYTES, DEFAULT_MEMORY_BYTES, DEFAULT_BACKLOG_LIMIT_BYTES, true);

  public HandoffOptions {
    java.util.Objects.requireNonNull(fsync, "fsync");
    fsyncIntervalMs = Math.max(1, fsyncIntervalMs);
    segmentBytes = Math.max(64 * 1024, segmentBytes);
    memoryBytes = Math.max(1024 * 1024, memoryBytes);
    backlogLimitBytes = Math.max(0, backlogLimitBytes);
  }

  /** Same, preallocating segments (the default). */
  public HandoffOptions(Fsync fsync, long fsyncIntervalMs, long segmentBytes, long memoryBytes, long backlogLimitBytes) {
    this(fsync, fsyncIntervalMs, segmentBytes, memoryBytes, backlogLimitBytes, true);
  }

  public HandoffOptions withFsync(Fsync policy) {
    return new HandoffOptions(policy, fsyncIntervalMs, segmentBytes, memoryBytes, backlogLimitBytes, preallocate);
  }

  public HandoffOptions withPreallocate(boolean on) {
    return new HandoffOptions(fsync, fsyncIntervalMs, segmentBytes, memoryBytes, backlogLimitBytes, on);
  }

  /** Whether segments are preallocated: asked for, and there are fsyncs for it to make cheaper. */
  boolean preallocates() {
    return preallocate && fsync != Fsync.NONE;
  }

  /**
   * When appends reach the disk. Under every policy an append completes only once its record is
   * written to the file (the kernel's page cache), so a killed gateway loses nothing; the policies
   * differ in what a power loss or kernel crash can take.
   */
  public enum Fsync {
    /** fdatasync after every group, before the group's appends complete: a power loss loses nothing answered. */
    GROUP,
    /** fdatasync at most every {@code fsync_interval_ms}: a power loss loses up to that much. */
    INTERVAL_MS,
    /** never forced (the kernel writes back, ~30 s on Linux): a power loss loses that much. */
    NONE;

    /** The config spelling ({@code group}, {@code interval_ms}, {@code none}), or null when unknown. */
    public static Fsync parse(String value) {
      if (value == null) {
        return null;
      }
      return switch (value.trim().toLowerCase(Locale.ROOT)) {
        case "group" -> GROUP;
        case "interval_ms", "interval" -> INTERVAL_MS;
        case "none" -> NONE;
        default -> null;
      };
    }

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
