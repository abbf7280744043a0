package io.tollgate.aggregator.topology;

import io.tollgate.schemas.SpendWindow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The 1m / 1h / 1d tumbling windows (UTC) of the pre-aggregated topology: sums per (customer, model,
 * tool) in, running totals out to {@code tollgate.spend-windows.v1}, exactly the records the DSL's
 * three windowed aggregations emitted (same keys, values, versions), from the same three window
 * stores ({@code spend-1m} …, same changelogs), so an aggregator can switch to it in place
 * ({@link AggregatorSettings#windowWriteBack}; not the default yet, see docs/aggregator.md).
 *
 * <p><b>Why its own processor.</b> The DSL aggregations went through the record cache: per sum and
 * window size a lookup and an LRU update in the cache's sorted map of key bytes, then at the commit
 * a write per dirty window, an emit through three map/filter nodes. The sorted map was the top
 * self-time frame of the stream threads in JFR ({@code ArraysSupport.mismatch}). Here the open
 * windows a task touched live in a hash map between commits; before each commit ({@link CommitHook},
 * as the pre-aggregation's write-back) every window changed since the last one is written to its
 * store — uncached, changelogged, in the transaction that commits the input offsets — and emitted.
 * So, as with the cache, a busy window costs one store write, one changelog record and one output
 * record per commit, and a SIGKILL rewinds totals, emits and offsets together.
 *
 * <p>Late sums are dropped as the DSL drops them: a window whose end plus the grace is at or before
 * the newest record time seen is closed ({@link TopologyMetrics#windowLate}). The stores keep each window
 * for its size plus the grace, as before (segments; the changelog is compacted and deleted by time).
 *
 * <p>The emits run inside the commit's cache flush, outside any {@code process} call, so the
 * processor sets itself as the current node while it forwards, as the DSL's own cache-flush
 * listener does ({@code TimestampedCacheFlushListener}; internal API of Kafka Streams, pinned by the
 * parent POM; {@code PreAggregateTest}, {@code SpendWindowTotalsTest}, {@code WindowUpgradeIT} and
 * {@code AggregatorIT} go through it).
 */
final class SpendWindowTotals implements Processor<String, UsageSum, String, SpendWindow> {
  /** The hook's store (a store serves one sub-topology: not the pre-aggregation's). */
  static final String HOOK_STORE = "spend-windows-commit-hook";
  /**
   * Open windows kept per task between commits (about 300 bytes each); beyond, those written at an
   * earlier commit are forgotten (read from their stores again when touched), and if that is not
   * enough the changed ones are written and emitted at once ({@link #evict}).
   */
  public static final int MAX_LIVE = 50_000;
  /** The window sizes, in the order of {@link #LENGTHS} (their lengths: {@link SpendTopology#WINDOWS}). */
  static final List<String> SIZES = List.of("1m", "1h", "1d");
  private static final long[] LENGTHS = SIZES.stream().mapToLong(s -> SpendTopology.WINDOWS.get(s).toMillis()).toArray();

  /**
   * One window of one group: size index, group key (customer, model, tool), start. Equality by
   * hand: a record's generated hashCode and equals (method handles) showed in the stream threads' JFR.
   */
  private static final class Window {
    final int size;
    final String group;
    final long start;
    private final int hash;

    Window(int size, String group, long start) {
      this.size = size;
      this.group = group;
      this.start = start;
      this.hash = (group.hashCode() * 31 + Long.hashCode(start)) * 31 + size;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Window w && w.hash == hash && w.start == start && w.size == size && w.group.equals(group);
    }
  }

  /** A window's running totals, the newest record time in them, and whether they changed since written. */
  private static final class Open {
    final Window window;
    final Totals totals;
    long timestamp;
    boolean dirty;

    Open(Window window, Totals totals, long timestamp) {
      this.window = window;
      this.totals = totals;
      this.timestamp = timestamp;
    }
  }

  private final int maxOpen;
  private final long graceMillis;
  private final TopologyMetrics metrics;
  private final CommitHook hook;
  private final Runnable beforeCommit = this::writeBack;
  private final Map<Window, Open> open = new HashMap<>();
  private final List<Open> changed = new ArrayList<>();
  private final List<TimestampedWindowStore<String, Totals>> stores = new ArrayList<>(3);
  private ProcessorContext<String, SpendWindow> context;
  private InternalProcessorContext<String, SpendWindow> internal;
  private ProcessorNode<?, ?, ?, ?> node;
  private KeyValueStore<String, byte[]> hookStore;
  private TaskId task;
  private boolean armed;
  /**
   * The newest record time this processor has seen, as the DSL's window aggregation keeps it (not the
   * task's stream time, which a restart restores from the commit metadata and records with a null
   * key advance): so both drop the same late sums after a restart too. Not reset by {@link #init}.
   */
  private long observedStreamTime = -1;

  /** @param maxOpen the bound of the open windows ({@link #MAX_LIVE}; tests use a tiny one) */
  SpendWindowTotals(Duration grace, TopologyMetrics metrics, CommitHook hook, int maxOpen) {
    if (maxOpen < 2) {
      throw new IllegalArgumentException("maxOpen must be at least 2");
    }
    this.maxOpen = maxOpen;
    this.graceMillis = grace.toMillis();
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.hook = Objects.requireNonNull(hook, "hook");
  }

  /** The store name of a window size: the DSL's ({@code Materialized.as("spend-1m")}). */
  static String storeName(String size) {
    return "spend-" + size;
  }

  /** The three window stores (as the DSL built them, without the record cache) and the hook's store. */
  static List<StoreBuilder<?>> stores(Duration grace, CommitHook hook) {
    List<StoreBuilder<?>> out = new ArrayList<>();
    for (int i = 0; i < SIZES.size(); i++) {
      Duration length = Duration.ofMillis(LENGTHS[i]);
      out.add(Stores.timestampedWindowStoreBuilder(
          Stores.persistentTimestampedWindowStore(storeName(SIZES.get(i)), length.plus(grace), length, false),
          Serdes.String(), Totals.serde()));
    }
    out.add(hook.storeBuilder());
    return out;
  }

  static String[] storeNames(CommitHook hook) {
    return new String[] {storeName("1m"), storeName("1h"), storeName("1d"), hook.storeName()};
  }

  @Override
  @SuppressWarnings("unchecked")
  public void init(ProcessorContext<String, SpendWindow> context) {
    this.context = context;
    this.internal = (InternalProcessorContext<String, SpendWindow>) context;
    this.node = internal.currentNode();
    stores.clear();
    for (String size : SIZES) {
      stores.add(context.getStateStore(storeName(size)));
    }
    hookStore = context.getStateStore(hook.storeName());
    task = context.taskId();
    hook.register(task, beforeCommit);
    open.clear(); // a revived or restored task: the stores hold what was committed
    changed.clear();
    armed = false;
  }

  @Override
  public void process(Record<String, UsageSum> record) {
    UsageSum sum = record.value();
    if (record.key() == null || sum == null) {
      return;
    }
    long ts = record.timestamp();
    observedStreamTime = Math.max(observedStreamTime, ts);
    long streamTime = observedStreamTime;
    for (int i = 0; i < LENGTHS.length; i++) {
      long start = ts - Math.floorMod(ts, LENGTHS[i]);
      if (BudgetPeriodEntries.saturatedSum(end(start, i), graceMillis) <= streamTime) {
        metrics.windowLate(SIZES.get(i));
        continue; // closed: re-opening it would publish a partial total
      }
      Window window = new Window(i, record.key(), start);
      Open w = open.get(window);
      if (w == null) {
        ValueAndTimestamp<Totals> stored = stores.get(i).fetch(record.key(), start);
        w = stored == null ? new Open(window, new Totals(), ts) : new Open(window, stored.value(), stored.timestamp());
        open.put(window, w);
      }
      w.totals.add(sum);
      w.timestamp = Math.max(w.timestamp, ts);
      if (!w.dirty) {
        w.dirty = true;
        changed.add(w);
      }
    }
    if (open.size() >= maxOpen) {
      evict();
    }
    if (!armed && !changed.isEmpty()) { // after the changes: a cache without room runs it at once, with them
      armed = true;
      CommitHook.arm(hookStore);
    }
  }

  /**
   * The map is full: forget the windows written at an earlier commit and untouched since (their
   * stores have them); if the changed ones alone still fill half of it, write and emit them now —
   * early, but in the same transaction, so only coalescing is lost — and forget everything.
   */
  private void evict() {
    open.values().removeIf(w -> !w.dirty);
    if (open.size() >= maxOpen / 2) {
      writeBack();
      open.clear();
    }
  }

  private static long end(long start, int size) {
    return BudgetPeriodEntries.saturatedSum(start, LENGTHS[size]);
  }

  /**
   * Before each commit: every window changed since the last one to its store and downstream, in
   * the transaction that commits the offsets of the sums in it.
   */
  private void writeBack() {
    armed = false;
    if (!changed.isEmpty()) {
      ProcessorNode<?, ?, ?, ?> previous = internal.currentNode();
      internal.setCurrentNode(node); // outside process(): forward from this node, as the DSL's flush listener does
      try {
        for (Open w : changed) {
          Window window = w.window;
          w.dirty = false;
          stores.get(window.size).put(window.group, ValueAndTimestamp.make(w.totals, w.timestamp), window.start);
          KeyValue<String, SpendWindow> out = w.totals.windowRecord(SIZES.get(window.size), window.group, window.start,
              end(window.start, window.size));
          context.forward(new Record<>(out.key, out.value, w.timestamp));
        }
      } finally {
        internal.setCurrentNode(previous);
      }
      changed.clear();
    }
  }

  @Override
  public void close() {
    hook.unregister(task, beforeCommit);
  }
}
