package io.tollgate.local.mock;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link MockProvider}'s answers to a valid call: JSON or SSE per API (streams cut or slowed on
 * demand), keeping the complete body of the newest one for tests.
 */
final class MockAnswers {
  private final Vertx vertx;
  private final AtomicReference<String> lastResponseBody = new AtomicReference<>();

  MockAnswers(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The complete body of the newest successful answer (JSON or the whole SSE stream), or null. */
  String lastBody() {
    return lastResponseBody.get();
  }

  /** A successful answer in the API's shape, unless {@code failure} (STATUS, CUT) says otherwise. */
  void answer(HttpServerRequest req, MockApi api, JsonNode request, MockUsage usage, MockFailure failure) {
    if (failure != null && failure.kind() == MockFailure.Kind.STATUS) {
      MockResponses.error(req, api, failure.amount(), "mock failure " + failure.amount());
      return;
    }
    String model = request.path("model").asText("mock-model");
    boolean stream = request.path("stream").asBoolean(false);
    String requestId = "req_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    HttpServerResponse resp = req.response();
    resp.putHeader(api.anthropic() ? "request-id" : "x-request-id", requestId);
    long created = System.currentTimeMillis() / 1000;
    String id = UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    int cutAfter = failure != null && failure.kind() == MockFailure.Kind.CUT ? failure.amount() : -1;
    lastResponseBody.set(null);
    switch (api) {
      case MESSAGES -> {
        if (stream) {
          sse(req, recorded(MockPayloads.anthropicStream("msg_" + id, model, usage)), cutAfter);
        } else {
          MockResponses.json(req, 200, recorded(MockPayloads.anthropicMessage("msg_" + id, model, usage)), cutAfter);
        }
      }
      case COUNT_TOKENS -> MockResponses.json(req, 200, recorded("{\"input_tokens\":" + usage.input() + "}"), cutAfter);
      case CHAT -> {
        if (stream) {
          boolean includeUsage = request.path("stream_options").path("include_usage").asBoolean(false);
          sse(req, recorded(MockPayloads.chatStream("chatcmpl-" + id, model, created, usage, includeUsage)), cutAfter);
        } else {
          MockResponses.json(req, 200, recorded(MockPayloads.chatCompletion("chatcmpl-" + id, model, created, usage)), cutAfter);
        }
      }
      case RESPONSES -> {
        if (stream) {
          sse(req, recorded(MockPayloads.responsesStream("resp_" + id, model, created, usage)), cutAfter);
        } else {
          MockResponses.json(req, 200, recorded(MockPayloads.response("resp_" + id, model, created, usage, true).toString()), cutAfter);
        }
      }
      case EMBEDDINGS -> MockResponses.json(req, 200, recorded(MockPayloads.embeddings(model, usage)), cutAfter);
      case GEMINI_GENERATE, GEMINI_STREAM, GEMINI_COUNT_TOKENS, GEMINI_EMBED -> gemini(req, api, usage, id, cutAfter);
      default -> MockResponses.error(req, api, 404, "no route");
    }
  }

  private void gemini(HttpServerRequest req, MockApi api, MockUsage usage, String id, int cutAfter) {
    String model = MockGemini.model(req.path());
    switch (api) {
      case GEMINI_GENERATE -> MockResponses.json(req, 200, recorded(MockGemini.generate(id, model, usage)), cutAfter);
      case GEMINI_STREAM -> {
        List<String> chunks = MockGemini.chunks(id, model, usage);
        if ("sse".equals(req.getParam("alt"))) {
          sse(req, recorded(MockGemini.sse(chunks)), cutAfter);
        } else {
          // Without alt=sse Google streams one JSON array, element by element, as application/json.
          List<String> pieces = recorded(MockGemini.array(chunks));
          HttpServerResponse resp = req.response().setStatusCode(200).setChunked(true)
              .putHeader("content-type", "application/json; charset=UTF-8");
          int n = cutAfter >= 0 ? Math.min(cutAfter, pieces.size()) : pieces.size();
          for (int i = 0; i < n; i++) {
            resp.write(pieces.get(i));
          }
          MockResponses.endStream(req, resp, cutAfter);
        }
      }
      case GEMINI_COUNT_TOKENS -> MockResponses.json(req, 200, recorded(MockGemini.countTokens(usage)), cutAfter);
      default -> MockResponses.json(req, 200, recorded(MockGemini.embedding()), cutAfter);
    }
  }

  private String recorded(String body) {
    lastResponseBody.set(body);
    return body;
  }

  private List<String> recorded(List<String> events) {
    lastResponseBody.set(String.join("", events));
    return events;
  }

  private void sse(HttpServerRequest req, List<String> events, int cutAfter) {
    HttpServerResponse resp = req.response().setStatusCode(200).setChunked(true)
        .putHeader("content-type", "text/event-stream; charset=utf-8").putHeader("cache-control", "no-cache");
    int n = cutAfter >= 0 ? Math.min(cutAfter, events.size()) : events.size();
    String delayHeader = req.getHeader(MockProvider.EVENT_DELAY_HEADER);
    long delay = delayHeader == null ? 0 : Long.parseLong(delayHeader.trim());
    if (delay > 0) {
      // A slow generation: one event per tick, so clients can give up mid-stream.
      AtomicInteger sent = new AtomicInteger();
      vertx.setPeriodic(1, delay, id -> {
        int i = sent.getAndIncrement();
        if (resp.closed() || i >= n) {
          vertx.cancelTimer(id);
          if (!resp.closed()) {
            MockResponses.endStream(req, resp, cutAfter);
          }
          return;
        }
        resp.write(events.get(i));
      });
      return;
    }
    for (int i = 0; i < n; i++) {
      resp.write(events.get(i));
    }
    MockResponses.endStream(req, resp, cutAfter);
  }
}
