package io.tollgate.local.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fake Anthropic + OpenAI + Gemini upstream on 127.0.0.1: {@code /v1/messages} (+ {@code count_tokens}),
 * {@code /v1/chat/completions}, {@code /v1/responses}, {@code /v1/embeddings}, {@code /v1/models},
 * {@code /v1beta/models/{model}:generateContent|streamGenerateContent|countTokens|embedContent}
 * ({@link MockGemini}; a call without a key in {@code x-goog-api-key} or {@code ?key=} gets 403);
 * JSON and SSE answers shaped like the real APIs, with usage from {@link MockUsage} so tests know
 * the exact numbers, and failures on demand ({@link MockFailure}). Runs on the event loop only,
 * so it can serve benchmarks; it records the last requests for tests to inspect.
 */
public final class MockProvider implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int RECORDED = 100;
  /** Header: milliseconds between SSE events (a slow stream). */
  public static final String EVENT_DELAY_HEADER = "x-mock-event-delay-ms";

  /** What a test can check about a request upstream received. */
  public record ReceivedRequest(String method, String uri, Map<String, String> headers, String body) {
    /** Header value by case-insensitive name, or null. */
    public String header(String name) {
      for (var e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue();
        }
      }
      return null;
    }
  }

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final HttpServer server;
  private final AtomicLong requests = new AtomicLong();
  private final Deque<ReceivedRequest> received = new ConcurrentLinkedDeque<>();
  private final AtomicReference<MockFailure> nextFailure = new AtomicReference<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final MockAnswers answers;

  private MockProvider(Vertx vertx, boolean ownsVertx, int port) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.ownsVertx = ownsVertx;
    this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
        .setCompressionSupported(false));
    this.answers = new MockAnswers(vertx);
  }

  /** Starts on {@code port} (0 = a free one) using {@code vertx}, which the caller keeps owning. */
  public static Future<MockProvider> start(Vertx vertx, int port) {
    MockProvider mock = new MockProvider(vertx, false, port);
    return mock.server.requestHandler(mock::handle).listen().map(s -> mock);
  }

  /** Starts on {@code port} (0 = a free one) with a Vert.x instance of its own; blocks until listening. */
  public static MockProvider start(int port) {
    Vertx vertx = Vertx.vertx();
    MockProvider mock = new MockProvider(vertx, true, port);
    try {
      mock.server.requestHandler(mock::handle).listen().toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      return mock;
    } catch (InterruptedException | ExecutionException | java.util.concurrent.TimeoutException e) {
      vertx.close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("mock provider cannot listen on 127.0.0.1:" + port + ": "
          + (e.getCause() == null ? e : e.getCause()).getMessage(), e);
    }
  }

  public int port() {
    return server.actualPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** Requests received since start or {@link #reset()}. */
  public long requestCount() {
    return requests.get();
  }

  /** The most recent requests (up to 100), oldest first. */
  public List<ReceivedRequest> receivedRequests() {
    return new ArrayList<>(received);
  }

  /** The newest request, or null. */
  public ReceivedRequest lastRequest() {
    return received.peekLast();
  }

  /** The complete body of the newest successful answer (JSON or the whole SSE stream), or null. */
  public String lastResponseBody() {
    return answers.lastBody();
  }

  /** The next {@code times} requests fail this way (a request's own header still wins). */
  public void failNext(MockFailure failure, int times) {
    nextFailure.set(Objects.requireNonNull(failure, "failure"));
    failuresLeft.set(times);
  }

  /** Forgets recorded requests and pending failures. */
  public void reset() {
    requests.set(0);
    received.clear();
    failuresLeft.set(0);
    nextFailure.set(null);
  }

  private MockFailure takeFailure(HttpServerRequest req) {
    String header = req.getHeader(MockFailure.HEADER);
    if (header != null) {
      return MockFailure.parse(header);
    }
    if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return nextFailure.get();
    }
    return null;
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      requests.incrementAndGet();
      record(req, body);
      MockApi api = MockApi.of(req.path());
      try {
        dispatch(req, api, body);
      } catch (IllegalArgumentException e) {
        MockResponses.error(req, api, 400, e.getMessage());
      }
    }).onFailure(e -> req.connection().close());
  }

  private void record(HttpServerRequest req, Buffer body) {
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    req.headers().forEach(h -> headers.merge(h.getKey(), h.getValue(), (a, b) -> a + ", " + b));
    received.addLast(new ReceivedRequest(req.method().name(), req.uri(), headers, body.toString()));
    while (received.size() > RECORDED) {
      received.pollFirst();
    }
  }

  private void dispatch(HttpServerRequest req, MockApi api, Buffer body) {
    if (api == MockApi.MODELS) {
      MockResponses.json(req.response(), 200, "{\"object\":\"list\",\"data\":[{\"id\":\"claude-sonnet-4-5\",\"object\":\"model\"},"
          + "{\"id\":\"gpt-5\",\"object\":\"model\"}]}");
      return;
    }
    if (api == MockApi.UNKNOWN || !"POST".equals(req.method().name())) {
      MockResponses.error(req, api, 404, "mock provider has no route " + req.method() + " " + req.path());
      return;
    }
    JsonNode request = parse(body);
    if (api.gemini() && MockGemini.key(req.getHeader("x-goog-api-key"), req.query()) == null) {
      MockResponses.error(req, api, 403, "Method doesn't allow unregistered callers (callers without established "
          + "identity). Please use API Key or other form of API consumer identity to call this API.");
      return;
    }
    Long max = api.gemini() ? MockGemini.maxTokens(request) : maxTokens(request);
    MockUsage usage = MockUsage.forRequest(body.length(), max, req.getHeader(MockUsage.HEADER));
    MockFailure failure = takeFailure(req);
    if (failure != null && failure.kind() == MockFailure.Kind.SLOW) {
      vertx.setTimer(Math.max(1, failure.amount()), id -> answers.answer(req, api, request, usage, null));
    } else {
      answers.answer(req, api, request, usage, failure);
    }
  }

  private static JsonNode parse(Buffer body) {
    try {
      JsonNode node = JSON.readTree(body.getBytes());
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("request body must be a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new IllegalArgumentException("request body is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static Long maxTokens(JsonNode request) {
    for (String field : new String[] {"max_tokens", "max_completion_tokens", "max_output_tokens"}) {
      if (request.hasNonNull(field)) {
        return request.get(field).asLong();
      }
    }
    return null;
  }

  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (ownsVertx) {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("mock provider did not stop cleanly", e);
    }
  }

  /** {@code MockProvider [port]}: serves until killed (for trying a client by hand). */
  public static void main(String[] args) throws InterruptedException {
    MockProvider mock = start(args.length > 0 ? Integer.parseInt(args[0]) : 4010);
    Runtime.getRuntime().addShutdownHook(new Thread(mock::close));
    System.out.println("mock provider on " + mock.baseUrl());
    Thread.currentThread().join();
  }
}
