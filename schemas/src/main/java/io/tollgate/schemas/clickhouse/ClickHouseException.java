package io.tollgate.schemas.clickhouse;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.Set;

/**
 * A failed ClickHouse call. {@link #isRetryable()} tells a caller (the sink, the migration
 * runner) whether waiting and trying again can help — the server being down, overloaded or slow —
 * or whether the request itself is wrong. Messages never contain credentials.
 */
public final class ClickHouseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Server error codes that describe a passing condition, not a wrong request. */
  private static final Set<Integer> RETRYABLE_CODES = Set.of(
      3,    // UNEXPECTED_END_OF_FILE: request cut in transit
      159,  // TIMEOUT_EXCEEDED
      164,  // READONLY (replica temporarily read-only)
      202,  // TOO_MANY_SIMULTANEOUS_QUERIES
      203,  // NO_FREE_CONNECTION
      209,  // SOCKET_TIMEOUT
      210,  // NETWORK_ERROR
      241,  // MEMORY_LIMIT_EXCEEDED
      242,  // TABLE_IS_READ_ONLY
      252,  // TOO_MANY_PARTS
      319,  // UNKNOWN_STATUS_OF_INSERT
      425,  // SYSTEM_ERROR
      999); // KEEPER_EXCEPTION

  /** Error code of "table already exists" (used for the migration lock). */
  public static final int TABLE_ALREADY_EXISTS = 57;

  private final int code;
  private final boolean retryable;

  ClickHouseException(String message, int code, boolean retryable, Throwable cause) {
    super(message + (retryable ? " (retry may help)" : " (retry will not help)"), cause);
    this.code = code;
    this.retryable = retryable;
  }

  /** Classifies a driver failure; {@code secret} (the password) is removed from the message. */
  static ClickHouseException from(String action, Throwable failure, String secret) {
    int code = failure instanceof SQLException sql ? sql.getErrorCode() : 0;
    boolean retryable = RETRYABLE_CODES.contains(code) || transportFailure(failure);
    String detail = firstLine(failure.getMessage());
    if (secret != null && !secret.isEmpty() && detail != null) {
      detail = detail.replace(secret, "****");
    }
    String message = action + " failed" + (code > 0 ? " (ClickHouse code " + code + ")" : "")
        + ": " + (detail == null ? failure.getClass().getSimpleName() : detail);
    return new ClickHouseException(message, code, retryable, failure);
  }

  private static boolean transportFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof SocketTimeoutException
          || t instanceof SocketException || t instanceof java.net.UnknownHostException) {
        return true;
      }
      if (t instanceof IOException && !(t.getCause() instanceof SQLException)
          && t.getClass().getName().startsWith("org.apache.http")) {
        return true; // NoHttpResponseException, ConnectionClosedException, ...
      }
    }
    return false;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return null;
    }
    String trimmed = s.strip();
    int nl = trimmed.indexOf('\n');
    String line = nl < 0 ? trimmed : trimmed.substring(0, nl);
    return line.length() > 500 ? line.substring(0, 500) + "…" : line;
  }

  /** The server's error code, or 0 when the failure happened before the server answered. */
  public int code() {
    return code;
  }

  /** True when the same call may succeed later unchanged. */
  public boolean isRetryable() {
    return retryable;
  }
}
