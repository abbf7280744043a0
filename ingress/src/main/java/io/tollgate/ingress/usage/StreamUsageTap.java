package io.tollgate.ingress.usage;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads usage from an SSE response while the bytes pass through to the client: feed every chunk
 * to {@link #onBytes}, ask {@link #usage()} at the end (or after an abort: the usage seen so far).
 * Only the few events that carry usage are parsed as JSON; a cheap byte check skips the rest.
 * Not thread-safe: one tap per response, fed in order.
 */
public final class StreamUsageTap implements SseFramer.Listener {
  private static final byte[] USAGE_FIELD = "\"usage\"".getBytes(StandardCharsets.UTF_8);

  private final Api api;
  private final SseFramer framer;
  private Usage usage = Usage.NONE;
  private String model;
  private String id;
  private boolean complete;
  private boolean sawUsageOnlyChunk;

  public StreamUsageTap(Api api) {
    this.api = api;
    this.framer = new SseFramer(this, false);
  }

  public void onBytes(byte[] chunk) {
    framer.feed(chunk);
  }

  public void onBytes(byte[] chunk, int offset, int length) {
    framer.feed(chunk, offset, length);
  }

  /** Usage seen so far; {@code complete()} is false unless the stream's final usage event arrived. */
  public Usage usage() {
    return new Usage(usage.inputTokens(), usage.outputTokens(), usage.cacheReadTokens(),
        usage.cacheWrite5mTokens(), usage.cacheWrite1hTokens(), usage.reasoningTokens(), model, id, complete);
  }

  @Override
  public void onEvent(String event, byte[] data, byte[] raw) {
    switch (api) {
      case MESSAGES -> anthropic(event, data);
      case CHAT_COMPLETIONS -> chat(data);
      case RESPONSES -> responses(event, data);
      default -> {
        // count_tokens and embeddings do not stream
      }
    }
  }

  private void anthropic(String event, byte[] data) {
    if ("message_start".equals(event)) {
      JsonNode message = parse(data).path("message");
      model = UsageJson.text(message, "model");
      id = UsageJson.text(message, "id");
      if (message.path("usage").isObject()) {
        usage = UsageJson.anthropic(message.path("usage"), model, id, false);
      }
    } else if ("message_delta".equals(event)) {
      // Cumulative: the last delta has the final output count. Some providers repeat the input
      // counts here too; when they do (non-zero), they are the final word.
      JsonNode u = parse(data).path("usage");
      if (u.isObject()) {
        Usage delta = UsageJson.anthropic(u, model, id, false);
        usage = new Usage(
            u.path("input_tokens").asLong(0) > 0 ? delta.inputTokens() : usage.inputTokens(),
            u.has("output_tokens") ? delta.outputTokens() : usage.outputTokens(),
            u.path("cache_read_input_tokens").asLong(0) > 0 ? delta.cacheReadTokens() : usage.cacheReadTokens(),
            u.path("cache_creation_input_tokens").asLong(0) > 0 ? delta.cacheWrite5mTokens() : usage.cacheWrite5mTokens(),
            u.path("cache_creation_input_tokens").asLong(0) > 0 ? delta.cacheWrite1hTokens() : usage.cacheWrite1hTokens(),
            0, model, id, false);
      }
    } else if ("message_stop".equals(event)) {
      complete = true;
    }
  }

  private void chat(byte[] data) {
    if (data.length == 6 && new String(data, StandardCharsets.US_ASCII).equals("[DONE]")) {
      complete = true;
      return;
    }
    boolean first = model == null && id == null;
    if (!first && !contains(data, USAGE_FIELD)) {
      return;
    }
    JsonNode chunk = parse(data);
    if (first) {
      model = UsageJson.text(chunk, "model");
      id = UsageJson.text(chunk, "id");
    }
    JsonNode u = chunk.path("usage");
    if (u.isObject()) {
      usage = UsageJson.chat(u, model, id, false);
      if (chunk.path("choices").isArray() && chunk.path("choices").isEmpty()) {
        sawUsageOnlyChunk = true;
      }
    }
  }

  private void responses(String event, byte[] data) {
    if (event == null || !event.startsWith("response.")) {
      return;
    }
    switch (event) {
      case "response.created", "response.completed", "response.failed", "response.incomplete" -> {
        JsonNode response = parse(data).path("response");
        model = UsageJson.text(response, "model") != null ? UsageJson.text(response, "model") : model;
        id = UsageJson.text(response, "id") != null ? UsageJson.text(response, "id") : id;
        if (response.path("usage").isObject()) {
          usage = UsageJson.responses(response.path("usage"), model, id, false);
        }
        if (!event.equals("response.created")) {
          complete = true;
        }
      }
      default -> {
        // deltas carry no usage
      }
    }
  }

  /** True once a chat chunk with {@code choices: []} and usage was seen (the include_usage chunk). */
  public boolean sawUsageOnlyChunk() {
    return sawUsageOnlyChunk;
  }

  private static JsonNode parse(byte[] data) {
    try {
      JsonNode node = UsageJson.JSON.readTree(data);
      return node == null ? UsageJson.JSON.missingNode() : node;
    } catch (IOException e) {
      return UsageJson.JSON.missingNode();
    }
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Whether a chat {@code data:} payload is the usage-only chunk ({@code choices: []} + usage). */
  public static boolean isUsageOnlyChatChunk(byte[] data) {
    if (!contains(data, USAGE_FIELD)) {
      return false;
    }
    JsonNode chunk = parse(data);
    return chunk.path("usage").isObject() && chunk.path("choices").isArray() && chunk.path("choices").isEmpty();
  }
}
