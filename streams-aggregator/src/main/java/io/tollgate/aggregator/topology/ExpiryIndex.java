package io.tollgate.aggregator.topology;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The purge index of a totals store (budget-period and day totals): entries {@code purge time
 * (20 digits) + key → key}, so a range scan up to the stream time finds exactly the keys whose
 * time has come, oldest first.
 */
final class ExpiryIndex {
  private ExpiryIndex() {
  }

  static String key(long purgeAt, String key) {
    return pad(purgeAt) + key;
  }

  /**
   * Deletes up to {@code max} keys due at {@code streamTime} from the index and from
   * {@code totals}, telling {@code purged} of each (to send its tombstone).
   */
  static void purgeDue(KeyValueStore<String, String> expiry, KeyValueStore<String, ?> totals, long streamTime, int max,
                       Consumer<String> purged) {
    List<KeyValue<String, String>> over = new ArrayList<>();
    // Keys of one purge time are longer than its bare 20 digits, so this bound takes exactly the
    // purge times up to streamTime.
    try (KeyValueIterator<String, String> it = expiry.range(null, pad(streamTime + 1))) {
      while (it.hasNext() && over.size() < max) {
        over.add(it.next());
      }
    }
    for (KeyValue<String, String> entry : over) {
      expiry.delete(entry.key);
      totals.delete(entry.value);
      purged.accept(entry.value);
    }
  }

  private static String pad(long millis) {
    return String.format("%020d", millis);
  }
}
