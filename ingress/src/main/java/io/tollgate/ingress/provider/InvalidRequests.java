package io.tollgate.ingress.provider;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.tollgate.ingress.metrics.GatewayMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/** The {@link GatewayServer}'s answer to protocol errors (431, 414, a malformed request line). */
final class InvalidRequests implements Handler<HttpServerRequest> {
  private final GatewayMetrics metrics;

  InvalidRequests(GatewayMetrics metrics) {
    this.metrics = metrics;
  }

  /** A request Netty could not decode: the status it deserves, with a body in the API's shape. */
  @Override
  public void handle(HttpServerRequest req) {
    Throwable cause = req.decoderResult() == null ? null : req.decoderResult().cause();
    int status = cause instanceof TooLongHttpLineException ? 414
        : cause instanceof TooLongHttpHeaderException ? 431
        : cause instanceof TooLongFrameException ? 413 : 400;
    String message = switch (status) {
      case 414 -> "request line too long";
      case 431 -> "request headers too large";
      case 413 -> "request too large";
      default -> "malformed HTTP request";
    };
    metrics.rejected("invalid_http");
    String path = req.path();
    req.response().setStatusCode(status).putHeader("content-type", "application/json").putHeader("connection", "close")
        .end(ApiErrors.forPath(path, status, message));
  }
}
