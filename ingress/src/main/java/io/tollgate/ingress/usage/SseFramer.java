package io.tollgate.ingress.usage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private final ByteArrayOutputStream data = new ByteArrayOutputStream(1024);
  private final ByteArrayOutputStream raw;
  private String event;
  private boolean hasData;
  private boolean lastWasCr;

  public SseFramer(Listener listener, boolean keepRaw) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.keepRaw = keepRaw;
    this.raw = keepRaw ? new ByteArrayOutputStream(1024) : null;
  }

  public void feed(byte[] bytes) {
    feed(bytes, 0, bytes.length);
  }

  public void feed(byte[] bytes, int offset, int length) {
    int end = offset + length;
    for (int i = offset; i < end; i++) {
      byte b = bytes[i];
      if (keepRaw) {
        raw.write(b);
      }
      if (b == '\n' && lastWasCr) {
        lastWasCr = false; // the \n of a \r\n: the line already ended at \r
        continue;
      }
      lastWasCr = b == '\r';
      if (b == '\n' || b == '\r') {
        endLine();
      } else {
        line.write(b);
      }
    }
  }

  /** Bytes of an unfinished event at the end of the stream (to forward them unchanged), or empty. */
  public byte[] pendingRaw() {
    return keepRaw ? raw.toByteArray() : new byte[0];
  }

  private void endLine() {
    if (line.size() == 0) {
      dispatch();
      return;
    }
    byte[] l = line.toByteArray();
    line.reset();
    if (l[0] == ':') {
      return; // comment
    }
    int colon = indexOf(l, (byte) ':');
    String field = new String(l, 0, colon < 0 ? l.length : colon, StandardCharsets.UTF_8);
    int valueStart = colon < 0 ? l.length : colon + 1;
    if (valueStart < l.length && l[valueStart] == ' ') {
      valueStart++;
    }
    switch (field) {
      case "data" -> {
        if (hasData) {
          data.write('\n');
        }
        data.write(l, valueStart, l.length - valueStart);
        hasData = true;
      }
      case "event" -> event = new String(l, valueStart, l.length - valueStart, StandardCharsets.UTF_8);
      default -> {
        // id:, retry: and unknown fields do not matter for metering
      }
    }
  }

  private void dispatch() {
    if (hasData || event != null) {
      listener.onEvent(event, data.toByteArray(), keepRaw ? raw.toByteArray() : null);
    } else if (keepRaw && raw.size() > 0) {
      // blank line(s) or comments alone: hand them on as an event without data so nothing is lost
      listener.onEvent(null, new byte[0], raw.toByteArray());
    }
    data.reset();
    if (keepRaw) {
      raw.reset();
    }
    event = null;
    hasData = false;
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
