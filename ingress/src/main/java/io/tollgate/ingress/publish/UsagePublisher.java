package io.tollgate.ingress.publish;

import io.tollgate.schemas.UsageEvent;

/** Where the gateway hands finished usage events. Must never block the caller. */
public interface UsagePublisher extends AutoCloseable {
  void publish(UsageEvent event);

  /** True when events currently reach Kafka (readiness). */
  boolean healthy();

  /** Flushes or spills everything in flight; nothing is dropped. */
  @Override
  void close();
}
