package io.tollgate.alerting.notify;

import io.tollgate.alerting.rules.Period;
import io.tollgate.schemas.Alert;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The deliveries that are done (delivered or dead-lettered), bounded by age and by size. Each entry
 * carries its alert's reference time (the end of the alert's period, see {@link #reference});
 * an entry is forgotten exactly when {@link #expired} would refuse its alert, so forgetting never
 * lets an alert be sent twice. The size bound is a safety net against an alert storm; reaching it
 * is logged by the caller.
 */
final class DeliveredSet {
  private final Duration keep;
  private final int maxEntries;
  private final LinkedHashMap<String, Instant> entries = new LinkedHashMap<>();

  DeliveredSet(Duration keep, int maxEntries) {
    this.keep = keep;
    this.maxEntries = maxEntries;
  }

  /**
   * The time an alert's delivery record is kept by: the end of the alert's period, or the record's
   * time if later. The delivered set forgets an entry exactly when its alert would be expired
   * anyway, so no alert can be sent after its delivery was forgotten.
   */
  static Instant reference(Alert alert, long recordMillis) {
    Instant end;
    try {
      end = Period.valueOf(alert.getPeriod().toUpperCase(Locale.ROOT)).next(alert.getWindowStart());
    } catch (IllegalArgumentException e) {
      end = alert.getWindowStart().plus(Duration.ofDays(32)); // a period this version does not know
    }
    Instant written = Instant.ofEpochMilli(recordMillis);
    return written.isAfter(end) ? written : end;
  }

  boolean contains(String key) {
    return entries.containsKey(key);
  }

  /** Records {@code key} as done, kept by {@code at}; returns the keys evicted to stay within the size. */
  List<String> add(String key, Instant at) {
    entries.remove(key); // re-inserted at the end: the newest stays longest
    entries.put(key, at);
    List<String> evicted = new ArrayList<>();
    for (Iterator<String> it = entries.keySet().iterator(); entries.size() > maxEntries && it.hasNext(); ) {
      evicted.add(it.next());
      it.remove();
    }
    return evicted;
  }

  void remove(String key) {
    entries.remove(key);
  }

  /** Forgets entries kept by a time more than {@code keep} before {@code now}; returns the forgotten keys. */
  List<String> prune(Instant now) {
    Instant cutoff = now.minus(keep);
    List<String> forgotten = new ArrayList<>();
    for (Iterator<Map.Entry<String, Instant>> it = entries.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Instant> e = it.next();
      if (e.getValue().isBefore(cutoff)) {
        forgotten.add(e.getKey());
        it.remove();
      }
    }
    return forgotten;
  }

  /** True when an alert of reference time {@code reference} is too old to deliver (its entry may be forgotten). */
  boolean expired(Instant reference, Instant now) {
    return reference.isBefore(now.minus(keep));
  }

  int size() {
    return entries.size();
  }
}
