package io.tollgate.launcher;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the launcher started, stopped in reverse order; a failing stop does not skip the others. */
final class Stack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Stack.class);

  private record Entry(String name, AutoCloseable resource) {
  }

  private final Deque<Entry> started = new ArrayDeque<>();
  private final Map<String, BooleanSupplier> watched = new LinkedHashMap<>();
  private boolean closing;

  synchronized <T extends AutoCloseable> T push(String name, T resource) {
    started.push(new Entry(name, resource));
    return resource;
  }

  /** Reports {@code name} as failed once {@code healthy} turns false (while the stack is not closing). */
  synchronized void watch(String name, BooleanSupplier healthy) {
    watched.put(name, healthy);
  }

  /** The name of a watched part that is no longer healthy, or null. */
  synchronized String failed() {
    if (closing) {
      return null;
    }
    return watched.entrySet().stream().filter(e -> !e.getValue().getAsBoolean()).map(Map.Entry::getKey).findFirst()
        .orElse(null);
  }

  @Override
  public synchronized void close() {
    closing = true;
    while (!started.isEmpty()) {
      Entry entry = started.pop();
      try {
        entry.resource().close();
        LOG.info("stopped {}", entry.name());
      } catch (Exception e) {
        LOG.warn("stopping {} failed: {}", entry.name(), e.toString());
      }
    }
  }
}
