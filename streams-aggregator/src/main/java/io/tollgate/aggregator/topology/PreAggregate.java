package io.tollgate.aggregator.topology;

import io.tollgate.schemas.UsageEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Issue 14's pre-aggregation, in the input partition's task right after the dedupe: each event's
 * counters are added to a pending sum per target — its (customer, model, tool) and UTC minute for
 * the windows (a minute lies in exactly one 1m, 1h and 1d window), each of its day totals, each of
 * its budget periods and gateway — and every {@code interval} (wall clock) the pending sums are
 * sent downstream, one record per target. So the repartition topics carry groups × flushes records
 * instead of events × targets.
 *
 * <p>Exact under exactly_once_v2 because the pending sums are a changelogged store, not memory: the
 * input offsets of events whose sums are still pending are committed together with those sums, and
 * a SIGKILL rewinds both to the last commit. Pending sums of a task that moves are sent by its next
 * owner.
 *
 * <p><b>Generations, not deletes.</b> A flush does not delete what it sent (a tombstone per target
 * and flush, on top of the sum: the changelog got two records per target and flush). Instead every
 * sum is stored under (target, generation) in a window store whose "time" is the generation, and a
 * flush only advances the generation — one record in {@link #GENERATION_STORE} per flush, in the
 * same transaction as the sums it sent. Sums of older generations are sent already; they are never
 * read again and expire with the store's retention ({@link #RETENTION} of generation time), with no
 * tombstone. So the changelog gets one record per target and commit in which it changed, plus one
 * per flush. A generation is a wall-clock millisecond, always above the last (a clock that steps
 * back cannot revive a sent generation).
 */
final class PreAggregate implements Processor<String, UsageEvent, String, PreAggregate.Flushed> {
  /** Pending sums per (target, generation). */
  static final String STORE = "pre-aggregate-pending";
  /** The current generation: sums stored under it are the pending ones. */
  static final String GENERATION_STORE = "pre-aggregate-generation";
  /**
   * The store of the first pre-aggregated build (pending sums in a key-value store, deleted once
   * sent): still read, so that sums pending at an upgrade are sent, not lost. Empty otherwise.
   */
  static final String LEGACY_STORE = "pre-aggregate";
  /** How long sent generations stay in memory before they expire (generation time). */
  static final Duration RETENTION = Duration.ofSeconds(10);
  /** Bounds the pending sums (a backlog spans many minutes per flush): beyond, flush at once. */
  static final int MAX_PENDING = 50_000;
  private static final String WINDOW = "w";
  private static final String DAY = "d";
  private static final String PERIOD = "p";
  private static final String GENERATION = "generation";

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
  private WindowStore<String, byte[]> pending;
  private KeyValueStore<String, Long> generations;
  private KeyValueStore<String, byte[]> legacy;
  private long generation;
  private boolean generationStored;
  /**
   * The current generation's sums, decoded (UsageSum or PeriodDelta), as the store holds them: each
   * event reads its targets here instead of the store (no lookup, no decode); the store is written
   * through, for the changelog. Rebuilt from the store in {@link #init} (a restored or moved task).
   */
  private final Map<String, Object> current = new java.util.HashMap<>();
  private final List<KeyValue<String, byte[]>> legacyPending = new ArrayList<>();

  PreAggregate(Duration interval, TopologyMetrics metrics) {
    this.interval = Objects.requireNonNull(interval, "interval");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  static List<StoreBuilder<?>> stores() {
    return List.of(
        Stores.windowStoreBuilder(Stores.inMemoryWindowStore(STORE, RETENTION, Duration.ofMillis(1), false),
                Serdes.String(), Serdes.ByteArray())
            // Short segments: a restore reads what the log still holds, and only the newest
            // generation matters (retention.ms itself Streams sets from the store's retention).
            .withCachingEnabled().withLoggingEnabled(Map.of(TopicConfig.SEGMENT_MS_CONFIG, "600000")),
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(GENERATION_STORE), Serdes.String(), Serdes.Long()),
        Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LEGACY_STORE), Serdes.String(), Serdes.ByteArray()));
  }

  static String[] storeNames() {
    return new String[] {STORE, GENERATION_STORE, LEGACY_STORE};
  }

  @Override
  public void init(ProcessorContext<String, Flushed> context) {
    this.context = context;
    this.pending = context.getStateStore(STORE);
    this.generations = context.getStateStore(GENERATION_STORE);
    this.legacy = context.getStateStore(LEGACY_STORE);
    Long stored = generations.get(GENERATION);
    // A new task (or one of the first build) starts a generation; it is stored with the first sum
    // (in a record's context, so in the same transaction), never without it.
    generationStored = stored != null;
    generation = stored != null ? stored : Math.max(1, context.currentSystemTimeMs());
    current.clear();
    legacyPending.clear();
    try (KeyValueIterator<org.apache.kafka.streams.kstream.Windowed<String>, byte[]> it = pending.fetchAll(
        java.time.Instant.ofEpochMilli(generation), java.time.Instant.ofEpochMilli(generation))) {
      it.forEachRemaining(kv -> current.put(kv.key.key(), decode(kv.key.key(), kv.value)));
    }
    try (KeyValueIterator<String, byte[]> it = legacy.all()) { // sums pending at an upgrade
      it.forEachRemaining(legacyPending::add);
    }
    context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> flush());
  }

  @Override
  public void process(Record<String, UsageEvent> record) {
    UsageEvent e = record.value();
    if (e == null) {
      return;
    }
    if (!generationStored) {
      generations.put(GENERATION, generation);
      generationStored = true;
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
      PeriodDelta before = (PeriodDelta) current.get(key);
      PeriodDelta now = before == null ? p.value : before.plus(p.value);
      current.put(key, now);
      pending.put(key, periods.serialize(STORE, now), generation);
    }
    if (current.size() >= MAX_PENDING) {
      flush();
    }
  }

  private void addSum(String key, UsageSum sum) {
    UsageSum before = (UsageSum) current.get(key);
    UsageSum now = before == null ? sum : before.plus(sum);
    current.put(key, now);
    pending.put(key, sums.serialize(STORE, now), generation);
  }

  private Object decode(String key, byte[] value) {
    return key.startsWith("1:" + PERIOD + "|") ? periodReader.deserialize(STORE, value)
        : sumReader.deserialize(STORE, value);
  }

  /** Sends every pending sum (record time = its newest event), then starts the next generation. */
  private void flush() {
    if (current.isEmpty() && legacyPending.isEmpty()) {
      return; // nothing pending: keep the generation, write nothing
    }
    for (KeyValue<String, byte[]> kv : legacyPending) {
      send(kv.key, decode(kv.key, kv.value));
      legacy.delete(kv.key);
    }
    legacyPending.clear();
    current.forEach(this::send);
    current.clear();
    generation = Math.max(generation + 1, context.currentSystemTimeMs());
    generations.put(GENERATION, generation);
    generationStored = true;
  }

  private void send(String key, Object value) {
    if (value instanceof PeriodDelta d) {
      String[] parts = SpendKeys.split(key, 3);
      context.forward(new Record<>(parts[1], new Flushed(PERIOD, null, d), d.newestMillis()));
    } else {
      String[] parts = SpendKeys.split(key, 2);
      UsageSum s = (UsageSum) value;
      context.forward(new Record<>(parts[1], new Flushed(parts[0], s, null), s.newestMillis()));
    }
  }
}
