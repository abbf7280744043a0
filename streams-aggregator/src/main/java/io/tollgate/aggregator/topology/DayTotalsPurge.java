package io.tollgate.aggregator.topology;

import io.tollgate.schemas.SpendTotal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Retention of the day totals (key, customer and request tag × UTC day), which otherwise grow
 * with days forever: once stream time passes a day's end plus the grace (24 h by default, as the
 * windows), its total is deleted from {@code day-totals} and a tombstone is written for its key
 * to {@code tollgate.spend-totals.v1}, so compaction drops it. Sits after the day-total aggregation, sees every total it emits and indexes each key once
 * ({@link #EXPIRY_STORE}, purge time → key); a stream-time punctuation every minute purges. A
 * delta for a day already past end + grace is dropped before the aggregation ({@link Late}) and
 * counted: re-creating a purged total would publish a partial one (windows drop such events too;
 * they still reach {@code usage_events}).
 */
final class DayTotalsPurge implements Processor<String, Totals, String, SpendTotal> {
  static final String STORE = "day-totals";
  /** purge time (20 digits) + day key → day key. */
  static final String EXPIRY_STORE = "day-totals-expiry";
  static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
  static final int MAX_PURGE = 10_000;

  private final long graceMillis;
  private ProcessorContext<String, SpendTotal> context;
  private KeyValueStore<String, ValueAndTimestamp<Totals>> totals;
  private KeyValueStore<String, String> expiry;

  DayTotalsPurge(Duration grace) {
    this.graceMillis = grace.toMillis();
  }

  static StoreBuilder<?> expiryStore() {
    return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EXPIRY_STORE), Serdes.String(), Serdes.String());
  }

  /** When the day total of {@code key} ({@code scope|scope_id|day}) may go: the day's end + grace. */
  static long purgeAt(String key, long graceMillis) {
    String[] parts = SpendKeys.split(key, 3);
    long end = LocalDate.parse(parts[2]).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    return BudgetPeriodEntries.saturatedSum(end, graceMillis);
  }

  @Override
  public void init(ProcessorContext<String, SpendTotal> context) {
    this.context = context;
    this.totals = context.getStateStore(STORE);
    this.expiry = context.getStateStore(EXPIRY_STORE);
    context.schedule(PURGE_INTERVAL, PunctuationType.STREAM_TIME, this::purge);
  }

  @Override
  public void process(Record<String, Totals> record) {
    if (record.key() == null || record.value() == null) {
      return; // a purge's own tombstone coming back from the cache
    }
    String indexKey = ExpiryIndex.key(purgeAt(record.key(), graceMillis), record.key());
    if (expiry.get(indexKey) == null) {
      expiry.put(indexKey, record.key());
    }
  }

  private void purge(long streamTime) {
    // The tombstone, sent here: the aggregation's record cache forwards a deletion too when it
    // is on (a second tombstone, harmless), but not when caching is off.
    ExpiryIndex.purgeDue(expiry, totals, streamTime, MAX_PURGE,
        key -> context.forward(new Record<String, SpendTotal>(key, null, streamTime)));
  }

  /** Drops day deltas whose day is past end + grace in stream time (the total is purged or about to be). */
  static final class Late<V> implements FixedKeyProcessor<String, V, V> {
    private final long graceMillis;
    private final TopologyMetrics metrics;
    private FixedKeyProcessorContext<String, V> context;

    Late(Duration grace, TopologyMetrics metrics) {
      this.graceMillis = grace.toMillis();
      this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void init(FixedKeyProcessorContext<String, V> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
      if (record.key() != null && purgeAt(record.key(), graceMillis) <= context.currentStreamTimeMs()) {
        metrics.dayTotalLate(1);
        return;
      }
      context.forward(record);
    }
  }
}
