package io.tollgate.aggregator.topology;

import io.tollgate.schemas.UsageEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Issue 14's first stage after the dedupe, in the partition the event arrived in: each event's
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
 * <p><b>Write-back.</b> Between commits the pending sums live in this processor's map only; the
 * {@link CommitHook} runs {@link #writeChanged} before each commit of the task, which writes the sums
 * changed since to the (uncached, changelogged) store in the transaction of that commit. A sum sent
 * downstream before the commit is never written. Writing each change through the store's record
 * cache instead (the build before; {@code hook == null}, the benchmark's baseline) cost a sorted-map
 * lookup per event and target, the stream threads' top frame in JFR.
 *
 * <p><b>The dedupe marks go with the sums.</b> With write-back this processor also drops repeated
 * events (what {@link DecodeAndDedupe} does in the per-event build, on the same store
 * {@link DecodeAndDedupe#STORE}), and it writes an event's mark only when it writes or sends that
 * event's sum: before each commit, at each flush, or early when {@link #MAX_PENDING_MARKS} are
 * pending. So a transaction holds an event's mark exactly when it holds the event's sum (as long
 * as a flush or write-back is not cut off halfway: nothing in them throws but a send, and a failed
 * send leaves the transaction unable to commit). A mark written at once would not be: when a task
 * is corrupted while running ({@code TaskCorruptedException}; {@code StreamTask} raises it under
 * exactly-once for a {@code TimeoutException} in a punctuation, for instance), Kafka Streams commits
 * the thread's open transaction for its other tasks — with the corrupted task's immediate writes,
 * its marks among them — then flushes the corrupted task's caches (the commit hook: its pending
 * sums) into a transaction it aborts, and rewinds the task's input to its last commit. The replayed
 * events were then marked as seen while their sums were gone: an undercount (likely ScaleOutIT's
 * rare CI failures, 2,922 of 3,000 calls). With the marks deferred, the replay finds exactly the
 * events whose sums survived marked.
 *
 * <p><b>Generations, not a delete per flush.</b> Deleting each sum once sent gave the changelog a
 * tombstone per target and flush on top of the sum. Instead each entry of the one key-value store
 * ({@link #STORE}) is {@code target → (generation, sum)}, and the store also holds the current
 * generation (key {@link #GENERATION_KEY}): only entries of the current generation are pending. A
 * flush sends them and advances the generation — one write, in the same transaction as the sums it
 * sent; an event whose target holds an older generation's (sent) sum starts from zero. So the
 * changelog gets one record per target and commit in which it changed, plus the generation. A
 * sent entry is deleted only once it was left untouched for {@link #KEEP_GENERATIONS} flushes (one
 * tombstone per target's lifetime, not per flush), which bounds the store.
 *
 * <p><b>Commits follow the lag.</b> While caught up — the newest event of a flush ended at most
 * {@link #CAUGHT_UP_MILLIS} ago — each flush asks Kafka Streams for a commit right after it
 * ({@code context.commit()}), so the sums it sent become visible downstream at once and the
 * freshness of a steady load does not depend on {@code commit.interval.ms}. Behind (a backlog
 * after an outage or a restart) it asks for none, and the aggregator commits only every
 * {@code commit.interval.ms} (5 s by default): fewer transactions, and every cached store
 * (the windows, the day totals; these sums by the write-back) writes a busy key to its changelog once per commit.
 *
 * <p>Everything is one plain key-value store, as before issue 14's generations: no retention, no
 * observed stream time, no second store to agree with. (The first generation scheme kept sums in
 * an in-memory window store whose "time" was the generation: a restore drops records older than
 * the newest time it has seen minus the retention — and an in-memory window store keeps that
 * time across the close and re-initialisation of a task revived after an aborted transaction — and
 * its {@code compact,delete} changelog deletes sums by the events' timestamps, hours old in a spill
 * replay. Either loses committed pending sums.)
 */
final class PreAggregate implements Processor<String, UsageEvent, String, PreAggregate.Flushed> {
  /** target → (generation, sum), plus {@link #GENERATION_KEY} → the current generation. */
  static final String STORE = "pre-aggregate-sums";
  /** Cannot collide with a target: those start with a length ({@link SpendKeys#group}). */
  static final String GENERATION_KEY = "#generation";
  /**
   * The store of the first pre-aggregated build (pending sums in a key-value store, deleted once
   * sent): still read, so that sums pending at an upgrade are sent, not lost. Empty otherwise.
   */
  static final String LEGACY_STORE = "pre-aggregate";
  /** Flushes a sent entry stays untouched before it is deleted (one tombstone per idle target). */
  static final int KEEP_GENERATIONS = 50;
  /** Bounds the pending sums (a backlog spans many minutes per flush): beyond, flush at once. */
  static final int MAX_PENDING = 50_000;
  /** Bounds the pending dedupe marks (a backlog's commit interval): beyond, write back at once. */
  static final int MAX_PENDING_MARKS = 50_000;
  /** {@code h} and eight hex digits before each target in the store ({@link #storeKey}). */
  static final int PREFIX_LENGTH = 9;
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  /** An event that ended longer ago than this when its flush ran means the aggregator is behind. */
  static final long CAUGHT_UP_MILLIS = 1_000;
  private static final String WINDOW = "w";
  private static final String DAY = "d";
  private static final String PERIOD = "p";

  /**
   * An event's dedupe key: its id at its own time ({@link DecodeAndDedupe}). Equality by hand: a
   * record's generated hashCode and equals (method handles) showed in the stream threads' JFR.
   */
  private static final class Mark {
    final String eventId;
    final long ts;

    Mark(String eventId, long ts) {
      this.eventId = eventId;
      this.ts = ts;
    }

    String eventId() {
      return eventId;
    }

    long ts() {
      return ts;
    }

    @Override
    public int hashCode() {
      return eventId.hashCode() * 31 + Long.hashCode(ts);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Mark m && m.ts == ts && m.eventId.equals(eventId);
    }
  }

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
  /** Null: write every change through the cached store at once (before issue 14's write-back; the benchmark's baseline). */
  private final CommitHook hook;
  private final Runnable beforeCommit = this::writeChanged;
  private final Serializer<UsageSum> sums = UsageSum.serde().serializer();
  private final Deserializer<UsageSum> sumReader = UsageSum.serde().deserializer();
  private final Serializer<PeriodDelta> periods = PeriodDelta.serde().serializer();
  private final Deserializer<PeriodDelta> periodReader = PeriodDelta.serde().deserializer();
  private ProcessorContext<String, Flushed> context;
  private KeyValueStore<String, byte[]> store;
  private KeyValueStore<String, byte[]> legacy;
  private KeyValueStore<String, byte[]> hookStore;
  /** The dedupe store, with write-back (null: {@link DecodeAndDedupe} dedupes, at once). */
  private WindowStore<String, Long> seen;
  /** Events counted since their marks were last written, in order: written with their sums. */
  private Set<Mark> marks = new LinkedHashSet<>();
  private final boolean dedupe;
  private TaskId task;
  private long generation;
  /**
   * The current generation's sums, decoded (UsageSum or PeriodDelta): each event reads its targets
   * here instead of the store (no lookup, no decode); the store gets them before the next commit
   * (write-back) or at once (write-through). Rebuilt from the store in {@link #init} (which Streams
   * runs again after every restore of the task: a revived, moved or resumed task).
   */
  private Map<String, Object> current = new HashMap<>();
  /** Targets of {@link #current} changed since they were last written to the store (write-back). */
  private Set<String> changed = new HashSet<>();
  /** Whether the commit hook will run before the next commit (its marker is in the record cache). */
  private boolean armed;
  /** Every target entry in the store → its generation. */
  private final Map<String, Long> stored = new HashMap<>();
  /** The targets of each past generation, oldest first: candidates for deletion once old enough. */
  private final ArrayDeque<KeyValue<Long, List<String>>> past = new ArrayDeque<>();
  private final List<KeyValue<String, byte[]>> legacyPending = new ArrayList<>();
  /** Keys of this store written before {@link #storeKey}'s prefix: deleted at the next flush. */
  private final List<String> unprefixedKeys = new ArrayList<>();
  /** When the newest event processed since the last punctuation ended (its ts plus duration); MIN_VALUE: none. */
  private long newestEnd = Long.MIN_VALUE;
  /** Whether the last flush with events found them recent (a fresh or revived task starts behind). */
  private boolean caughtUp;

  /**
   * @param hook runs {@link #writeChanged} before each commit (write-back, the default); null writes
   *             every change through the cached store at once, as before (the benchmark's baseline)
   */
  PreAggregate(Duration interval, TopologyMetrics metrics, CommitHook hook) {
    this(interval, metrics, hook, false);
  }

  /**
   * @param dedupe drop repeated events here, on {@link DecodeAndDedupe#STORE}, their marks written
   *               with their sums (write-back only: the topology's build); false: the events come
   *               deduplicated (the write-through build, and tests of the sums alone)
   */
  PreAggregate(Duration interval, TopologyMetrics metrics, CommitHook hook, boolean dedupe) {
    this.interval = Objects.requireNonNull(interval, "interval");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    if (dedupe && hook == null) {
      throw new IllegalArgumentException("the dedupe marks follow the write-back: a commit hook is needed");
    }
    this.hook = hook;
    this.dedupe = dedupe;
  }

  /**
   * The stores, for {@code hook} (null: write-through). With write-back the sums' store has no
   * record cache: the processor's map is the cache, written once per commit.
   */
  static List<StoreBuilder<?>> stores(CommitHook hook) {
    var sums = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray());
    var legacy = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(LEGACY_STORE), Serdes.String(),
        Serdes.ByteArray());
    return hook == null ? List.of(sums.withCachingEnabled(), legacy) : List.of(sums, legacy, hook.storeBuilder());
  }

  static String[] storeNames(CommitHook hook) {
    return hook == null ? new String[] {STORE, LEGACY_STORE} : new String[] {STORE, LEGACY_STORE, hook.storeName()};
  }

  /**
   * Reads a store entry of {@code target}: if it belongs to the current generation (pending), into
   * {@link #current}. Returns its generation.
   */
  private long load(String target, byte[] entry) {
    ByteBuffer value = ByteBuffer.wrap(entry);
    long gen = value.getLong();
    if (gen == generation) {
      byte[] payload = new byte[value.remaining()];
      value.get(payload);
      current.put(target, decode(target, payload));
    }
    return gen;
  }

  /**
   * A target's key in the store: {@code h}, eight hex digits of its hash, then the target. The
   * store's record cache is a sorted map of the key bytes, and targets share long prefixes
   * ({@code 1:w|8:customer…}): comparing them was the stream threads' top JFR frame
   * ({@code ArraysSupport.mismatch}). With the hash first a comparison ends in the first bytes — but
   * the share stayed (18–20 %, docs/aggregator.md): it is the number of comparisons, not their length.
   */
  static String storeKey(String target) {
    int h = target.hashCode();
    char[] out = new char[PREFIX_LENGTH + target.length()];
    out[0] = 'h';
    for (int i = 0; i < 8; i++) {
      out[1 + i] = HEX[(h >>> (28 - 4 * i)) & 0xf];
    }
    target.getChars(0, target.length(), out, PREFIX_LENGTH);
    return new String(out);
  }

  /** Targets start with a length ({@link SpendKeys#group}), the generation with '#': neither with 'h'. */
  static boolean isStoreKey(String key) {
    return key.length() >= PREFIX_LENGTH && key.charAt(0) == 'h';
  }

  @Override
  public void init(ProcessorContext<String, Flushed> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    this.legacy = context.getStateStore(LEGACY_STORE);
    if (hook != null) {
      hookStore = context.getStateStore(hook.storeName());
      task = context.taskId();
      hook.register(task, beforeCommit);
    }
    seen = dedupe ? context.getStateStore(DecodeAndDedupe.STORE) : null;
    marks.clear(); // unwritten marks went with their unwritten sums: the events come again
    current.clear();
    changed.clear();
    armed = false;
    stored.clear();
    past.clear();
    legacyPending.clear();
    unprefixedKeys.clear();
    byte[] g = store.get(GENERATION_KEY);
    generation = g == null ? 0 : ByteBuffer.wrap(g).getLong(); // absent: generation 0, nothing sent yet
    TreeMap<Long, List<String>> older = new TreeMap<>();
    List<KeyValue<String, byte[]>> unprefixed = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        if (kv.key.equals(GENERATION_KEY)) {
          continue;
        }
        if (!isStoreKey(kv.key)) {
          unprefixed.add(kv); // written before the hashed prefix: read below, deleted at the next flush
          continue;
        }
        String target = kv.key.substring(PREFIX_LENGTH);
        long gen = load(target, kv.value);
        stored.put(target, gen);
        if (gen != generation) {
          older.computeIfAbsent(gen, k -> new ArrayList<>()).add(target);
        }
      }
    }
    for (KeyValue<String, byte[]> kv : unprefixed) {
      unprefixedKeys.add(kv.key);
      if (!stored.containsKey(kv.key) && load(kv.key, kv.value) == generation) {
        stored.put(kv.key, generation); // pending: sent at the next flush, from then on under its prefixed key
      }
    }
    older.forEach((gen, keys) -> past.addLast(KeyValue.pair(gen, keys)));
    try (KeyValueIterator<String, byte[]> it = legacy.all()) { // sums pending at an upgrade
      it.forEachRemaining(legacyPending::add);
    }
    newestEnd = Long.MIN_VALUE;
    caughtUp = false;
    context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
  }

  /** A flush, then a commit at once if caught up (see the class comment). */
  private void punctuate(long now) {
    flush();
    caughtUp = caughtUp(newestEnd, now, caughtUp);
    metrics.preAggregateFlush(caughtUp);
    if (caughtUp) {
      context.commit();
    }
    newestEnd = Long.MIN_VALUE;
  }

  /**
   * Caught up if the newest event since the last flush ended at most {@link #CAUGHT_UP_MILLIS}
   * before {@code now}; with no event since (a quiet moment, or a backlog whose polls brought
   * another partition's records), as at the last flush: after a burst the sums still downstream
   * get their commit, a backlog stays a backlog.
   */
  static boolean caughtUp(long newestEnd, long now, boolean before) {
    return newestEnd == Long.MIN_VALUE ? before : now - newestEnd <= CAUGHT_UP_MILLIS;
  }

  /** When an event ended: its start plus its duration, saturating (the duration is the gateway's measurement). */
  static long endMillis(UsageEvent e) {
    long start = e.getTs().toEpochMilli();
    long duration = Math.max(0, e.getDurationMs());
    return start > Long.MAX_VALUE - duration ? Long.MAX_VALUE : start + duration;
  }

  @Override
  public void process(Record<String, UsageEvent> record) {
    UsageEvent e = record.value();
    if (e == null) {
      return;
    }
    long ts = e.getTs().toEpochMilli();
    if (seen != null) {
      Mark mark = new Mark(e.getEventId(), ts);
      if (marks.contains(mark) || DecodeAndDedupe.seen(seen, mark.eventId(), ts)) {
        return; // a producer retry or a spill replay: counted already
      }
      marks.add(mark);
    }
    UsageSum sum = UsageSum.of(e);
    newestEnd = Math.max(newestEnd, endMillis(e));
    String group = SpendKeys.group(SpendAggregates.customer(e), SpendAggregates.model(e), e.getTool());
    addSum(SpendKeys.group(WINDOW, group, Long.toString(ts - Math.floorMod(ts, 60_000L))), sum);
    for (String day : SpendTopology.dayTotalKeys(e, metrics)) {
      addSum(SpendKeys.group(DAY, day), sum);
    }
    for (KeyValue<String, PeriodDelta> p : BudgetPeriodEntries.of(e, metrics)) {
      String key = SpendKeys.group(PERIOD, p.key, p.value.gatewayId());
      PeriodDelta before = (PeriodDelta) current.get(key);
      PeriodDelta now = before == null ? p.value : before.plus(p.value);
      put(key, now);
    }
    if (current.size() >= MAX_PENDING) {
      flush();
    } else if (marks.size() >= MAX_PENDING_MARKS) {
      writeChanged(); // as an eviction of the hook's marker would: marks and sums together, early
    } else if (hook != null && !armed) { // after the changes: a cache without room runs it at once, with them
      armed = true;
      CommitHook.arm(hookStore);
    }
  }

  /**
   * Before each commit (write-back): the pending sums changed since the last write go to the store,
   * in the transaction that commits the offsets of their events. Sums sent downstream before the
   * commit are never written: their store entry, older or absent, is not pending either way.
   */
  private void writeChanged() {
    armed = false;
    writeMarks();
    for (String key : changed) {
      Object sum = current.get(key);
      byte[] payload = sum instanceof PeriodDelta d ? periods.serialize(STORE, d) : sums.serialize(STORE, (UsageSum) sum);
      write(key, payload);
    }
    changed = new HashSet<>(); // not clear(): a cleared set keeps its table, and iterating it scans every bucket
  }

  @Override
  public void close() {
    if (hook != null) {
      hook.unregister(task, beforeCommit);
    }
  }

  private void addSum(String key, UsageSum sum) {
    UsageSum before = (UsageSum) current.get(key); // absent or an older generation's: sent, so zero
    UsageSum now = before == null ? sum : before.plus(sum);
    put(key, now);
  }

  private void put(String key, Object sum) {
    current.put(key, sum);
    if (hook != null) {
      changed.add(key);
    } else {
      write(key, sum instanceof PeriodDelta d ? periods.serialize(STORE, d) : sums.serialize(STORE, (UsageSum) sum));
    }
  }

  /** The marks of the events counted since the last write: with their sums, in the same transaction. */
  private void writeMarks() {
    if (marks.isEmpty()) {
      return;
    }
    for (Mark mark : marks) {
      DecodeAndDedupe.mark(seen, mark.eventId(), mark.ts());
    }
    marks = new LinkedHashSet<>();
  }

  private void write(String key, byte[] payload) {
    stored.put(key, generation);
    store.put(storeKey(key), ByteBuffer.allocate(Long.BYTES + payload.length).putLong(generation).put(payload).array());
  }

  private Object decode(String key, byte[] value) {
    return key.startsWith(SpendKeys.group(PERIOD) + "|") ? periodReader.deserialize(STORE, value)
        : sumReader.deserialize(STORE, value);
  }

  /**
   * Sends every pending sum (record time = its newest event), starts the next generation and
   * deletes the entries untouched for {@link #KEEP_GENERATIONS} flushes.
   */
  private void flush() {
    if (current.isEmpty() && legacyPending.isEmpty() && unprefixedKeys.isEmpty()) {
      return; // nothing pending: keep the generation, write nothing (no marks either: every mark has a sum)
    }
    writeMarks(); // the events whose sums go out now: in this transaction, as their sums
    for (String key : unprefixedKeys) { // their pending sums (in current) are sent below, in this transaction
      store.delete(key);
    }
    unprefixedKeys.clear();
    for (KeyValue<String, byte[]> kv : legacyPending) {
      send(kv.key, decode(kv.key, kv.value));
      legacy.delete(kv.key);
    }
    legacyPending.clear();
    current.forEach(this::send);
    past.addLast(KeyValue.pair(generation, new ArrayList<>(current.keySet())));
    current = new HashMap<>(); // not clear(): a cleared map keeps its table, which the next flush's forEach scans whole
    changed = new HashSet<>(); // sent: a store entry of this generation that was written is no longer pending once it advances
    generation++;
    store.put(GENERATION_KEY, ByteBuffer.allocate(Long.BYTES).putLong(generation).array());
    while (!past.isEmpty() && past.peekFirst().key <= generation - KEEP_GENERATIONS) {
      KeyValue<Long, List<String>> old = past.removeFirst();
      for (String key : old.value) {
        if (stored.remove(key, old.key)) { // not written since (else it is in a newer generation)
          store.delete(storeKey(key));
        }
      }
    }
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
