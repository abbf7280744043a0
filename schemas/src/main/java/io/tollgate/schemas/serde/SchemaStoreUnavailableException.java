package io.tollgate.schemas.serde;

import org.apache.kafka.common.errors.RetriableException;

/**
 * The schema store could not answer (its topic unreadable within the timeout). Deliberately not a
 * {@link org.apache.kafka.common.errors.SerializationException}: the bytes may be perfectly good,
 * so they must be retried, never dead-lettered or skipped as poison.
 */
public final class SchemaStoreUnavailableException extends RetriableException {
  private static final long serialVersionUID = 1L;

  public SchemaStoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  /** True when {@code e} or one of its causes is one (Streams wraps what a processor throws). */
  public static boolean isCauseOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SchemaStoreUnavailableException) {
        return true;
      }
    }
    return false;
  }
}
