package io.tollgate.aggregator.topology;

import io.tollgate.schemas.UsageEvent;

/** A usage record after decoding: the event, or (for poison records) the original bytes. */
record DecodedUsage(UsageEvent event, byte[] raw) {
  boolean poison() {
    return event == null;
  }
}
