package io.tollgate.alerting.notify;

import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the {@link DeliveryLog} says about deliveries: those finished (never sent again) and those a
 * notifier died in the middle of (intent recorded, outcome not: resent marked as possible repeats).
 * Both forget an entry once its alert would be expired anyway.
 */
final class FinishedDeliveries {
  /** The notifier's logger: these lines are its own. */
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

  private final Duration keep;
  private final int maxEntries;
  private final DeliveredSet delivered;
  private final DeliveredSet interrupted;

  FinishedDeliveries(Duration keep, int maxEntries) {
    this.keep = keep;
    this.maxEntries = maxEntries;
    this.delivered = new DeliveredSet(keep, maxEntries);
    this.interrupted = new DeliveredSet(keep, maxEntries);
  }

  /** Reads the whole delivery log: what another instance delivered until now. */
  void load(DeliveryLog log) {
    log.readAll().forEach((key, e) -> {
      if (e.finished()) {
        delivered.add(key, e.keptBy());
      } else if (!delivered.contains(key)) {
        interrupted.add(key, e.keptBy());
      }
    });
  }

  /** Forgets what is too old to matter, in the delivery log too. */
  void prune(Instant now, DeliveryLog log) {
    delivered.prune(now).forEach(log::forget);
    interrupted.prune(now).forEach(log::forget);
  }

  boolean expired(Instant reference, Instant now) {
    return delivered.expired(reference, now);
  }

  boolean finished(String key) {
    return delivered.contains(key);
  }

  boolean interrupted(String key) {
    return interrupted.contains(key);
  }

  /** The delivery {@code key} is finished (delivered or dead-lettered). */
  void finish(String key, Instant reference) {
    if (!delivered.add(key, reference).isEmpty()) {
      LOG.warn("more than {} deliveries in {} days: the oldest are forgotten early", maxEntries, keep.toDays());
    }
    interrupted.remove(key);
  }
}
