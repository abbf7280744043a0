package io.tollgate.local.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The mock's Gemini API: payloads shaped like Google's ({@code generateContent} bodies,
 * {@code streamGenerateContent} as SSE chunks with {@code alt=sse} or as a JSON array without,
 * {@code countTokens}, {@code embedContent}), with the request's {@link MockUsage}:
 * {@code promptTokenCount} = input + cache reads (Google counts cached tokens in the prompt),
 * {@code cachedContentTokenCount} = cache reads, {@code candidatesTokenCount} = output − reasoning,
 * {@code thoughtsTokenCount} = reasoning. Stream chunks carry running counts; the last one, with
 * the finish reason, the totals.
 */
final class MockGemini {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MockGemini() {
  }

  /** The model of a Gemini path ({@code …/models/{model}:{method}}), or null. */
  static String model(String path) {
    int models = path.indexOf("/models/");
    int colon = path.lastIndexOf(':');
    if (models < 0 || colon < models) {
      return null;
    }
    return URLDecoder.decode(path.substring(models + "/models/".length(), colon), StandardCharsets.UTF_8);
  }

  /** {@code generationConfig.maxOutputTokens}, or null. */
  static Long maxTokens(JsonNode request) {
    JsonNode max = request.path("generationConfig").path("maxOutputTokens");
    return max.canConvertToLong() ? max.asLong() : null;
  }

  /** The caller's key in Gemini's places (header, then {@code ?key=}), or null. */
  static String key(String header, String query) {
    if (header != null && !header.isBlank()) {
      return header;
    }
    if (query != null) {
      for (String part : query.split("&")) {
        if (part.startsWith("key=")) {
          return URLDecoder.decode(part.substring(4), StandardCharsets.UTF_8);
        }
      }
    }
    return null;
  }

  static ObjectNode usage(MockUsage u, long candidates, long thoughts, boolean totals) {
    ObjectNode usage = JSON.createObjectNode();
    long prompt = u.input() + u.cacheRead();
    usage.put("promptTokenCount", prompt);
    if (candidates > 0 || totals) {
      usage.put("candidatesTokenCount", candidates);
    }
    usage.put("totalTokenCount", prompt + candidates + thoughts);
    if (u.cacheRead() > 0) {
      usage.put("cachedContentTokenCount", u.cacheRead());
    }
    usage.putArray("promptTokensDetails").addObject().put("modality", "TEXT").put("tokenCount", prompt);
    if (thoughts > 0) {
      usage.put("thoughtsTokenCount", thoughts);
    }
    return usage;
  }

  private static ObjectNode response(String id, String model, String text, boolean last, ObjectNode usage) {
    ObjectNode r = JSON.createObjectNode();
    ObjectNode candidate = r.putArray("candidates").addObject();
    ObjectNode content = candidate.putObject("content");
    content.putArray("parts").addObject().put("text", text);
    content.put("role", "model");
    if (last) {
      candidate.put("finishReason", "STOP");
    }
    candidate.put("index", 0);
    r.set("usageMetadata", usage);
    r.put("modelVersion", model);
    r.put("responseId", id);
    return r;
  }

  /** A {@code generateContent} body. */
  static String generate(String id, String model, MockUsage u) {
    String text = String.join("", MockPayloads.textPieces(u.output()));
    return response(id, model, text, true, usage(u, u.output() - u.reasoning(), u.reasoning(), true)).toPrettyString();
  }

  /** The chunks of a stream: running counts, the totals and the finish reason in the last one. */
  static List<String> chunks(String id, String model, MockUsage u) {
    List<String> pieces = MockPayloads.textPieces(u.output());
    long candidates = u.output() - u.reasoning();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < pieces.size(); i++) {
      boolean last = i == pieces.size() - 1;
      // Google's first chunk reports the prompt only; later ones running counts, the last the totals.
      long c = last ? candidates : i == 0 ? 0 : candidates * i / pieces.size();
      long t = i == 0 && !last ? 0 : u.reasoning();
      out.add(response(id, model, pieces.get(i), last, usage(u, c, t, last)).toString());
    }
    return out;
  }

  /** SSE events of {@code ?alt=sse}: {@code data: {…}} and a CRLF blank line, as Google sends them. */
  static List<String> sse(List<String> chunks) {
    return chunks.stream().map(c -> "data: " + c + "\r\n\r\n").toList();
  }

  /** The JSON-array stream (no {@code alt}): pieces to write one after another, together a JSON array. */
  static List<String> array(List<String> chunks) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      String pretty;
      try {
        pretty = JSON.readTree(chunks.get(i)).toPrettyString();
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
      out.add((i == 0 ? "[" : "\n,\r\n") + pretty + (i == chunks.size() - 1 ? "\n]" : ""));
    }
    return out;
  }

  static String countTokens(MockUsage u) {
    ObjectNode r = JSON.createObjectNode().put("totalTokens", u.input() + u.cacheRead());
    r.putArray("promptTokensDetails").addObject().put("modality", "TEXT").put("tokenCount", u.input() + u.cacheRead());
    return r.toPrettyString();
  }

  static String embedding() {
    ObjectNode r = JSON.createObjectNode();
    r.putObject("embedding").putArray("values").add(-0.0049154316).add(0.011624982).add(-0.03221328);
    return r.toPrettyString();
  }

  /** Google's error body: {@code {"error":{"code":…,"message":…,"status":…}}}. */
  static String error(int status, String message) {
    String name = switch (status) {
      case 400 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 503 -> "UNAVAILABLE";
      case 504 -> "DEADLINE_EXCEEDED";
      default -> "INTERNAL";
    };
    ObjectNode r = JSON.createObjectNode();
    r.putObject("error").put("code", status).put("message", message).put("status", name);
    return r.toPrettyString();
  }
}
