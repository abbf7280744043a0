package io.tollgate.aggregator.topology;

import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The aggregator's topology, pure: {@code tollgate.usage.v1} → decode (poison → DLQ) → dedupe by
 * event id → event-time tumbling windows of 1 minute, 1 hour and 1 day (UTC) per (customer, model,
 * tool) → {@code tollgate.spend-windows.v1} (running totals, newest version wins), and per key /
 * customer / request tag and UTC day → {@code tollgate.spend-totals.v1}, and per budget period the event names
 * ({@code budget_periods}: key, team or customer × duration × period start, with the spend per
 * gateway) → {@code tollgate.spend-totals.v1}. {@code Main} only adds configuration
 * (exactly_once_v2, state dir) and runs it.
 */
public final class SpendTopology {
  /** Window sizes and their names on the wire and in ClickHouse ({@code spend_1m} …). */
  public static final Map<String, Duration> WINDOWS = Map.of(
      "1m", Duration.ofMinutes(1), "1h", Duration.ofHours(1), "1d", Duration.ofDays(1));

  private SpendTopology() {
  }

  /** With a usage serde that reads only the shipped schema history (tests). */
  public static Topology buildTopology(AggregatorSettings settings) {
    return buildTopology(settings, TollgateSerdes.usageEvent());
  }

  /**
   * @param usageSerde decodes {@code tollgate.usage.v1}; the app passes one backed by the schema
   *                   topic, so events of gateways newer than this aggregator are counted, not DLQ'd
   */
  public static Topology buildTopology(AggregatorSettings settings, AvroSerde<UsageEvent> usageSerde) {
    return buildTopology(settings, usageSerde, TopologyMetrics.NONE);
  }

  /** Same, counting what the topology skips in {@code metrics}. */
  public static Topology buildTopology(AggregatorSettings settings, AvroSerde<UsageEvent> usageSerde,
                                       TopologyMetrics metrics) {
    java.util.Objects.requireNonNull(usageSerde, "usageSerde");
    java.util.Objects.requireNonNull(metrics, "metrics");
    StreamsBuilder builder = new StreamsBuilder();
    AvroSerde<SpendWindow> windowSerde = TollgateSerdes.spendWindow();
    AvroSerde<SpendTotal> totalSerde = TollgateSerdes.spendTotal();

    builder.addStateStore(Stores.windowStoreBuilder(
        Stores.persistentWindowStore(DecodeAndDedupe.STORE, settings.dedupeRetention().multipliedBy(2),
            settings.dedupeRetention(), false),
        Serdes.String(), Serdes.Long()));

    boolean dedupeHere = !settings.preAggregateDedupes(); // else PreAggregate: its marks go with its sums
    KStream<String, DecodedUsage> decoded = builder
        .stream(Topics.USAGE.name(), Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("usage"))
        .process(() -> new DecodeAndDedupe(usageSerde, dedupeHere), Named.as("decode-and-dedupe"),
            dedupeHere ? new String[] {DecodeAndDedupe.STORE} : new String[0]);
    decoded.filter((k, d) -> d.poison(), Named.as("poison"))
        .mapValues(DecodedUsage::raw, Named.as("poison-bytes"))
        .to(Topics.USAGE_DLQ.name(), Produced.with(Serdes.String(), Serdes.ByteArray()).withName("dlq"));
    KStream<String, UsageEvent> events = decoded.filter((k, d) -> !d.poison(), Named.as("decoded"))
        .mapValues(DecodedUsage::event, Named.as("events"));

    BudgetPeriodTotals.stores().forEach(builder::addStateStore);
    if (settings.preAggregate().isZero()) {
      perEvent(builder, events, settings, metrics, windowSerde, totalSerde);
    } else {
      preAggregated(builder, events, settings, metrics, windowSerde, totalSerde);
    }
    return builder.build();
  }

  /**
   * Issue 14's topology: per input partition, sums per target sent on every flush ({@link PreAggregate}),
   * so the three repartition topics carry groups × flushes records. Same topic and store names as
   * {@link #perEvent}, and the sums read the per-event deltas, so an aggregator can switch to it in place.
   */
  private static void preAggregated(StreamsBuilder builder, KStream<String, UsageEvent> events,
                                    AggregatorSettings settings, TopologyMetrics metrics,
                                    AvroSerde<SpendWindow> windowSerde, AvroSerde<SpendTotal> totalSerde) {
    CommitHook hook = settings.writeBack() ? new CommitHook() : null; // one per build: its callbacks are this build's
    PreAggregate.stores(hook).forEach(builder::addStateStore);
    Serde<UsageSum> sumSerde = UsageSum.serde();
    boolean dedupe = settings.preAggregateDedupes();
    List<String> stores = new ArrayList<>(List.of(PreAggregate.storeNames(hook)));
    if (dedupe) { // DecodeAndDedupe's store is connected here instead
      stores.add(DecodeAndDedupe.STORE);
    }
    KStream<String, PreAggregate.Flushed> flushed = events.process(
        () -> new PreAggregate(settings.preAggregate(), metrics, hook, dedupe), Named.as("pre-aggregate"),
        stores.toArray(String[]::new));
    KStream<String, UsageSum> windowSums = flushed
        .filter((k, f) -> f.window(), Named.as("window-sums"))
        .mapValues(PreAggregate.Flushed::sum, Named.as("window-sum-values"))
        .repartition(Repartitioned.with(Serdes.String(), sumSerde).withName("by-customer-model-tool"));
    if (settings.windowWriteBack()) {
      CommitHook windowHook = new CommitHook(SpendWindowTotals.HOOK_STORE);
      SpendWindowTotals.stores(settings.grace(), windowHook).forEach(builder::addStateStore);
      windowSums.process(() -> new SpendWindowTotals(settings.grace(), metrics, windowHook, settings.windowOpenLimit()),
              Named.as("spend-windows"), SpendWindowTotals.storeNames(windowHook))
          .to(Topics.SPEND_WINDOWS.name(), Produced.with(Serdes.String(), windowSerde).withName("windows"));
    } else {
      windows(windowSums.groupByKey(Grouped.with(Serdes.String(), sumSerde)), (sum, totals) -> totals.add(sum),
          settings, windowSerde);
    }
    dayTotals(builder, flushed.filter((k, f) -> f.day(), Named.as("day-sums"))
        .mapValues(PreAggregate.Flushed::sum, Named.as("day-sum-values"))
        .repartition(Repartitioned.with(Serdes.String(), sumSerde).withName("scope-day")), sumSerde,
        (sum, totals) -> totals.add(sum), settings, metrics, totalSerde);
    budgetPeriods(flushed.filter((k, f) -> f.budgetPeriod(), Named.as("period-sums"))
        .mapValues(PreAggregate.Flushed::period, Named.as("period-sum-values")), settings, metrics, totalSerde);
  }

  /** The topology before issue 14 (the benchmark's baseline): one repartition record per event and target. */
  private static void perEvent(StreamsBuilder builder, KStream<String, UsageEvent> events, AggregatorSettings settings,
                               TopologyMetrics metrics, AvroSerde<SpendWindow> windowSerde,
                               AvroSerde<SpendTotal> totalSerde) {
    // Only the counters travel through the repartition topics; the group is in the key.
    Serde<UsageDelta> deltaSerde = UsageDelta.serde();
    KGroupedStream<String, UsageDelta> byGroup = events
        .map((id, e) -> KeyValue.pair(SpendKeys.group(SpendAggregates.customer(e), SpendAggregates.model(e), e.getTool()),
            UsageDelta.of(e)), Named.as("to-group-delta"))
        .groupByKey(Grouped.with("by-customer-model-tool", Serdes.String(), deltaSerde));
    windows(byGroup, (delta, totals) -> totals.add(delta), settings, windowSerde);
    dayTotals(builder, events.flatMap((id, e) -> {
      UsageDelta delta = UsageDelta.of(e);
      return dayTotalKeys(e, metrics).stream().map(k -> KeyValue.pair(k, delta)).toList();
    }, Named.as("by-scope-day")).repartition(Repartitioned.with(Serdes.String(), deltaSerde).withName("scope-day")),
        deltaSerde, (delta, totals) -> totals.add(delta), settings, metrics, totalSerde);
    // Budget periods (issue 12): one delta per checked entry, repartitioned by period.
    budgetPeriods(events.flatMap((id, e) -> BudgetPeriodEntries.of(e, metrics), Named.as("by-budget-period")),
        settings, metrics, totalSerde);
  }

  /** The day totals an event adds to: its customer's, its key's and each request tag's, of its UTC day. */
  static List<String> dayTotalKeys(UsageEvent e, TopologyMetrics metrics) {
    List<String> tags = RequestTags.of(e, metrics);
    List<String> out = new ArrayList<>(2 + tags.size());
    String day = SpendAggregates.day(e).toString();
    if (e.getCustomerId() != null) {
      out.add(SpendKeys.group("customer", e.getCustomerId(), day));
    }
    if (e.getKeyHash() != null) {
      out.add(SpendKeys.group("key", e.getKeyHash(), day));
    }
    for (String tag : tags) {
      out.add(SpendKeys.group("tag", tag, day));
    }
    return out;
  }

  private static <V> void windows(KGroupedStream<String, V> byGroup, BiFunction<V, Totals, Totals> add,
                                  AggregatorSettings settings, AvroSerde<SpendWindow> windowSerde) {
    Serde<Totals> totalsSerde = Totals.serde();
    for (String size : SpendWindowTotals.SIZES) {
      Duration length = WINDOWS.get(size);
      byGroup.windowedBy(TimeWindows.ofSizeAndGrace(length, settings.grace()))
          .aggregate(Totals::new, (group, value, totals) -> add.apply(value, totals), Named.as("spend-" + size),
              Materialized.<String, Totals, WindowStore<Bytes, byte[]>>as(SpendWindowTotals.storeName(size))
                  .withKeySerde(Serdes.String()).withValueSerde(totalsSerde)
                  .withRetention(length.plus(settings.grace())))
          .toStream(Named.as("spend-" + size + "-changes"))
          .filter((w, totals) -> totals != null, Named.as("spend-" + size + "-present"))
          .map((w, totals) -> totals.windowRecord(size, w.key(), w.window().start(), w.window().end()),
              Named.as("spend-" + size + "-keyed"))
          .to(Topics.SPEND_WINDOWS.name(), Produced.with(Serdes.String(), windowSerde).withName("windows-" + size));
    }
  }

  /**
   * Day totals per key (scope|scope_id|day): deltas of days past end + grace dropped, running totals
   * emitted as the store's cache flushes, each day purged with a tombstone after end + grace
   * ({@link DayTotalsPurge}).
   */
  private static <V> void dayTotals(StreamsBuilder builder, KStream<String, V> byDay, Serde<V> serde,
                                    BiFunction<V, Totals, Totals> add, AggregatorSettings settings,
                                    TopologyMetrics metrics, AvroSerde<SpendTotal> totalSerde) {
    builder.addStateStore(DayTotalsPurge.expiryStore());
    KStream<String, Totals> changes = byDay
        .processValues(() -> new DayTotalsPurge.Late<V>(settings.grace(), metrics), Named.as("day-late"))
        .groupByKey(Grouped.with(Serdes.String(), serde))
        .aggregate(Totals::new, (key, value, totals) -> add.apply(value, totals), Named.as("day-totals"),
            Materialized.<String, Totals, KeyValueStore<Bytes, byte[]>>as(DayTotalsPurge.STORE)
                .withKeySerde(Serdes.String()).withValueSerde(Totals.serde()))
        .toStream(Named.as("day-total-changes"));
    changes.mapValues((key, totals) -> totals == null ? null : totals.toDayTotal(SpendKeys.split(key, 3)),
            Named.as("day-total-records"))
        .to(Topics.SPEND_TOTALS.name(), Produced.with(Serdes.String(), totalSerde).withName("totals"));
    changes.process(() -> new DayTotalsPurge(settings.grace()), Named.as("day-totals-purge"), DayTotalsPurge.STORE,
            DayTotalsPurge.EXPIRY_STORE)
        .to(Topics.SPEND_TOTALS.name(), Produced.with(Serdes.String(), totalSerde).withName("day-tombstones"));
  }

  private static void budgetPeriods(KStream<String, PeriodDelta> deltas, AggregatorSettings settings,
                                    TopologyMetrics metrics, AvroSerde<SpendTotal> totalSerde) {
    deltas.repartition(Repartitioned.with(Serdes.String(), PeriodDelta.serde()).withName("budget-periods"))
        .process(() -> new BudgetPeriodTotals(settings.grace(), metrics), Named.as("budget-period-totals"),
            BudgetPeriodTotals.STORE, BudgetPeriodTotals.EXPIRY_STORE)
        .to(Topics.SPEND_TOTALS.name(), Produced.with(Serdes.String(), totalSerde).withName("period-totals"));
  }
}
