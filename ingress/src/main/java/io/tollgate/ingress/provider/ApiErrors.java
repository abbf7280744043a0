package io.tollgate.ingress.provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Errors the gateway answers itself, in the caller's API shape: Anthropic's
 * {@code {"type":"error","error":{"type":…,"message":…}}} on Anthropic routes, OpenAI's
 * {@code {"error":{"message":…,"type":…,"param":null,"code":…}}} on OpenAI routes, Google's
 * {@code {"error":{"code":404,"message":…,"status":"NOT_FOUND"}}} on Gemini routes. Messages
 * never contain keys or tokens.
 */
public final class ApiErrors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ApiErrors() {
  }

  /** The error body in {@code api}'s shape. */
  public static String body(io.tollgate.ingress.usage.Api api, int status, String message) {
    return api.gemini() ? gemini(status, message) : body(api.anthropic(), status, message);
  }

  /** Google's error shape: the HTTP status as {@code code}, its canonical gRPC name as {@code status}. */
  public static String gemini(int status, String message) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("error").put("code", status).put("message", message).put("status", googleStatus(status));
    return root.toString();
  }

  public static String body(boolean anthropic, int status, String message) {
    if (anthropic) {
      ObjectNode root = JSON.createObjectNode().put("type", "error");
      root.putObject("error").put("type", anthropicType(status)).put("message", message);
      return root.toString();
    }
    ObjectNode root = JSON.createObjectNode();
    root.putObject("error").put("message", message).put("type", openAiType(status)).putNull("param")
        .put("code", openAiCode(status));
    return root.toString();
  }

  private static String anthropicType(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 529 -> "overloaded_error";
      case 504 -> "timeout_error";
      default -> "api_error";
    };
  }

  private static String googleStatus(int status) {
    return switch (status) {
      case 400, 411, 413, 414, 431 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 405 -> "UNIMPLEMENTED";
      case 408, 504 -> "DEADLINE_EXCEEDED";
      case 409 -> "ABORTED";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 499 -> "CANCELLED";
      case 502, 503 -> "UNAVAILABLE";
      default -> status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
    };
  }

  private static String openAiType(int status) {
    return switch (status) {
      case 400, 404, 413 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 429 -> "rate_limit_exceeded";
      default -> "server_error";
    };
  }

  private static String openAiCode(int status) {
    return switch (status) {
      case 401 -> "invalid_api_key";
      case 404 -> "model_not_found";
      case 413 -> "request_too_large";
      case 502 -> "upstream_unreachable";
      case 504 -> "upstream_timeout";
      default -> null;
    };
  }
}
