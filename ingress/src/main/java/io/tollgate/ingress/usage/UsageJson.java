package io.tollgate.ingress.usage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Usage objects of each API turned into {@link Usage} (Anthropic semantics: input without cache
 * tokens); Gemini's in {@link GeminiUsage}. One place for the field names, used by both the JSON-body and the SSE paths. Never
 * throws, whatever the bytes: unreadable input is {@link Usage#NONE}.
 */
public final class UsageJson {
  static final ObjectMapper JSON = new ObjectMapper().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);

  private UsageJson() {
  }

  /**
   * Anthropic {@code usage}: {@code input_tokens} already excludes cache tokens. Cache writes are
   * split by TTL when {@code cache_creation} gives the breakdown, else all count as 5-minute.
   * With {@code delta} (a stream's {@code message_delta}), only the fields it carries replace the
   * tally's, and input-side zeros do not: deltas are cumulative, and some providers repeat the
   * input counts there (then they are the final word) while others send 0 or nothing.
   */
  static void anthropic(JsonNode u, Tally t, boolean delta) {
    t.seen = true;
    long input = t.count(u, "input_tokens");
    long read = t.count(u, "cache_read_input_tokens");
    long write = t.count(u, "cache_creation_input_tokens");
    JsonNode split = u.path("cache_creation");
    boolean hasSplit = split.isObject()
        && (split.has("ephemeral_5m_input_tokens") || split.has("ephemeral_1h_input_tokens"));
    long w5 = hasSplit ? t.count(split, "ephemeral_5m_input_tokens") : write;
    long w1 = hasSplit ? t.count(split, "ephemeral_1h_input_tokens") : 0;
    long web = t.count(u.path("server_tool_use"), "web_search_requests");
    if (!delta || input > 0) {
      t.input = input;
    }
    if (!delta || u.has("output_tokens")) {
      t.output = t.count(u, "output_tokens");
    }
    if (!delta || read > 0) {
      t.cacheRead = read;
    }
    if (!delta || w5 + w1 > 0) {
      t.write5m = w5;
      t.write1h = w1;
    }
    if (!delta || web > 0) {
      t.webSearch = web;
    }
    String tier = Tally.text(u, "service_tier");
    if (tier != null) {
      t.serviceTier = tier;
    }
  }

  /** OpenAI chat {@code usage}: prompt tokens include cached ones; reasoning is inside completion. */
  static void chat(JsonNode u, Tally t) {
    t.seen = true;
    t.promptWithCached(t.count(u, "prompt_tokens"), t.count(u.path("prompt_tokens_details"), "cached_tokens"));
    t.output = t.count(u, "completion_tokens");
    t.reasoning = t.count(u.path("completion_tokens_details"), "reasoning_tokens");
  }

  /** OpenAI Responses {@code usage}: input tokens include cached ones. */
  static void responses(JsonNode u, Tally t) {
    t.seen = true;
    t.promptWithCached(t.count(u, "input_tokens"), t.count(u.path("input_tokens_details"), "cached_tokens"));
    t.output = t.count(u, "output_tokens");
    t.reasoning = t.count(u.path("output_tokens_details"), "reasoning_tokens");
  }

  /** Usage of a complete (non-streaming) JSON response body; {@link Usage#NONE} when it has none. */
  public static Usage fromBody(Api api, byte[] body) {
    return api.gemini() ? GeminiUsage.fromBody(api, body, body.length) : fromTree(api, parse(body));
  }

  /** Like {@link #fromBody(Api, byte[])}, for the first {@code length} bytes of {@code body}. */
  static Usage fromBody(Api api, byte[] body, int length) {
    if (api.gemini()) {
      return GeminiUsage.fromBody(api, body, length);
    }
    try {
      return fromTop(api, JSON.createParser(body, 0, length));
    } catch (IOException | RuntimeException e) {
      return Usage.NONE; // not JSON, truncated, too deeply nested
    }
  }

  /**
   * One streaming pass over the body: only {@code usage} becomes a tree, and the answer's content
   * (most of a real body) is tokenized but never built into nodes. The same reading as a tree of
   * the whole body: a later duplicate field wins, bytes after the object are ignored, and a body
   * that is not complete JSON has no usage.
   */
  private static Usage fromTop(Api api, JsonParser p) throws IOException {
    try (p) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Usage.NONE;
      }
      ObjectNode top = JSON.createObjectNode();
      JsonToken token;
      while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (value == null) {
          return Usage.NONE;
        }
        switch (name) {
          // a string as its text node: a tree per scalar costs a deserialization context each
          case "model", "id", "service_tier" -> top.set(name, value == JsonToken.VALUE_STRING
              ? top.textNode(p.getText()) : JSON.readTree(p));
          case "usage" -> top.set(name, JSON.readTree(p));
          default -> {
            if (value.isStructStart()) {
              p.skipChildren();
            }
          }
        }
      }
      return token == JsonToken.END_OBJECT ? fromTree(api, top) : Usage.NONE;
    }
  }

  private static Usage fromTree(Api api, JsonNode root) {
    if (root == null || !root.isObject()) {
      return Usage.NONE;
    }
    Tally t = new Tally();
    t.model = Tally.text(root, "model");
    t.id = Tally.text(root, "id");
    t.serviceTier = Tally.text(root, "service_tier"); // OpenAI: top level; Anthropic: inside usage
    JsonNode u = root.path("usage");
    if (api == Api.COUNT_TOKENS) {
      return t.toUsage(UsageSource.RESPONSE); // counting tokens is free
    }
    if (!u.isObject()) {
      return Usage.NONE;
    }
    switch (api) {
      case MESSAGES -> anthropic(u, t, false);
      case CHAT_COMPLETIONS -> chat(u, t);
      case RESPONSES -> responses(u, t);
      default -> t.input = t.count(u, "prompt_tokens"); // embeddings
    }
    return t.toUsage(UsageSource.RESPONSE);
  }

  /** The JSON tree of {@code data}, or a missing node when it is not JSON; never throws. */
  static JsonNode parse(byte[] data) {
    try {
      JsonNode node = JSON.readTree(data);
      return node == null ? JSON.missingNode() : node;
    } catch (IOException | RuntimeException e) {
      return JSON.missingNode();
    }
  }

  static String text(JsonNode node, String field) {
    return Tally.text(node, field);
  }
}
