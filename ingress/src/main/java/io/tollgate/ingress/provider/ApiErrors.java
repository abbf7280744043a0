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

  /**
   * Rejection reasons that are LiteLLM error types of their own: on OpenAI routes the body carries
   * LiteLLM's type and its string code ({@code "401"}), as LiteLLM's clients match on them.
   */
  private static final java.util.Map<String, String> LITELLM_TYPES = java.util.Map.of(
      "expired_key", "expired_key", "key_blocked", "auth_error", "team_blocked", "auth_error",
      "key_model_access_denied", "key_model_access_denied", "team_model_access_denied", "team_model_access_denied",
      "customer_blocked", "auth_error", "budget_exceeded", "budget_exceeded",
      "client_tags_rejected", "bad_request_error");

  /** Same, for a rejection with a reason: LiteLLM's own error type where it has one. */
  public static String body(boolean anthropic, int status, String message, String reason) {
    String type = reason == null ? null : LITELLM_TYPES.get(reason);
    if (anthropic || type == null) {
      return body(anthropic, status, message);
    }
    ObjectNode root = JSON.createObjectNode();
    root.putObject("error").put("message", message).put("type", type)
        .put("param", reason.endsWith("model_access_denied") ? "model"
            : reason.equals("client_tags_rejected") ? "metadata.tags" : null).put("code", Integer.toString(status));
    return root.toString();
  }

  /** The error body in {@code api}'s shape. */
  public static String body(io.tollgate.ingress.usage.Api api, int status, String message) {
    return body(api, status, message, null);
  }

  /** Same, with the rejection's reason: LiteLLM's own error type on OpenAI routes where it has one. */
  public static String body(io.tollgate.ingress.usage.Api api, int status, String message, String reason) {
    return api.gemini() ? gemini(status, message) : body(api.anthropic(), status, message, reason);
  }

  /** Google's error shape: the HTTP status as {@code code}, its canonical gRPC name as {@code status}. */
  public static String gemini(int status, String message) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("error").put("code", status).put("message", message).put("status", googleStatus(status));
    return root.toString();
  }

  public static String body(boolean anthropic, int status, String message) {
    return body(anthropic, status, message, openAiType(status), openAiCode(status));
  }

  /** With the OpenAI shape's {@code type} and {@code code} given (LiteLLM's budget error: budget_exceeded, "429"). */
  public static String body(boolean anthropic, int status, String message, String openAiType, String openAiCode) {
    if (anthropic) {
      ObjectNode root = JSON.createObjectNode().put("type", "error");
      root.putObject("error").put("type", anthropicType(status)).put("message", message);
      return root.toString();
    }
    ObjectNode root = JSON.createObjectNode();
    root.putObject("error").put("message", message).put("type", openAiType).putNull("param")
        .put("code", openAiCode);
    return root.toString();
  }

  /** An error body in the shape the path's API would use (Anthropic, Gemini, else OpenAI). */
  static String forPath(String path, int status, String message) {
    if (GeminiRoutes.looksLikeGemini(path)) {
      return gemini(status, message);
    }
    return body(path != null && path.contains("/messages"), status, message);
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
      case 429 -> "429"; // LiteLLM's code on its own 429s (rate limits, budgets)
      case 404 -> "model_not_found";
      case 413 -> "request_too_large";
      case 502 -> "upstream_unreachable";
      case 504 -> "upstream_timeout";
      default -> null;
    };
  }
}
