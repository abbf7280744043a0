package io.tollgate.reconciler.provider;

/**
 * A provider's admin API refused or failed a report request. The message names the endpoint,
 * the status and the provider's own error message (truncated), never the admin key.
 */
public final class AdminApiException extends RuntimeException {
  private final int status;

  public AdminApiException(String message, int status) {
    super(message);
    this.status = status;
  }

  public AdminApiException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
  }

  /** HTTP status, 0 when there was no answer. */
  public int status() {
    return status;
  }
}
