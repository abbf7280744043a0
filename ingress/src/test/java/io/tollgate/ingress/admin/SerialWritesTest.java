package io.tollgate.ingress.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.ingress.identity.KeyAuth;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SerialWritesTest {
  private final SerialWrites serial = new SerialWrites();

  @Test
  void aWriteOfTheSameRecordStartsOnlyOnceTheOneBeforeItCompleted() throws Exception {
    CompletableFuture<String> firstAck = new CompletableFuture<>();
    List<String> started = new CopyOnWriteArrayList<>();
    CompletableFuture<String> first = serial.run(Set.of("key|a"), () -> {
      started.add("update");
      return firstAck;
    });
    CompletableFuture<String> second = serial.run(Set.of("key|a"), () -> {
      started.add("block");
      return CompletableFuture.completedFuture("blocked");
    });
    assertThat(started).containsExactly("update");
    assertThat(second).isNotDone();
    firstAck.complete("updated");
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("blocked");
    assertThat(first.get()).isEqualTo("updated");
    assertThat(started).containsExactly("update", "block");
    waitUntilIdle();
  }

  @Test
  void otherRecordsDoNotWaitAndAFailureDoesNotStopTheQueue() throws Exception {
    CompletableFuture<String> held = new CompletableFuture<>();
    serial.run(Set.of("key|a"), () -> held);
    CompletableFuture<String> other = serial.run(Set.of("team|t"), () -> CompletableFuture.completedFuture("t"));
    assertThat(other).isCompletedWithValue("t");
    CompletableFuture<String> thrower = serial.run(Set.of("key|a"), () -> {
      throw ApiError.notFound("key", "key not found");
    });
    CompletableFuture<String> after = serial.run(Set.of("key|a"), () -> CompletableFuture.completedFuture("ok"));
    held.completeExceptionally(new IllegalStateException("Kafka down"));
    assertThat(after.get(5, TimeUnit.SECONDS)).isEqualTo("ok");
    assertThat(thrower).isCompletedExceptionally();
    waitUntilIdle();
  }

  @Test
  void aMultiRecordWriteWaitsForEachOfItsRecords() throws Exception {
    CompletableFuture<String> a = new CompletableFuture<>();
    CompletableFuture<String> b = new CompletableFuture<>();
    serial.run(Set.of("key|a"), () -> a);
    serial.run(Set.of("key|b"), () -> b);
    CompletableFuture<String> both = serial.run(Set.of("key|a", "key|b"), () -> CompletableFuture.completedFuture("x"));
    a.complete("a");
    assertThat(both).isNotDone();
    b.complete("b");
    assertThat(both.get(5, TimeUnit.SECONDS)).isEqualTo("x");
    waitUntilIdle();
  }

  @Test
  void theRecordsOfAWriteAreTheOnesItNames() {
    ObjectMapper json = new ObjectMapper();
    String key = "sk-" + "a".repeat(30);
    ObjectNode update = json.createObjectNode().put("key", key);
    assertThat(SerialWrites.records("/key/update", update, null, null)).containsExactly("key|" + KeyAuth.sha256(key));
    assertThat(SerialWrites.records("/key/generate", json.createObjectNode().put("key_alias", "dev"), null, null))
        .containsExactly("key-alias|dev");
    assertThat(SerialWrites.records("/key/block", json.createObjectNode().put("key", KeyAuth.sha256(key)), null, null))
        .containsExactly("key|" + KeyAuth.sha256(key));
    assertThat(SerialWrites.records("/key/update", json.createObjectNode().put("key", "not a key"), null, null))
        .isEmpty();
    ObjectNode customers = json.createObjectNode();
    customers.putArray("user_ids").add("c1").add("c2");
    assertThat(SerialWrites.records("/customer/block", customers, null, null))
        .containsExactly("customer|c1", "customer|c2");
    assertThat(SerialWrites.records("/team/new", json.createObjectNode().put("team_id", "t"), null, null))
        .containsExactly("team|t");
    assertThat(SerialWrites.records("/key/regenerate", json.createObjectNode(), key, null))
        .containsExactly("key|" + KeyAuth.sha256(key));
  }

  private void waitUntilIdle() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (serial.pending() > 0) {
      assertThat(System.nanoTime()).as("every record released").isLessThan(deadline);
      Thread.sleep(5); // polling the condition, bounded by the deadline
    }
  }
}
