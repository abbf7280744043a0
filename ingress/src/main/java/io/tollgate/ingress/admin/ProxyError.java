package io.tollgate.ingress.admin;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * An admin route's refusal in LiteLLM's shape (its {@code ProxyException}):
 * {@code {"error":{"message":…,"type":…,"param":…,"code":"400"}}}, the code a string as LiteLLM
 * sends it. Messages name the parameter and what is wrong with it, never a key.
 *
 * @param status  HTTP status
 * @param type    LiteLLM's error type: {@code bad_request_error}, {@code auth_error}, {@code internal_error}…
 * @param message what is wrong, for a person
 * @param param   the offending parameter, or null
 */
public record ProxyError(int status, String type, String message, String param) {
  public static ProxyError badRequest(String message, String param) {
    return new ProxyError(400, "bad_request_error", message, param);
  }

  public static ProxyError unauthorized(String message) {
    return new ProxyError(401, "auth_error", message, null);
  }

  public static ProxyError forbidden(String message) {
    return new ProxyError(403, "auth_error", message, null);
  }

  public JsonObject json() {
    return new JsonObject().put("error", new JsonObject().put("message", message).put("type", type)
        .put("param", param).put("code", Integer.toString(status)));
  }

  /** Answers with this error unless the response is already gone. */
  public void send(HttpServerResponse response) {
    if (!response.ended() && !response.closed()) {
      response.setStatusCode(status).putHeader("content-type", "application/json").end(json().encode());
    }
  }

  /** Thrown to leave a route with this error. */
  public static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ProxyError error;

    public Failure(ProxyError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }

    public ProxyError error() {
      return error;
    }
  }
}
