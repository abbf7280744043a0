package io.tollgate.ingress.publish;

import io.tollgate.schemas.UsageEvent;
import java.util.concurrent.CompletionStage;

/** Where the gateway hands finished usage events. */
public interface UsagePublisher extends AutoCloseable {
  /**
   * Hands one event over without blocking; the stage completes once the event is durable (on the
   * gateway's disk, per the fsync policy) and fails when it could not be recorded. The caller
   * ends the client's response when it completes, either way.
   */
  CompletionStage<Void> publish(UsageEvent event);

  /** The hand-off's state (readiness, metrics). */
  HandoffStatus status();

  /** Hands over everything in flight; nothing acknowledged is lost, nothing unacknowledged is dropped. */
  @Override
  void close();
}
