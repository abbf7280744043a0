package io.tollgate.ingress.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Usage objects of each API turned into {@link Usage} (Anthropic semantics: input without cache
 * tokens). One place for the field names, used by both the JSON-body and the SSE paths.
 */
public final class UsageJson {
  static final ObjectMapper JSON = new ObjectMapper();

  private UsageJson() {
  }

  /**
   * Anthropic {@code usage}: {@code input_tokens} already excludes cache tokens. Cache writes are
   * split by TTL when {@code cache_creation} gives the breakdown, else all count as 5-minute.
   */
  static Usage anthropic(JsonNode u, String model, String id, boolean complete) {
    long write = u.path("cache_creation_input_tokens").asLong(0);
    JsonNode split = u.path("cache_creation");
    long w5;
    long w1;
    if (split.isObject() && (split.has("ephemeral_5m_input_tokens") || split.has("ephemeral_1h_input_tokens"))) {
      w5 = split.path("ephemeral_5m_input_tokens").asLong(0);
      w1 = split.path("ephemeral_1h_input_tokens").asLong(0);
    } else {
      w5 = write;
      w1 = 0;
    }
    return new Usage(u.path("input_tokens").asLong(0), u.path("output_tokens").asLong(0),
        u.path("cache_read_input_tokens").asLong(0), w5, w1, 0, model, id, complete);
  }

  /** OpenAI chat {@code usage}: prompt tokens include cached ones; reasoning is inside completion. */
  static Usage chat(JsonNode u, String model, String id, boolean complete) {
    long prompt = u.path("prompt_tokens").asLong(0);
    long cached = u.path("prompt_tokens_details").path("cached_tokens").asLong(0);
    return new Usage(Math.max(0, prompt - cached), u.path("completion_tokens").asLong(0), cached, 0, 0,
        u.path("completion_tokens_details").path("reasoning_tokens").asLong(0), model, id, complete);
  }

  /** OpenAI Responses {@code usage}: input tokens include cached ones. */
  static Usage responses(JsonNode u, String model, String id, boolean complete) {
    long input = u.path("input_tokens").asLong(0);
    long cached = u.path("input_tokens_details").path("cached_tokens").asLong(0);
    return new Usage(Math.max(0, input - cached), u.path("output_tokens").asLong(0), cached, 0, 0,
        u.path("output_tokens_details").path("reasoning_tokens").asLong(0), model, id, complete);
  }

  /** Usage of a complete (non-streaming) JSON response body; {@link Usage#NONE} when it has none. */
  public static Usage fromBody(Api api, byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      return Usage.NONE;
    }
    if (root == null || !root.isObject()) {
      return Usage.NONE;
    }
    String model = text(root, "model");
    String id = text(root, "id");
    JsonNode u = root.path("usage");
    return switch (api) {
      case MESSAGES -> u.isObject() ? anthropic(u, model, id, true) : Usage.NONE;
      case COUNT_TOKENS -> new Usage(0, 0, 0, 0, 0, 0, model, id, true); // counting tokens is free
      case CHAT_COMPLETIONS -> u.isObject() ? chat(u, model, id, true) : Usage.NONE;
      case RESPONSES -> u.isObject() ? responses(u, model, id, true) : Usage.NONE;
      case EMBEDDINGS -> u.isObject()
          ? new Usage(u.path("prompt_tokens").asLong(0), 0, 0, 0, 0, 0, model, id, true) : Usage.NONE;
    };
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }
}
