package io.tollgate.ingress.provider;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * Closes the connection of an answer given before the request's body was read (413, 401, 408 …)
 * once the client stopped sending, like nginx's lingering close: closing while the client still
 * writes makes the kernel reset the connection, and the client may lose the answer it has not read
 * yet. Bounded in bytes and time, so a client cannot hold the connection open by sending forever.
 */
public final class LingeringClose {
  /** At most this much of an unread body is drained (and dropped) after an early answer, for at most {@link #LINGER_MS}. */
  static final long LINGER_BYTES = 8L * 1024 * 1024;
  static final long LINGER_MS = 2_000;

  private LingeringClose() {
  }

  /**
   * Ends the response with {@code body} as an early answer: {@code connection: close} (the rest of
   * the body may still come, so the connection is not reused; Vert.x keeps a keep-alive connection
   * open whatever the header says), then {@link #afterAnswer}.
   */
  public static void end(Vertx vertx, HttpServerRequest req, String body) {
    req.response().putHeader("connection", "close");
    req.response().end(body).onComplete(v -> afterAnswer(vertx, req));
  }

  /** Once the early answer is written: drains what is left of the body, then closes. */
  private static void afterAnswer(Vertx vertx, HttpServerRequest req) {
    if (req.isEnded() || req.response().closed()) {
      req.connection().close();
      return;
    }
    long[] drained = {0};
    long timer = vertx.setTimer(LINGER_MS, id -> req.connection().close());
    req.handler(chunk -> {
      drained[0] += chunk.length();
      if (drained[0] > LINGER_BYTES) {
        vertx.cancelTimer(timer);
        req.connection().close();
      }
    });
    req.endHandler(v -> {
      vertx.cancelTimer(timer);
      req.connection().close();
    });
    req.resume();
  }
}
