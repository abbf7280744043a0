package io.tollgate.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.schemas.BudgetPeriodRef;
import io.tollgate.schemas.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PreAggregate} across a restore: a task that dies is rebuilt by its next owner from what
 * its store's changelog held at the last commit (compaction keeps the newest per key), and the
 * input after that commit is processed again, while whatever it forwarded after that commit is
 * aborted with the transaction. Here a commit runs the commit hook (write-back: the changed sums
 * reach the store only then), and the store as it was at the last commit is copied into a fresh
 * one for a new instance, which goes on from the first event after that commit — at random points,
 * after many flushes (so sent entries are deleted), with sums pending or not. Every event's counters
 * must be sent exactly once over the committed output of all instances: nothing pending lost,
 * nothing sent re-sent. Both the write-back and the write-through build.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PreAggregateRestoreTest {
  private static final Instant BASE = Instant.parse("2026-12-01T23:58:00Z"); // crosses UTC midnight
  private static final Duration INTERVAL = Duration.ofMillis(200);

  /** A processor instance on its own in-memory stores (no changelog: the copy stands for it). */
  private static final class Instance {
    final MockProcessorContext<String, PreAggregate.Flushed> context = new MockProcessorContext<>();
    final KeyValueStore<String, byte[]> store = store(PreAggregate.STORE);
    final KeyValueStore<String, byte[]> legacy = store(PreAggregate.LEGACY_STORE);
    final WindowStore<String, Long> seen = Stores.windowStoreBuilder(Stores.inMemoryWindowStore(
        DecodeAndDedupe.STORE, Duration.ofDays(2), Duration.ofDays(1), false), Serdes.String(), Serdes.Long())
        .withLoggingDisabled().withCachingDisabled().build();
    final CommitHook hook;
    final PreAggregate processor;
    /** What a restore would see, and how much of the output counts: as of the last commit. */
    List<KeyValue<String, byte[]>> committed = List.of();
    int committedForwards;

    /** With {@code dedupe} (write-back only) on its own dedupe store, restored from {@code marks}. */
    Instance(List<KeyValue<String, byte[]>> restored, List<KeyValue<Windowed<String>, Long>> marks, boolean writeBack,
             boolean dedupe) {
      hook = writeBack ? new CommitHook() : null;
      processor = new PreAggregate(INTERVAL, TopologyMetrics.NONE, hook, dedupe);
      store.init(context.getStateStoreContext(), store);
      legacy.init(context.getStateStoreContext(), legacy);
      context.addStateStore(store);
      context.addStateStore(legacy);
      if (writeBack) { // a plain store: arming writes to it, and commit() stands for the cache flush
        KeyValueStore<String, byte[]> marker = store(CommitHook.STORE);
        marker.init(context.getStateStoreContext(), marker);
        context.addStateStore(marker);
      }
      if (dedupe) {
        seen.init(context.getStateStoreContext(), seen);
        context.addStateStore(seen);
        marks.forEach(kv -> seen.put(kv.key.key(), kv.value, kv.key.window().start()));
      }
      restored.forEach(kv -> store.put(kv.key, kv.value));
      processor.init(context);
      committed = entries();
    }

    Instance(List<KeyValue<String, byte[]>> restored, boolean writeBack) {
      this(restored, List.of(), writeBack, false);
    }

    Instance(List<KeyValue<String, byte[]>> restored) {
      this(restored, true);
    }

    List<KeyValue<Windowed<String>, Long>> marks() {
      List<KeyValue<Windowed<String>, Long>> out = new ArrayList<>();
      try (KeyValueIterator<Windowed<String>, Long> it = seen.all()) {
        it.forEachRemaining(out::add);
      }
      return out;
    }

    void process(UsageEvent e) {
      processor.process(new Record<>(e.getEventId(), e, e.getTs().toEpochMilli()));
    }

    void flush() {
      context.scheduledPunctuators().forEach(p -> p.getPunctuator().punctuate(0));
    }

    /** A commit: the hook's writes, then the store and the output so far are what survives. */
    void commit() {
      if (hook != null) {
        hook.fire(context.taskId());
      }
      committed = entries();
      committedForwards = context.forwarded().size();
    }

    List<KeyValue<String, byte[]>> entries() {
      List<KeyValue<String, byte[]>> out = new ArrayList<>();
      try (KeyValueIterator<String, byte[]> it = store.all()) {
        it.forEachRemaining(out::add);
      }
      return out;
    }

    private static KeyValueStore<String, byte[]> store(String name) {
      return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
          .withLoggingDisabled().withCachingDisabled().build();
    }
  }

  @ParameterizedTest(name = "write-back {0}")
  @ValueSource(booleans = {true, false})
  void everyEventIsSentExactlyOnceWhateverRestoresHappenBetweenCommits(boolean writeBack) {
    Random random = new Random(14);
    List<UsageEvent> events = events(random, 4_000);
    Map<String, Object> expected = sent(List.of(run(events)));

    for (int round = 0; round < 20; round++) {
      List<Instance> instances = new ArrayList<>();
      Instance live = new Instance(List.of(), writeBack);
      instances.add(live);
      int flushes = 0;
      int restores = 0;
      int next = 0; // the first event after the live instance's last commit
      for (int i = 0; i < events.size(); i++) {
        live.process(events.get(i));
        if (random.nextInt(10) == 0) {
          live.flush();
          flushes++;
        }
        if (random.nextInt(7) == 0) {
          live.commit();
          next = i + 1;
        }
        if (random.nextInt(700) == 0) { // the task dies: its next owner restores the last commit and goes on from there
          live = new Instance(live.committed, writeBack);
          instances.add(live);
          restores++;
          i = next - 1;
        }
      }
      live.flush();
      live.commit();
      assertThat(flushes).as("enough flushes that sent entries get deleted")
          .isGreaterThan(2 * PreAggregate.KEEP_GENERATIONS);
      assertThat(restores).isGreaterThan(1);
      assertThat(sent(instances)).as("round %d, %d restores", round, restores).isEqualTo(expected);

      // Only one target set stays busy: everything else is deleted after KEEP_GENERATIONS flushes.
      UsageEvent busy = events.get(events.size() - 1);
      int before = live.entries().size();
      for (int i = 0; i <= PreAggregate.KEEP_GENERATIONS; i++) {
        live.process(busy);
        live.commit(); // written to the store: a sent entry that then stays idle is what gets deleted
        live.flush();
      }
      int targets = run(List.of(busy)).entries().size() - 1; // less the generation
      assertThat(live.entries()).as("sent entries are deleted: the store stays bounded (%d before)", before)
          .hasSize(targets + 1);
      assertThat(before).isGreaterThan(targets + 1);
    }
  }

  /**
   * A task corrupted while running (see {@link PreAggregate}'s class comment): what it wrote and sent
   * at once is committed with its other tasks' transaction, what the commit hook would write is
   * aborted, and its input starts again after its last commit. With the dedupe marks written with
   * the sums, no event is lost (marked, sum gone) or counted twice (sent, not marked) — also with
   * duplicates in the input.
   */
  @Test
  void aTaskCorruptedWhileRunningCountsEveryEventOnce() {
    Random random = new Random(15);
    List<UsageEvent> distinct = events(random, 3_000);
    List<UsageEvent> input = new ArrayList<>();
    for (UsageEvent e : distinct) {
      input.add(e);
      if (random.nextInt(20) == 0) {
        input.add(e); // a producer retry: the same event again
      }
    }
    Map<String, Object> expected = sent(List.of(run(distinct)));
    for (int round = 0; round < 10; round++) {
      List<Instance> instances = new ArrayList<>();
      Instance live = new Instance(List.of(), List.of(), true, true);
      instances.add(live);
      int corruptions = 0;
      int next = 0;
      for (int i = 0; i < input.size(); i++) {
        live.process(input.get(i));
        if (random.nextInt(10) == 0) {
          live.flush();
        }
        if (random.nextInt(7) == 0) {
          live.commit();
          next = i + 1;
        }
        if (random.nextInt(150) == 0) {
          live.committedForwards = live.context.forwarded().size(); // sent at once: committed by the others
          live = new Instance(live.entries(), live.marks(), true, true); // the hook's writes aborted
          instances.add(live);
          corruptions++;
          i = next - 1;
        }
      }
      live.flush();
      live.commit();
      assertThat(corruptions).isGreaterThan(5);
      Map<String, Object> actual = sent(instances);
      assertThat(requests(actual)).as("calls per target, round %d, %d corruptions", round, corruptions)
          .isEqualTo(requests(expected));
      assertThat(actual).as("round %d", round).isEqualTo(expected);
    }
  }

  /** A backlog's commit interval can hold more events than marks may wait: both are then written early, together. */
  @Test
  void beyondTheMarkBoundMarksAndSumsAreWrittenTogetherEarly() {
    List<UsageEvent> events = events(new Random(21), PreAggregate.MAX_PENDING_MARKS + 100);
    Instance live = new Instance(List.of(), List.of(), true, true);
    for (UsageEvent e : events.subList(0, PreAggregate.MAX_PENDING_MARKS - 1)) {
      live.process(e);
    }
    assertThat(live.marks()).as("below the bound nothing is written before a commit").isEmpty();
    assertThat(live.entries()).isEmpty();
    live.process(events.get(PreAggregate.MAX_PENDING_MARKS - 1));
    assertThat(live.marks()).as("at the bound: every mark").hasSize(PreAggregate.MAX_PENDING_MARKS);
    assertThat(live.entries()).as("and the sums with them").isNotEmpty();
    live.process(events.get(PreAggregate.MAX_PENDING_MARKS)); // one more, pending only

    // Corrupted now: the early writes are committed by the other tasks, the input starts again.
    Instance next = new Instance(live.entries(), live.marks(), true, true);
    events.forEach(next::process);
    next.flush();
    next.commit();
    assertThat(sent(List.of(live, next))).isEqualTo(sent(List.of(run(events))));
  }

  @Test
  void writeBackWritesOnlyWhatIsPendingAtACommit() {
    List<UsageEvent> events = events(new Random(9), 30);
    Instance instance = new Instance(List.of());
    events.forEach(instance::process);
    assertThat(instance.entries()).as("nothing written before a commit").isEmpty();
    instance.flush();
    instance.commit();
    assertThat(instance.entries()).as("sent before the commit: only the generation is written")
        .extracting(kv -> kv.key).containsExactly(PreAggregate.GENERATION_KEY);
    instance.process(events.get(0));
    instance.commit();
    assertThat(instance.entries()).as("pending at the commit: written")
        .hasSize(1 + run(List.of(events.get(0))).entries().size() - 1);
  }

  @Test
  void aRestoreAfterAFlushSendsNothingAgainAndOneBeforeSendsThePendingSums() {
    List<UsageEvent> events = events(new Random(3), 50);
    Instance first = new Instance(List.of());
    events.forEach(first::process);
    first.commit();
    Instance beforeFlush = new Instance(first.entries());
    first.flush();
    first.commit();
    Instance afterFlush = new Instance(first.entries());
    beforeFlush.flush();
    beforeFlush.commit();
    afterFlush.flush();

    assertThat(first.context.forwarded()).isNotEmpty();
    assertThat(sent(List.of(beforeFlush))).as("the pending sums, sent by the next owner").isEqualTo(sent(List.of(first)));
    assertThat(afterFlush.context.forwarded()).as("sums already sent are not sent again").isEmpty();
  }

  @Test
  void aStoreWrittenBeforeTheHashedKeysSendsItsPendingSumsOnceAndLosesItsOldKeys() {
    List<UsageEvent> events = events(new Random(5), 40);
    Instance first = new Instance(List.of());
    events.forEach(first::process);
    first.commit();
    // The same entries as the build before the hashed prefix wrote them: target keys as they are.
    List<KeyValue<String, byte[]>> old = new ArrayList<>();
    for (KeyValue<String, byte[]> kv : first.entries()) {
      old.add(KeyValue.pair(PreAggregate.isStoreKey(kv.key) ? kv.key.substring(PreAggregate.PREFIX_LENGTH) : kv.key,
          kv.value));
    }
    assertThat(old).anySatisfy(kv -> assertThat(PreAggregate.isStoreKey(kv.key)).isFalse());
    Instance upgraded = new Instance(old);
    upgraded.flush();
    upgraded.commit();
    first.flush();
    first.commit();
    assertThat(sent(List.of(upgraded))).as("the old store's pending sums, once").isEqualTo(sent(List.of(first)));
    assertThat(upgraded.entries()).as("no old key left").allSatisfy(kv ->
        assertThat(kv.key.equals(PreAggregate.GENERATION_KEY) || PreAggregate.isStoreKey(kv.key)).isTrue());
    Instance next = new Instance(upgraded.entries());
    next.flush();
    assertThat(next.context.forwarded()).as("nothing sent twice").isEmpty();
  }

  @Test
  void storeKeysStartWithTheirHashAndKeepTheTarget() {
    String target = SpendKeys.group("w", SpendKeys.group("customer-1", "model", "tool"), "1764633600000");
    String key = PreAggregate.storeKey(target);
    assertThat(key).hasSize(PreAggregate.PREFIX_LENGTH + target.length()).startsWith("h").endsWith(target);
    assertThat(key.substring(1, PreAggregate.PREFIX_LENGTH)).isEqualTo(String.format("%08x", target.hashCode()));
    assertThat(PreAggregate.isStoreKey(key)).isTrue();
    assertThat(PreAggregate.isStoreKey(target)).isFalse();
    assertThat(PreAggregate.isStoreKey(PreAggregate.GENERATION_KEY)).isFalse();
  }

  private static Instance run(List<UsageEvent> events) {
    Instance instance = new Instance(List.of());
    events.forEach(e -> {
      instance.process(e);
      instance.commit(); // every sum written: entries() of the result lists each target once
    });
    instance.flush();
    instance.commit();
    return instance;
  }

  /** Everything the instances forwarded up to their last commit, summed per target. */
  private static Map<String, Object> sent(List<Instance> instances) {
    Map<String, Object> out = new TreeMap<>();
    for (Instance instance : instances) {
      for (var forward : instance.context.forwarded().subList(0, instance.committedForwards)) {
        var r = forward.record();
        PreAggregate.Flushed f = r.value();
        if (f.budgetPeriod()) { // one target per period and gateway
          out.merge("p " + r.key() + " " + f.period().gatewayId(), f.period(),
              (a, b) -> ((PeriodDelta) a).plus((PeriodDelta) b));
        } else if (f.window()) { // one target per group and minute: the record time is in that minute
          out.merge("w " + r.key() + " " + r.timestamp() / 60_000, f.sum(), (a, b) -> ((UsageSum) a).plus((UsageSum) b));
        } else {
          out.merge("d " + r.key(), f.sum(), (a, b) -> ((UsageSum) a).plus((UsageSum) b));
        }
      }
    }
    return out;
  }

  /** The calls of each target in {@link #sent}'s result: what a short failure message shows. */
  private static Map<String, Long> requests(Map<String, Object> sent) {
    Map<String, Long> out = new TreeMap<>();
    sent.forEach((target, sum) -> out.put(target,
        sum instanceof PeriodDelta d ? d.requests() : ((UsageSum) sum).requests()));
    return out;
  }

  /** Events over 20 minutes (many window targets that go idle), 3 customers, tags and budget periods. */
  private static List<UsageEvent> events(Random random, int count) {
    List<UsageEvent> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Instant ts = BASE.plusMillis(i * 20 * 60_000L / count);
      long t = ts.toEpochMilli();
      String customer = "c-" + random.nextInt(3);
      List<BudgetPeriodRef> periods = List.of(
          BudgetPeriodRef.newBuilder().setScope("key").setScopeId("k-" + customer).setDuration("1h")
              .setPeriodStart(Instant.ofEpochMilli(t - t % 3_600_000)).build());
      out.add(UsageEvent.newBuilder().setEventId("e-" + i).setTs(ts).setDurationMs(5).setTtftMs(null)
          .setGatewayId("gw-" + random.nextInt(2)).setKeyHash("k-" + customer).setKeyAlias(null)
          .setCustomerId(customer).setCustomerSource("header_customer_id").setTool("claude-code")
          .setToolVersion(null).setUserAgent(null).setSessionId(null).setProvider("anthropic").setApi("messages")
          .setModelRequested("m-" + random.nextInt(2)).setModel(null).setStatusCode(200).setAborted(false)
          .setErrorType(null).setInputTokens(random.nextInt(5_000)).setOutputTokens(random.nextInt(900))
          .setCacheReadTokens(random.nextInt(10_000)).setCacheWrite5mTokens(0).setCacheWrite1hTokens(0)
          .setReasoningTokens(0).setCostNanos(1 + random.nextInt(50_000_000)).setPriceKnown(true)
          .setUpstreamRequestId(null).setRequestTags(List.of("tag-" + random.nextInt(2)))
          .setBudgetPeriods(periods).build());
    }
    return out;
  }
}
