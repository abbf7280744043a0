package io.tollgate.local.mock;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/** Writing the mock's answers: JSON (optionally cut mid-body), the end of a stream, errors in each provider's shape. */
final class MockResponses {
  private MockResponses() {
  }

  static void json(HttpServerRequest req, int status, String body, int cutAfter) {
    if (cutAfter >= 0) {
      // Promise the whole body, send half, hang up: the client sees a truncated response.
      byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      HttpServerResponse resp = req.response().setStatusCode(status)
          .putHeader("content-type", "application/json").putHeader("content-length", Integer.toString(bytes.length));
      resp.write(Buffer.buffer(java.util.Arrays.copyOf(bytes, bytes.length / 2)))
          .onComplete(v -> req.connection().close());
      return;
    }
    json(req.response(), status, body);
  }

  static void json(HttpServerResponse resp, int status, String body) {
    resp.setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }

  static void endStream(HttpServerRequest req, HttpServerResponse resp, int cutAfter) {
    if (cutAfter >= 0) {
      // No terminating chunk: the stream ends as a dropped connection would.
      resp.write("").onComplete(v -> req.connection().close());
    } else {
      resp.end();
    }
  }

  static void error(HttpServerRequest req, MockApi api, int status, String message) {
    HttpServerResponse resp = req.response();
    if (status == 429) {
      resp.putHeader("retry-after", "1");
    }
    json(resp, status, api.anthropic() ? MockPayloads.anthropicError(status, message)
        : api.gemini() ? MockGemini.error(status, message) : MockPayloads.openAiError(status, message));
  }
}
