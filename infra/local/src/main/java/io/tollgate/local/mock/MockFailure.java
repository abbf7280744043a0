package io.tollgate.local.mock;

import java.util.Locale;

/**
 * A failure the mock provider plays instead of (or before) a normal answer, chosen per request
 * with header {@code x-mock-fail} or for the next requests with {@link MockProvider#failNext}.
 *
 * @param kind   what happens
 * @param amount the status code ({@link Kind#STATUS}), delay in ms ({@link Kind#SLOW}) or number
 *               of SSE events sent before the connection is cut ({@link Kind#CUT})
 */
public record MockFailure(Kind kind, int amount) {
  /** Header that selects a failure for one request. */
  public static final String HEADER = "x-mock-fail";

  public enum Kind {
    /** Answer with this HTTP status and the provider's error body ({@code status:429}, {@code status:500}, {@code status:529}). */
    STATUS,
    /** Wait this many ms before the first byte, then answer normally ({@code slow:2000}). */
    SLOW,
    /** Streams: send this many SSE events, then close the connection; non-streaming: close mid-body ({@code cut:3}). */
    CUT
  }

  public MockFailure {
    if (amount < 0) {
      throw new IllegalArgumentException("failure amount must not be negative");
    }
    if (kind == Kind.STATUS && (amount < 400 || amount > 599)) {
      throw new IllegalArgumentException("status failures must be 4xx or 5xx, got " + amount);
    }
  }

  public static MockFailure status(int code) {
    return new MockFailure(Kind.STATUS, code);
  }

  public static MockFailure slow(int millis) {
    return new MockFailure(Kind.SLOW, millis);
  }

  public static MockFailure cut(int events) {
    return new MockFailure(Kind.CUT, events);
  }

  /** Parses {@code status:429}, {@code slow:500}, {@code cut:3}. */
  public static MockFailure parse(String header) {
    String[] parts = header.trim().split(":", 2);
    if (parts.length != 2) {
      throw new IllegalArgumentException(HEADER + " must be status:<code>, slow:<ms> or cut:<events>, got '" + header + "'");
    }
    int n;
    try {
      n = Integer.parseInt(parts[1].trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(HEADER + ": '" + parts[1].trim() + "' is not a number");
    }
    return switch (parts[0].trim().toLowerCase(Locale.ROOT)) {
      case "status" -> status(n);
      case "slow" -> slow(n);
      case "cut" -> cut(n);
      default -> throw new IllegalArgumentException(HEADER + ": unknown failure '" + parts[0].trim() + "'");
    };
  }
}
