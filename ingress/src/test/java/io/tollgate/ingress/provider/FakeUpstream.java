package io.tollgate.ingress.provider;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;

/**
 * A provider the test controls per call: each test sets what the next requests are answered
 * with (recorded payload shapes, stalls, odd encodings) and reads what arrived.
 */
final class FakeUpstream implements AutoCloseable {
  /** What one request got: headers and body as received. */
  record Received(MultiMap headers, String path, String body) {
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private volatile Handler<HttpServerRequest> answer = req -> req.response().end("{}");
  private volatile Received last;

  FakeUpstream() throws Exception {
    server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      last = new Received(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), req.uri(), body.toString());
      answer.handle(req);
    }));
    server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  Vertx vertx() {
    return vertx;
  }

  /** Answers every following request with a fixed status, content type and body. */
  void answer(int status, String contentType, byte[] body, String... headers) {
    answer = req -> {
      req.response().setStatusCode(status).putHeader("content-type", contentType);
      for (int i = 0; i < headers.length; i += 2) {
        req.response().putHeader(headers[i], headers[i + 1]);
      }
      req.response().end(Buffer.buffer(body));
    };
  }

  void answer(Handler<HttpServerRequest> handler) {
    answer = handler;
  }

  Received last() {
    return last;
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
