package io.tollgate.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Callbacks per (stream thread, task): run on their own thread only, and none kept for dead threads. */
@Timeout(30)
class CommitHookTest {
  @Test
  void aCallbackRunsOnlyOnTheThreadThatRegisteredIt() throws Exception {
    CommitHook hook = new CommitHook();
    TaskId task = new TaskId(0, 1);
    AtomicInteger runs = new AtomicInteger();
    hook.register(task, runs::incrementAndGet);
    hook.fire(task);
    assertThat(runs).hasValue(1);
    java.util.concurrent.atomic.AtomicReference<Throwable> elsewhere = new java.util.concurrent.atomic.AtomicReference<>();
    Thread other = new Thread(() -> {
      try {
        hook.fire(task);
      } catch (Throwable e) {
        elsewhere.set(e);
      }
    });
    other.start();
    other.join();
    assertThat(elsewhere.get()).isInstanceOf(IllegalStateException.class);
    assertThat(runs).hasValue(1);
    hook.unregister(task, runs::incrementAndGet); // another lambda instance: not the registered one
    assertThat(hook.registered()).isEqualTo(1);
  }

  @Test
  void theCallbacksOfAThreadThatDiedWithoutUnregisteringAreDroppedAtTheNextRegistration() throws Exception {
    CommitHook hook = new CommitHook();
    for (int i = 0; i < 5; i++) {
      int partition = i;
      Thread replaced = new Thread(() -> hook.register(new TaskId(0, partition), () -> { }));
      replaced.start();
      replaced.join(); // dies with its task still registered
    }
    assertThat(hook.registered()).as("each registration dropped the dead threads' before it").isEqualTo(1);
    AtomicInteger runs = new AtomicInteger();
    hook.register(new TaskId(0, 9), runs::incrementAndGet);
    assertThat(hook.registered()).as("only the live thread's").isEqualTo(1);
    hook.fire(new TaskId(0, 9));
    assertThat(runs).hasValue(1);
  }
}
