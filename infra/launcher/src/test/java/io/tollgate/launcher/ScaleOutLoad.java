package io.tollgate.launcher;

import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.local.mock.MockUsage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded, paced load of real API calls spread round-robin over several gateways, and the
 * totals it must produce. The expectation comes from the requests alone: the mock provider
 * derives usage from the request body ({@link MockUsage}), and the bundled price table prices it —
 * the same table the gateway uses, but applied here without the gateway's routing, usage parsing
 * or Kafka, so a call lost or counted twice anywhere downstream shows as a difference.
 */
final class ScaleOutLoad {
  private static final PriceTable PRICES = PriceTable.bundled();
  private static final String[] CUSTOMERS = {"acme", "globex", "initech", "umbrella", "hooli"};
  private static final String[] MODELS = {"claude-sonnet-4-5", "claude-haiku-4-5", "gpt-5"};
  private static final String[][] TOOLS = {{"claude-code", "claude-cli/2.1.3 (external, cli)"},
      {"codex", "codex_cli_rs/0.50.0 (Ubuntu 24.4.0; x86_64) xterm"}, {"curl", "curl/8.5.0"}};

  /** One planned call. */
  record Call(int gateway, String customer, String model, String tool, String userAgent, String body) {
    boolean anthropic() {
      return model.startsWith("claude-");
    }
  }

  private final List<Call> calls = new ArrayList<>();
  private final Map<String, Totals> expected = new TreeMap<>();
  private final long[] callsPerGateway;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger completed = new AtomicInteger();
  private final Queue<String> failures = new ConcurrentLinkedQueue<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private ExecutorService clients;

  /** {@code count} calls over {@code gateways} gateways (call i goes to gateway i mod gateways). */
  ScaleOutLoad(long seed, int count, int gateways) {
    Random random = new Random(seed);
    callsPerGateway = new long[gateways];
    for (int i = 0; i < count; i++) {
      String customer = CUSTOMERS[random.nextInt(CUSTOMERS.length)];
      String model = MODELS[random.nextInt(MODELS.length)];
      String[] tool = TOOLS[random.nextInt(TOOLS.length)];
      int maxTokens = 1 + random.nextInt(80);
      // Anthropic calls stream now and then; OpenAI chat streams would have their body rewritten
      // upstream (include_usage), which would change the usage the mock derives from it.
      boolean stream = model.startsWith("claude-") && random.nextInt(4) == 0;
      String body = "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens + (stream ? ",\"stream\":true" : "")
          + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(random.nextInt(600)) + "\"}]}";
      Call call = new Call(i % gateways, customer, model, tool[0], tool[1], body);
      calls.add(call);
      callsPerGateway[call.gateway()]++;
      MockUsage usage = MockUsage.forRequest(body.getBytes(StandardCharsets.UTF_8).length, (long) maxTokens, null);
      long cost = PRICES.cost(model, new Usage(usage.input(), usage.output(), 0, 0, 0, 0, null, null, true)).nanos();
      expected.merge(Totals.key(customer, model, tool[0]), new Totals(1, usage.input(), usage.output(), cost), Totals::plus);
    }
  }

  /** Sends every call from {@code threads} clients, call i no earlier than {@code i * span / count} after now. */
  void start(List<Integer> gatewayPorts, int threads, Duration span) {
    long t0 = System.nanoTime();
    long stepNanos = span.toNanos() / calls.size();
    clients = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      clients.execute(() -> {
        for (int i = next.getAndIncrement(); i < calls.size(); i = next.getAndIncrement()) {
          long wait = t0 + i * stepNanos - System.nanoTime();
          if (wait > 0) {
            try {
              TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
              return;
            }
          }
          send(calls.get(i), gatewayPorts.get(calls.get(i).gateway()));
        }
      });
    }
    clients.shutdown();
  }

  private void send(Call call, int port) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + (call.anthropic() ? "/v1/messages" : "/v1/chat/completions")))
        .timeout(Duration.ofSeconds(20)).header("user-agent", call.userAgent())
        .header("x-litellm-customer-id", call.customer()).POST(HttpRequest.BodyPublishers.ofString(call.body()));
    request = call.anthropic() ? request.header("x-api-key", "sk-scaleout") : request.header("authorization", "Bearer sk-scaleout");
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200 || response.body().isEmpty()) {
        failures.add(call.customer() + " " + call.model() + " -> " + response.statusCode() + " " + response.body());
      }
    } catch (Exception e) {
      failures.add(call.customer() + " " + call.model() + " -> " + e);
    } finally {
      completed.incrementAndGet();
    }
  }

  /** Waits until every call was answered (or failed); false on timeout. */
  boolean awaitDone(Duration timeout) throws InterruptedException {
    return clients.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  int size() {
    return calls.size();
  }

  int completed() {
    return completed.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  /** Expected totals per (customer, model, tool) key. */
  Map<String, Totals> expected() {
    return expected;
  }

  long callsTo(int gateway) {
    return callsPerGateway[gateway];
  }

  void stop() {
    if (clients != null) {
      clients.shutdownNow();
    }
  }
}
