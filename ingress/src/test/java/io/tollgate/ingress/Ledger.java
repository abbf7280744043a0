package io.tollgate.ingress;

import io.tollgate.schemas.topics.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The client's own account of what the gateway answered, kept independently of the code under
 * test: a call counts when it got a 2xx and a complete body (a JSON answer whole, a stream up to
 * {@code message_stop}); each is identified by the {@code x-litellm-call-id} header, which is
 * the event id of its usage event. Then: which of them reached the topic, and how often.
 */
final class Ledger {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Set<String> answered = ConcurrentHashMap.newKeySet();
  private final AtomicInteger failedCalls = new AtomicInteger();

  /**
   * Runs {@code threads} clients against the gateway at {@code port.getAsInt()}, each until
   * {@code calls} calls were made in total or the gateway stops answering (connection refused).
   */
  void load(IntSupplier port, int threads, int calls, String customer) throws InterruptedException {
    AtomicInteger left = new AtomicInteger(calls);
    Thread[] clients = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      boolean streamed = t % 2 == 0;
      clients[t] = new Thread(() -> {
        while (left.getAndDecrement() > 0) {
          if (!call(port.getAsInt(), streamed, customer)) {
            return;
          }
        }
      }, "ledger-client-" + t);
      clients[t].start();
    }
    for (Thread c : clients) {
      c.join(120_000);
      if (c.isAlive()) {
        throw new AssertionError("a client did not finish within 120 s");
      }
    }
  }

  /** One call; false once the gateway is gone (connection refused or reset). */
  private boolean call(int port, boolean streamed, String customer) {
    String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"stream\":" + streamed
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + UUID.randomUUID() + "\"}]}";
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/messages"))
        .timeout(Duration.ofSeconds(20)).header("x-api-key", "sk-ledger").header("x-litellm-customer-id", customer)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      String id = r.headers().firstValue("x-litellm-call-id").orElse(null);
      boolean complete = streamed ? r.body().contains("message_stop") : r.body().trim().endsWith("}");
      if (r.statusCode() / 100 == 2 && complete && id != null) {
        answered.add(id);
      } else {
        failedCalls.incrementAndGet();
      }
      return true;
    } catch (IOException e) {
      failedCalls.incrementAndGet();
      return false; // the gateway died (or is dying): this call was not answered
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  Set<String> answered() {
    return Set.copyOf(answered);
  }

  /** What the topic holds of the answered calls once all arrived (or {@code timeout} passed): id → copies. */
  Map<String, Integer> onTopic(String bootstrap, Duration timeout) {
    Set<String> wanted = answered();
    Map<String, Integer> seen = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
        "group.id", "ledger-" + UUID.randomUUID(), "auto.offset.reset", "earliest"),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.USAGE.name()));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!seen.keySet().containsAll(wanted) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (wanted.contains(r.key())) {
            seen.merge(r.key(), 1, Integer::sum);
          }
        }
      }
      // A short extra read, so duplicates that arrive right behind are counted too (not asserted).
      long settle = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      while (System.nanoTime() < settle) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (wanted.contains(r.key())) {
            seen.merge(r.key(), 1, Integer::sum);
          }
        }
      }
    }
    return seen;
  }

  /** A one-line account: answered, reached Kafka, lost, duplicated. */
  String report(String scenario, Map<String, Integer> topic) {
    long lost = answered.stream().filter(id -> !topic.containsKey(id)).count();
    long duplicated = topic.values().stream().mapToLong(n -> n - 1).sum();
    return scenario + ": answered " + answered.size() + ", not answered " + failedCalls.get() + ", on Kafka "
        + topic.size() + ", lost " + lost + ", duplicate copies " + duplicated;
  }
}
