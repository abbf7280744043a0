package io.tollgate.ingress.admin;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A management call the gateway refuses, answered in LiteLLM's shape
 * {@code {"error":{"message":…,"type":…,"param":…,"code":"400"}}} (LiteLLM sends the status as a
 * string in {@code code}). Messages name fields, never a key value.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int status;
  final String type;
  final String param;
  /** The outcome label of the management metric. */
  final String outcome;

  ApiError(int status, String type, String param, String outcome, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.outcome = outcome;
  }

  static ApiError badRequest(String param, String message) {
    return new ApiError(400, "bad_request_error", param, "invalid", message);
  }

  static ApiError notFound(String param, String message) {
    return new ApiError(404, "not_found_error", param, "not_found", message);
  }

  ObjectNode body() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode error = root.putObject("error").put("message", getMessage()).put("type", type);
    if (param == null) {
      error.putNull("param");
    } else {
      error.put("param", param);
    }
    error.put("code", Integer.toString(status));
    return root;
  }
}
