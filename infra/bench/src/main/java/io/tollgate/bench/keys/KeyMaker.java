package io.tollgate.bench.keys;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;

/**
 * Creates the benchmark's teams and keys the way a LiteLLM user does: {@code POST /team/new} and
 * {@code POST /key/generate} with the master key, {@value #PARALLEL} writes in flight (each answers
 * only once durable on Kafka, so one at a time would measure the broker's acks, not the gateway).
 */
final class KeyMaker {
  static final int PARALLEL = 32;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String masterKey;

  KeyMaker(String base, String masterKey) {
    this.base = base;
    this.masterKey = masterKey;
  }

  /** {@code POST path} with {@code body}; the parsed answer, or an exception naming the status. */
  ObjectNode post(String path, ObjectNode body) throws IOException, InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("authorization", "Bearer " + masterKey).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 200) {
      throw new IOException(path + " answered " + resp.statusCode() + ": " + resp.body());
    }
    return (ObjectNode) JSON.readTree(resp.body());
  }

  /** Sends {@code count} bodies to {@code path}, returns {@code field} of each answer in order. */
  List<String> createAll(String path, int count, IntFunction<ObjectNode> body, String field) throws Exception {
    Semaphore inFlight = new Semaphore(PARALLEL);
    List<Future<String>> answers = new ArrayList<>(count);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        int n = i;
        inFlight.acquire();
        answers.add(pool.submit(() -> {
          try {
            return post(path, body.apply(n)).path(field).asText();
          } finally {
            inFlight.release();
          }
        }));
      }
      List<String> out = new ArrayList<>(count);
      for (Future<String> f : answers) {
        out.add(f.get());
      }
      return out;
    }
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }
}
