package io.tollgate.aggregator.topology;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * A callback that runs before each commit of a task, built from public Kafka Streams API only: a
 * cached store ({@link #STORE}, no changelog) whose innermost store keeps nothing and instead runs
 * the task's callback whenever an entry reaches it. An entry reaches it when the record cache
 * flushes it, and Kafka Streams flushes every store's cache before it commits a task (the cache's
 * contract: "the cache is flushed on commit"; since 4.x: {@code StreamTask.prepareCommit} flushes
 * the caches, then the record collector, then sends the offsets), or earlier when the cache is full
 * and evicts. So a processor that {@linkplain #arm arms} the hook — writes one marker into the
 * cached store — gets its callback before the offsets of the records it has processed since are
 * committed, and whatever the callback writes to an uncached, changelogged store is in that
 * transaction.
 *
 * <p>{@link PreAggregate} keeps its pending sums in memory and writes the changed ones to its store
 * only here: once per commit instead of once per event and target through the record cache's
 * sorted map (the stream threads' top cost in JFR), and not at all for sums sent downstream before
 * the commit.
 *
 * <p>Callbacks are registered per stream thread and task ({@link TaskId}s repeat across instances
 * that share one topology build, threads do not); a flush that finds none fails the stream thread
 * instead of committing without the writes.
 */
final class CommitHook {
  /** The pre-aggregation's cached store whose flush is the hook. In memory, no changelog: it holds nothing. */
  static final String STORE = "pre-aggregate-commit-hook";
  private static final String MARKER = "pending";
  private static final byte[] EMPTY = new byte[0];

  private record Owner(Thread thread, TaskId task) {
  }

  private final Map<Owner, Runnable> callbacks = new ConcurrentHashMap<>();
  private final String storeName;

  /** The pre-aggregation's hook, on {@link #STORE}. */
  CommitHook() {
    this(STORE);
  }

  /** A hook on a store of its own: a store serves the processors of one sub-topology only. */
  CommitHook(String storeName) {
    this.storeName = Objects.requireNonNull(storeName, "storeName");
  }

  /** The name of the hook's store, to connect to the processor that arms it. */
  String storeName() {
    return storeName;
  }

  /** The store to add to the topology, connected to the processor that registers the callbacks. */
  StoreBuilder<KeyValueStore<String, byte[]>> storeBuilder() {
    return Stores.keyValueStoreBuilder(new Supplier(), Serdes.String(), Serdes.ByteArray())
        .withCachingEnabled().withLoggingDisabled();
  }

  /** Runs {@code callback} before each commit of {@code task} on this thread (until {@link #unregister}). */
  void register(TaskId task, Runnable callback) {
    // A stream thread that died (replaced by Kafka Streams after an error) never unregistered its
    // tasks: dropped here, at the next task's start, so the map cannot grow with replaced threads.
    callbacks.keySet().removeIf(owner -> !owner.thread().isAlive());
    callbacks.put(new Owner(Thread.currentThread(), task), Objects.requireNonNull(callback, "callback"));
  }

  /** Registered callbacks (tests). */
  int registered() {
    return callbacks.size();
  }

  void unregister(TaskId task, Runnable callback) {
    callbacks.remove(new Owner(Thread.currentThread(), task), callback);
  }

  /**
   * Makes the next commit (or cache eviction) run the callback: one cache write. Call after the
   * state the callback writes has changed, so that a cache without room (or none at all) runs it
   * with that state.
   */
  static void arm(KeyValueStore<String, byte[]> hookStore) {
    hookStore.put(MARKER, EMPTY);
  }

  /** Runs the callback registered for {@code task} on this thread: what a cache flush does (tests). */
  void fire(TaskId task) {
    Runnable callback = callbacks.get(new Owner(Thread.currentThread(), task));
    if (callback == null) {
      throw new IllegalStateException("commit hook of task " + task + " flushed on " + Thread.currentThread().getName()
          + " with no callback registered: refusing to commit without the pending writes");
    }
    callback.run();
  }

  private final class Supplier implements KeyValueBytesStoreSupplier {
    @Override
    public String name() {
      return storeName;
    }

    @Override
    public KeyValueStore<Bytes, byte[]> get() {
      return new HookStore();
    }

    @Override
    public String metricsScope() {
      return "in-memory";
    }
  }

  /** The innermost store: every write is a flush of the marker; it keeps nothing. */
  private final class HookStore implements KeyValueStore<Bytes, byte[]> {
    private TaskId task;
    private volatile boolean open;

    @Override
    public String name() {
      return storeName;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
      task = context.taskId();
      context.register(root, (key, value) -> { }); // no changelog; nothing to restore
      open = true;
    }

    @Override
    public void put(Bytes key, byte[] value) {
      fire(task);
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
      fire(task);
      return null;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
      if (!entries.isEmpty()) {
        fire(task);
      }
    }

    @Override
    public byte[] delete(Bytes key) {
      return null;
    }

    @Override
    public byte[] get(Bytes key) {
      return null;
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
      return empty();
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
      return empty();
    }

    @Override
    public long approximateNumEntries() {
      return 0;
    }

    @Override
    public void close() {
      open = false;
    }

    @Override
    public boolean persistent() {
      return false;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    private KeyValueIterator<Bytes, byte[]> empty() {
      return new KeyValueIterator<>() {
        @Override
        public void close() {
        }

        @Override
        public Bytes peekNextKey() {
          throw new java.util.NoSuchElementException();
        }

        @Override
        public boolean hasNext() {
          return false;
        }

        @Override
        public KeyValue<Bytes, byte[]> next() {
          throw new java.util.NoSuchElementException();
        }
      };
    }
  }
}
