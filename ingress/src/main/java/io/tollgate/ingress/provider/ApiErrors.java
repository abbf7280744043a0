package io.tollgate.ingress.provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Errors the gateway answers itself, in the caller's API shape: Anthropic's
 * {@code {"type":"error","error":{"type":…,"message":…}}} on Anthropic routes, OpenAI's
 * {@code {"error":{"message":…,"type":…,"param":null,"code":…}}} elsewhere. Messages never
 * contain keys or tokens.
 */
public final class ApiErrors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ApiErrors() {
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
