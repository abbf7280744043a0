package io.tollgate.aggregator.topology;

import io.tollgate.schemas.UsageEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Issue 14's pre-aggregation, in the input partition's task right after the dedupe: each event's
 * counters are added to a pending sum per target — its (customer, model, tool) and UTC minute for
 * the windows (a minute lies in exactly one 1m, 1h and 1d window), each of its day totals, each of
 * its budget periods and gateway — and every {@code interval} (wall clock) the pending sums are
 * sent downstream, one record per target, and cleared. So the repartition topics carry
 * groups × flushes records instead of events × targets.
 *
 * <p>Exact under exactly_once_v2 because the pending sums are a changelogged store, not memory: the
 * input offsets of events whose sums are still pending are committed together with those sums, and
 * a SIGKILL rewinds both to the last commit. The store is cached, so its changelog gets at most one
 * record per target and commit (the sum, or the tombstone once sent), not one per event. Pending
 * sums of a task that moves are sent by its next owner.
 */
final class PreAggregate implements Processor<String, UsageEvent, String, PreAggregate.Flushed> {
  static final String STORE = "pre-aggregate";
  /** Bounds the pending sums (a backlog spans many minutes per flush): beyond, flush at once. */
  static final int MAX_PENDING = 50_000;
  private static final String WINDOW = "w";
  private static final String DAY = "d";
  private static final String PERIOD = "p";

  /** A pending sum sent downstream: for the windows or a day total ({@code sum}), or a budget period. */
  record Flushed(String kind, UsageSum sum, PeriodDelta period) {
    boolean window() {
      return kind.equals(WINDOW);
    }

    boolean day() {
      return kind.equals(DAY);
    }

    boolean budgetPeriod() {
      return kind.equals(PERIOD);
    }
  }

  private final Duration interval;
  private final TopologyMetrics metrics;
  private final Serializer<UsageSum> sums = UsageSum.serde().serializer();
  private final Deserializer<UsageSum> sumReader = UsageSum.serde().deserializer();
  private final Serializer<PeriodDelta> periods = PeriodDelta.serde().serializer();
  private final Deserializer<PeriodDelta> periodReader = PeriodDelta.serde().deserializer();
  private ProcessorContext<String, Flushed> context;
  private KeyValueStore<String, byte[]> pending;
  private long pendingCount;

  PreAggregate(Duration interval, TopologyMetrics metrics) {
    this.interval = Objects.requireNonNull(interval, "interval");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  static StoreBuilder<?> store() {
    return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray())
        .withCachingEnabled();
  }

  @Override
  public void init(ProcessorContext<String, Flushed> context) {
    this.context = context;
    this.pending = context.getStateStore(STORE);
    this.pendingCount = pending.approximateNumEntries(); // restored sums of a crash or a moved task
    context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> flush());
  }

  @Override
  public void process(Record<String, UsageEvent> record) {
    UsageEvent e = record.value();
    if (e == null) {
      return;
    }
    UsageSum sum = UsageSum.of(e);
    long ts = e.getTs().toEpochMilli();
    String group = SpendKeys.group(SpendAggregates.customer(e), SpendAggregates.model(e), e.getTool());
    addSum(SpendKeys.group(WINDOW, group, Long.toString(ts - Math.floorMod(ts, 60_000L))), sum);
    for (String day : SpendTopology.dayTotalKeys(e, metrics)) {
      addSum(SpendKeys.group(DAY, day), sum);
    }
    for (KeyValue<String, PeriodDelta> p : BudgetPeriodEntries.of(e, metrics)) {
      String key = SpendKeys.group(PERIOD, p.key, p.value.gatewayId());
      byte[] before = pending.get(key);
      PeriodDelta now = before == null ? p.value : periodReader.deserialize(STORE, before).plus(p.value);
      put(key, before, periods.serialize(STORE, now));
    }
    if (pendingCount >= MAX_PENDING) {
      flush();
    }
  }

  private void addSum(String key, UsageSum sum) {
    byte[] before = pending.get(key);
    UsageSum now = before == null ? sum : sumReader.deserialize(STORE, before).plus(sum);
    put(key, before, sums.serialize(STORE, now));
  }

  private void put(String key, byte[] before, byte[] value) {
    pending.put(key, value);
    if (before == null) {
      pendingCount++;
    }
  }

  /** Sends every pending sum (record time = its newest event) and clears it. */
  private void flush() {
    List<KeyValue<String, byte[]>> all = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = pending.all()) {
      it.forEachRemaining(all::add);
    }
    for (KeyValue<String, byte[]> entry : all) {
      String kind = entry.key.substring(0, entry.key.indexOf('|'));
      if (kind.equals("1:" + PERIOD)) {
        String[] parts = SpendKeys.split(entry.key, 3);
        PeriodDelta d = periodReader.deserialize(STORE, entry.value);
        context.forward(new Record<>(parts[1], new Flushed(PERIOD, null, d), d.newestMillis()));
      } else {
        String[] parts = SpendKeys.split(entry.key, 2);
        UsageSum s = sumReader.deserialize(STORE, entry.value);
        context.forward(new Record<>(parts[1], new Flushed(parts[0], s, null), s.newestMillis()));
      }
      pending.delete(entry.key);
    }
    pendingCount = 0;
  }
}
