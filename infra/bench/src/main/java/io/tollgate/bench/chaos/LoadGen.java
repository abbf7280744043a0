package io.tollgate.bench.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Paced traffic into the gateway (Anthropic {@code /v1/messages}, half of it streamed) that writes
 * every outcome into a {@link Ledger}. Each call asks the mock provider for a usage of its own
 * ({@code x-mock-usage}), so the client knows each call's price without asking the gateway.
 * Calls are open-loop at the set rate, with at most {@value #MAX_IN_FLIGHT} in flight (the rest
 * are counted as not sent, so a dead gateway does not pile up sockets here).
 */
public final class LoadGen implements AutoCloseable {
  static final int MAX_IN_FLIGHT = 256;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one call is: who pays, whether it streams, which failure the mock should play (null = none). */
  record Call(String customer, boolean streamed, String mockFailure) {
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final Ledger ledger;
  private final AtomicLong seq = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final java.util.Map<String, AtomicInteger> inFlightBy = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicLong notSent = new AtomicLong();
  private volatile String host = "127.0.0.1";
  private volatile int port;
  private volatile LongFunction<Call> plan;
  private volatile long timer = -1;
  private volatile boolean running;
  private double credit;

  LoadGen(Vertx vertx, Ledger ledger, String customer) {
    this.vertx = vertx;
    this.ledger = ledger;
    this.plan = n -> new Call(customer, n % 2 == 0, null);
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(2_000),
        new PoolOptions().setHttp1MaxSize(48));
  }

  void target(String newHost, int newPort) {
    host = newHost;
    port = newPort;
  }

  void plan(LongFunction<Call> newPlan) {
    plan = newPlan;
  }

  /** Starts (or changes) the pace: {@code perSecond} calls a second, 0 stops sending. */
  synchronized void rate(int perSecond) {
    running = perSecond > 0;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    if (!running) {
      return;
    }
    double perTick = perSecond / 50.0;
    credit = 0;
    timer = vertx.setPeriodic(20, id -> {
      credit += perTick;
      while (credit >= 1 && running) { // a tick queued before rate(0) sends nothing
        credit -= 1;
        send();
      }
    });
  }

  int inFlight() {
    return inFlight.get();
  }

  /** Calls of {@code customer} sent and not finished (answered or failed). */
  int inFlight(String customer) {
    AtomicInteger n = inFlightBy.get(customer);
    return n == null ? 0 : n.get();
  }

  long notSent() {
    return notSent.get();
  }

  /** Stops sending and waits (up to {@code millis}) for the calls in flight. */
  void drain(long millis) throws InterruptedException {
    rate(0);
    long deadline = System.currentTimeMillis() + millis;
    while (inFlight.get() > 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
  }

  private void send() {
    if (inFlight.get() >= MAX_IN_FLIGHT || port == 0) {
      notSent.incrementAndGet();
      return;
    }
    long n = seq.incrementAndGet();
    Call call = plan.apply(n);
    long input = 100 + n % 900;
    long output = 1 + n % 64;
    String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":" + call.streamed()
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"chaos call " + n + "\"}]}";
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
        .setURI("/v1/messages").setIdleTimeout(30_000)
        .putHeader("content-type", "application/json").putHeader("x-api-key", "sk-chaos")
        .putHeader("anthropic-version", "2023-06-01")
        .putHeader("x-litellm-customer-id", call.customer())
        .putHeader("x-mock-usage", "input=" + input + ",output=" + output);
    if (call.mockFailure() != null) {
      options.putHeader("x-mock-fail", call.mockFailure());
    }
    inFlight.incrementAndGet();
    AtomicInteger mine = inFlightBy.computeIfAbsent(call.customer(), k -> new AtomicInteger());
    mine.incrementAndGet();
    long start = System.nanoTime();
    String[] upstreamId = new String[1];
    int[] status = new int[1];
    client.request(options)
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose((HttpClientResponse resp) -> {
          status[0] = resp.statusCode();
          upstreamId[0] = resp.getHeader("request-id");
          return resp.body();
        })
        .onComplete(ar -> {
          long now = System.nanoTime();
          if (ar.failed()) {
            ledger.failed(status[0] == 0 ? "no answer (connection failed or cut)" : "body cut after status " + status[0]);
          } else if (status[0] / 100 != 2) {
            ledger.failed("status " + status[0]);
          } else if (upstreamId[0] == null) {
            ledger.failed("2xx without request-id");
          } else if (!complete(ar.result(), call.streamed())) {
            ledger.failed("2xx with an incomplete body");
          } else {
            ledger.answered(new Ledger.Answer(upstreamId[0], call.customer(), Ledger.cost(input, output), now,
                (now - start) / 1_000));
          }
          mine.decrementAndGet(); // after the ledger has it: a finished call is always counted
          inFlight.decrementAndGet();
        });
  }

  /** A JSON answer parses whole as a message; a stream reached {@code message_stop}. */
  public static boolean complete(Buffer body, boolean streamed) {
    String text = body.toString();
    if (streamed) {
      return text.contains("event: message_stop");
    }
    try {
      JsonNode node = JSON.readTree(text);
      return node != null && "message".equals(node.path("type").asText()) && node.has("usage");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    rate(0);
    client.close();
  }
}
