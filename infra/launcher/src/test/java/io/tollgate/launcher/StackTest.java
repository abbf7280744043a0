package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class StackTest {

  @Test
  void closesInReverseOrderAndNamesAWatchedPartThatDiedUntilItCloses() {
    List<String> closed = new ArrayList<>();
    AtomicBoolean aggregatorUp = new AtomicBoolean(true);
    Stack stack = new Stack();
    stack.push("kafka", () -> closed.add("kafka"));
    stack.push("aggregator", () -> closed.add("aggregator"));
    stack.watch("aggregator", aggregatorUp::get);
    assertThat(stack.failed()).isNull();
    aggregatorUp.set(false);
    assertThat(stack.failed()).isEqualTo("aggregator");
    stack.close();
    assertThat(closed).containsExactly("aggregator", "kafka");
    assertThat(stack.failed()).as("parts stopping on purpose are not failures").isNull();
  }
}
