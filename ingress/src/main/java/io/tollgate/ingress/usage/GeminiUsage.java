package io.tollgate.ingress.usage;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Gemini's {@code usageMetadata} turned into {@link Usage}, for a JSON body, the JSON-array stream
 * ({@code :streamGenerateContent} without {@code alt=sse}) and SSE chunks. Never throws.
 *
 * <ul>
 *   <li>{@code promptTokenCount} includes {@code cachedContentTokenCount}: the rest is input, the
 *       cached part cache reads (as for OpenAI);
 *   <li>{@code toolUsePromptTokenCount} (tool results Google feeds back into the prompt) is input
 *       too, billed at the input price;
 *   <li>output is {@code candidatesTokenCount + thoughtsTokenCount} (thinking is billed as output)
 *       and the thoughts are also the reasoning tokens.
 * </ul>
 * A stream's chunks each carry a {@code usageMetadata} with the counts so far: the last one wins,
 * and it is final once a candidate carries a {@code finishReason}.
 */
public final class GeminiUsage {
  private static final byte[] USAGE_FIELD = "\"usageMetadata\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FINISH_FIELD = "\"finishReason\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CANDIDATES_FIELD = "\"candidates\"".getBytes(StandardCharsets.US_ASCII);

  private GeminiUsage() {
  }

  /** Replaces the tally's counts with one {@code usageMetadata} object's. */
  static void usageMetadata(JsonNode u, Tally t) {
    t.seen = true;
    long prompt = t.count(u, "promptTokenCount");
    long cached = t.count(u, "cachedContentTokenCount");
    long tool = t.count(u, "toolUsePromptTokenCount");
    long candidates = t.count(u, "candidatesTokenCount");
    long thoughts = t.count(u, "thoughtsTokenCount");
    t.promptWithCached(prompt, cached);
    t.input = Math.min(Usage.MAX_COUNT, t.input + tool); // each is at most MAX_COUNT: no overflow
    t.output = Math.min(Usage.MAX_COUNT, candidates + thoughts);
    t.reasoning = thoughts;
    t.write5m = 0;
    t.write1h = 0;
  }

  /**
   * Reads one response object (a body, an array element, an SSE chunk) into the tally: its model
   * and id, and its usage if it has one. Returns whether it ended the answer (a finish reason).
   */
  static boolean response(JsonNode r, Tally t) {
    if (!r.isObject()) {
      return false;
    }
    String model = Tally.text(r, "modelVersion");
    String id = Tally.text(r, "responseId");
    t.model = model != null ? model : t.model;
    t.id = id != null ? id : t.id;
    JsonNode u = r.path("usageMetadata");
    if (u.isObject()) {
      usageMetadata(u, t);
    }
    for (JsonNode c : r.path("candidates")) {
      if (c.path("finishReason").isTextual()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The usage of a complete Gemini body: an object ({@code generateContent}, {@code embedContent},
   * {@code countTokens} — the latter free), or the JSON-array stream, read element by element so
   * that a cut array still yields the counts of its last complete element ({@link UsageSource#PARTIAL}).
   */
  static Usage fromBody(Api api, byte[] body, int length) {
    Tally t = new Tally();
    try (JsonParser p = UsageJson.JSON.createParser(body, 0, length)) {
      JsonToken first = p.nextToken();
      if (first == JsonToken.START_OBJECT) {
        JsonNode root = UsageJson.JSON.readTree(p);
        if (api == Api.GEMINI_COUNT_TOKENS) {
          return t.toUsage(UsageSource.RESPONSE); // counting tokens is free
        }
        boolean ended = response(root, t);
        return !t.seen ? Usage.NONE
            : t.toUsage(ended || api != Api.STREAM_GENERATE_CONTENT ? UsageSource.RESPONSE : UsageSource.PARTIAL);
      }
      if (first != JsonToken.START_ARRAY) {
        return Usage.NONE;
      }
      boolean ended = false;
      try {
        for (JsonToken tok = p.nextToken(); tok == JsonToken.START_OBJECT; tok = p.nextToken()) {
          ended = response(UsageJson.JSON.readTree(p), t);
        }
      } catch (IOException | RuntimeException cut) {
        ended = false; // a cut stream: what its complete elements said
      }
      return !t.seen ? Usage.NONE : t.toUsage(ended ? UsageSource.STREAM : UsageSource.PARTIAL);
    } catch (IOException | RuntimeException e) {
      return t.seen ? t.toUsage(UsageSource.PARTIAL) : Usage.NONE;
    }
  }

  /**
   * One SSE chunk of {@code :streamGenerateContent?alt=sse} into the tally; true when it ended the
   * answer. Chunks without usage or a finish reason are not parsed.
   */
  static boolean streamChunk(byte[] data, Tally t) {
    if (!StreamUsageTap.contains(data, USAGE_FIELD) && !StreamUsageTap.contains(data, FINISH_FIELD)) {
      return false;
    }
    return response(UsageJson.parse(data), t);
  }

  /** Whether an SSE chunk carries generated content (for the time to first token). */
  public static boolean isContent(byte[] data) {
    return StreamUsageTap.contains(data, CANDIDATES_FIELD);
  }
}
