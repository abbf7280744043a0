package io.tollgate.aggregator.topology;

import io.tollgate.schemas.SpendTotal;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Sums deltas into budget-period totals (input keyed by period, see {@link BudgetPeriodEntries#key})
 * and emits each new total to {@code tollgate.spend-totals.v1}. A period's state lives until stream
 * time passes its end plus the grace; then it is purged and a tombstone is emitted, so neither the
 * store nor the compacted topic grows with periods long over (a 30 s budget makes 2,880 periods a
 * day). A delta for a period already past end + grace is dropped and counted as {@link #LATE}, as
 * windowed aggregations drop late records: re-creating a purged total would publish a partial one.
 * Lifetime totals never end. Its own processor so that a per-partition pre-aggregation (issue 14)
 * can feed it summed deltas unchanged.
 */
final class BudgetPeriodTotals implements Processor<String, PeriodDelta, String, SpendTotal> {
  static final String STORE = "budget-period-totals";
  /** purge time (20 digits) + period key → period key: a range scan finds what is over. */
  static final String EXPIRY_STORE = "budget-period-expiry";
  static final String LATE = "late";
  static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);
  /** Bounds one punctuation's work; the rest goes at the next. */
  static final int MAX_PURGE = 10_000;

  private final long graceMillis;
  private final TopologyMetrics metrics;
  private ProcessorContext<String, SpendTotal> context;
  private KeyValueStore<String, PeriodTotals> totals;
  private KeyValueStore<String, String> expiry;

  BudgetPeriodTotals(Duration grace, TopologyMetrics metrics) {
    this.graceMillis = grace.toMillis();
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  static List<StoreBuilder<?>> stores() {
    return List.of(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(), PeriodTotals.serde())
            .withCachingEnabled(),
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(EXPIRY_STORE), Serdes.String(), Serdes.String()));
  }

  @Override
  public void init(ProcessorContext<String, SpendTotal> context) {
    this.context = context;
    this.totals = context.getStateStore(STORE);
    this.expiry = context.getStateStore(EXPIRY_STORE);
    context.schedule(PURGE_INTERVAL, PunctuationType.STREAM_TIME, this::purge);
  }

  @Override
  public void process(Record<String, PeriodDelta> record) {
    if (record.key() == null || record.value() == null) {
      return;
    }
    String[] parts = SpendKeys.split(record.key(), 4);
    long end = BudgetPeriodEntries.end(parts[2], Long.parseLong(parts[3]));
    long purgeAt = BudgetPeriodEntries.saturatedSum(end, graceMillis);
    if (purgeAt <= context.currentStreamTimeMs()) {
      metrics.budgetPeriodSkipped(LATE, 1);
      return;
    }
    PeriodTotals total = totals.get(record.key());
    if (total == null) {
      total = new PeriodTotals(end);
      if (end != BudgetPeriodEntries.NEVER) {
        expiry.put(ExpiryIndex.key(purgeAt, record.key()), record.key());
      }
    }
    total.add(record.value());
    totals.put(record.key(), total);
    context.forward(record.withValue(total.toSpendTotal(parts)));
  }

  /** Drops the periods whose end + grace stream time has passed, with a tombstone each. */
  private void purge(long streamTime) {
    ExpiryIndex.purgeDue(expiry, totals, streamTime, MAX_PURGE,
        key -> context.forward(new Record<String, SpendTotal>(key, null, streamTime)));
  }
}
