package io.tollgate.launcher;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the launcher started, stopped in reverse order; a failing stop does not skip the others. */
final class Stack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Stack.class);

  private record Entry(String name, AutoCloseable resource) {
  }

  private final Deque<Entry> started = new ArrayDeque<>();

  synchronized <T extends AutoCloseable> T push(String name, T resource) {
    started.push(new Entry(name, resource));
    return resource;
  }

  @Override
  public synchronized void close() {
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
