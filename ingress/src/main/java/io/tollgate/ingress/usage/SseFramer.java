package io.tollgate.ingress.usage;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Splits a Server-Sent-Events byte stream into events as bytes arrive, whatever the chunking
 * (a line, even a UTF-8 character, may straddle chunks). Handles {@code \n}, {@code \r\n} and
 * {@code \r} line ends, multi-line {@code data:}, {@code event:} names and {@code :} comments.
 * Holds at most one event in memory. Not thread-safe: one framer per stream.
 */
public final class SseFramer {
  /** Receives complete events. */
  @FunctionalInterface
  public interface Listener {
    /**
     * @param event the {@code event:} name, or null
     * @param data  the {@code data:} lines joined with {@code \n}, as bytes
     * @param raw   the event's bytes exactly as received (terminating blank line included), or null
     *              when the framer does not keep them
     */
    void onEvent(String event, byte[] data, byte[] raw);
  }

  private final Listener listener;
  private final boolean keepRaw;
  /** The start of a line that straddles chunks (empty while lines are read in place from the chunk). */
  private final Bytes line = new Bytes(256);
  private final Bytes data = new Bytes(1024);
  /** The current event's raw bytes from earlier chunks (its part in the current chunk is copied at its end). */
  private final Bytes raw;
  /** Recent {@code event:} names: a stream repeats a handful, so each is decoded once, not once per event. */
  private final String[] names = new String[8];
  private int nextName;
  /** The slot of the name found last. */
  private int lastName;
  private String event;
  private boolean hasData;
  private boolean lastWasCr;

  public SseFramer(Listener listener, boolean keepRaw) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.keepRaw = keepRaw;
    this.raw = keepRaw ? new Bytes(1024) : null;
  }

  public void feed(byte[] bytes) {
    feed(bytes, 0, bytes.length);
  }

  /**
   * Scans for line ends and reads each complete line where it lies in {@code bytes}; only the
   * unfinished line at a chunk's end is copied (per byte work here is what a streamed answer
   * costs the gateway for every event it passes through).
   */
  public void feed(byte[] bytes, int offset, int length) {
    int end = offset + length;
    int i = offset;
    rawFrom = offset;
    if (i < end && lastWasCr) {
      lastWasCr = false;
      if (bytes[i] == '\n') {
        i++; // the \n of a \r\n split across chunks: the line already ended at \r
      }
    }
    while (i < end) {
      int eol = lineEnd(bytes, i, end);
      if (eol == end) {
        line.write(bytes, i, end - i); // unfinished: the rest comes with the next chunk
        break;
      }
      int next = eol + 1;
      if (bytes[eol] == '\r') {
        if (next < end) {
          if (bytes[next] == '\n') {
            next++;
          }
        } else {
          lastWasCr = true;
        }
      }
      if (line.size == 0) {
        endLine(bytes, i, eol, bytes, next);
      } else {
        line.write(bytes, i, eol - i);
        endLine(line.array, 0, line.size, bytes, next);
        line.size = 0;
      }
      i = next;
    }
    if (keepRaw && rawFrom < end) {
      raw.write(bytes, rawFrom, end - rawFrom);
    }
  }

  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long LFS = 0x0A0A0A0A0A0A0A0AL;
  private static final long CRS = 0x0D0D0D0D0D0D0D0DL;
  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  /**
   * The index of the first {@code \n} or {@code \r} in {@code b[from, end)}, or {@code end}. Eight
   * bytes per step (a streamed answer is mostly long {@code data:} lines): a byte {@code v} of the
   * word is a line end where {@code v ^ LF} or {@code v ^ CR} is zero, and the lowest flagged byte
   * of {@code (x - 0x01…) & ~x & 0x80…} is exactly the first zero byte of {@code x} (a borrow can
   * only flag bytes above a real zero).
   */
  static int lineEnd(byte[] b, int from, int end) {
    int i = from;
    while (i + Long.BYTES <= end) {
      long w = (long) LONGS.get(b, i);
      long lf = w ^ LFS;
      long cr = w ^ CRS;
      long hits = (((lf - ONES) & ~lf) | ((cr - ONES) & ~cr)) & HIGHS;
      if (hits != 0) {
        return i + (Long.numberOfTrailingZeros(hits) >>> 3);
      }
      i += Long.BYTES;
    }
    while (i < end && b[i] != '\n' && b[i] != '\r') {
      i++;
    }
    return i;
  }

  /** Where the current event's raw bytes start in the chunk being fed. */
  private int rawFrom;

  /** Bytes of an unfinished event at the end of the stream (to forward them unchanged), or empty. */
  public byte[] pendingRaw() {
    return keepRaw ? raw.toByteArray() : new byte[0];
  }

  /**
   * One line, {@code l[from, to)}, without its line end; {@code chunk} and {@code next}: the chunk
   * being fed and where the line's end ends in it (an event's raw bytes run up to there).
   */
  private void endLine(byte[] l, int from, int to, byte[] chunk, int next) {
    if (from == to) {
      dispatch(chunk, next);
      return;
    }
    if (l[from] == ':') {
      return; // comment
    }
    int colon = from;
    while (colon < to && l[colon] != ':') {
      colon++;
    }
    int valueStart = colon < to ? colon + 1 : to;
    if (valueStart < to && l[valueStart] == ' ') {
      valueStart++;
    }
    int fieldLength = colon - from;
    if (fieldLength == 4 && l[from] == 'd' && l[from + 1] == 'a' && l[from + 2] == 't' && l[from + 3] == 'a') {
      if (hasData) {
        data.write('\n');
      }
      data.write(l, valueStart, to - valueStart);
      hasData = true;
    } else if (fieldLength == 5 && l[from] == 'e' && l[from + 1] == 'v' && l[from + 2] == 'e' && l[from + 3] == 'n'
        && l[from + 4] == 't') {
      event = name(l, valueStart, to);
    }
    // id:, retry: and unknown fields do not matter for metering
  }

  private String name(byte[] l, int from, int to) {
    int n = to - from;
    // A stream repeats the last name most (content deltas), so that one is tried first.
    String last = names[lastName];
    if (last != null && last.length() == n && sameAscii(last, l, from)) {
      return last;
    }
    for (int k = 0; k < names.length; k++) {
      String known = names[k];
      if (known != null && known.length() == n && sameAscii(known, l, from)) {
        lastName = k;
        return known;
      }
    }
    String s = new String(l, from, n, StandardCharsets.UTF_8);
    lastName = nextName;
    names[nextName] = s;
    nextName = (nextName + 1) % names.length;
    return s;
  }

  /** Compared from the end: names of one stream share their start ({@code content_block_…}). */
  private static boolean sameAscii(String s, byte[] l, int from) {
    for (int k = s.length() - 1; k >= 0; k--) {
      if (s.charAt(k) != l[from + k]) { // a non-ASCII byte is negative and never equals a char
        return false;
      }
    }
    return true;
  }

  private void dispatch(byte[] chunk, int next) {
    byte[] rawEvent = null;
    if (keepRaw) {
      raw.write(chunk, rawFrom, next - rawFrom);
      rawFrom = next;
      rawEvent = raw.size > 0 ? raw.toByteArray() : null;
    }
    if (hasData || event != null) {
      listener.onEvent(event, data.toByteArray(), rawEvent);
    } else if (rawEvent != null) {
      // blank line(s) or comments alone: hand them on as an event without data so nothing is lost
      listener.onEvent(null, new byte[0], rawEvent);
    }
    data.size = 0;
    if (keepRaw) {
      raw.size = 0;
    }
    event = null;
    hasData = false;
  }

  /** A growable byte array without {@link java.io.ByteArrayOutputStream}'s lock on every write. */
  private static final class Bytes {
    byte[] array;
    int size;

    Bytes(int capacity) {
      array = new byte[capacity];
    }

    void write(int b) {
      ensure(1);
      array[size++] = (byte) b;
    }

    void write(byte[] b, int from, int n) {
      ensure(n);
      System.arraycopy(b, from, array, size, n);
      size += n;
    }

    private void ensure(int n) {
      if (size + n > array.length) {
        array = Arrays.copyOf(array, Math.max(array.length * 2, size + n));
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(array, size);
    }
  }
}
