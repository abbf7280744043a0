package io.tollgate.local.mock;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Response bodies and SSE events shaped like the real Anthropic and OpenAI APIs (field names,
 * id prefixes, event order), carrying a {@link MockUsage}. Streaming and non-streaming answers
 * report the same usage.
 */
final class MockPayloads {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MockPayloads() {
  }

  /** The text of an answer with {@code output} tokens, in up to five pieces for streaming. */
  static List<String> textPieces(long output) {
    int pieces = (int) Math.max(1, Math.min(5, output));
    List<String> out = new ArrayList<>();
    long per = Math.max(1, output / pieces);
    for (int i = 0; i < pieces; i++) {
      out.add(i == 0 ? "Mock" : " answer" + i + " (" + per + " tokens)");
    }
    return out;
  }

  // ---- Anthropic ----

  static ObjectNode anthropicUsage(MockUsage u, long outputTokens) {
    ObjectNode usage = JSON.createObjectNode();
    usage.put("input_tokens", u.input());
    usage.put("cache_creation_input_tokens", u.cacheWrite5m() + u.cacheWrite1h());
    usage.put("cache_read_input_tokens", u.cacheRead());
    ObjectNode creation = usage.putObject("cache_creation");
    creation.put("ephemeral_5m_input_tokens", u.cacheWrite5m());
    creation.put("ephemeral_1h_input_tokens", u.cacheWrite1h());
    usage.put("output_tokens", outputTokens);
    usage.put("service_tier", "standard");
    return usage;
  }

  static String anthropicMessage(String id, String model, MockUsage u) {
    ObjectNode msg = anthropicShell(id, model);
    msg.putArray("content").addObject().put("type", "text").put("text", String.join("", textPieces(u.output())));
    msg.put("stop_reason", "end_turn");
    msg.putNull("stop_sequence");
    msg.set("usage", anthropicUsage(u, u.output()));
    return msg.toString();
  }

  private static ObjectNode anthropicShell(String id, String model) {
    ObjectNode msg = JSON.createObjectNode();
    msg.put("id", id);
    msg.put("type", "message");
    msg.put("role", "assistant");
    msg.put("model", model);
    return msg;
  }

  /** SSE events ({@code event:} + {@code data:} blocks), in the order the real API sends them. */
  static List<String> anthropicStream(String id, String model, MockUsage u) {
    List<String> events = new ArrayList<>();
    ObjectNode start = JSON.createObjectNode().put("type", "message_start");
    ObjectNode message = anthropicShell(id, model);
    message.putArray("content");
    message.putNull("stop_reason");
    message.putNull("stop_sequence");
    message.set("usage", anthropicUsage(u, 1));
    start.set("message", message);
    events.add(sse("message_start", start.toString()));
    events.add(sse("content_block_start",
        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
    events.add(sse("ping", "{\"type\": \"ping\"}"));
    for (String piece : textPieces(u.output())) {
      ObjectNode delta = JSON.createObjectNode().put("type", "content_block_delta").put("index", 0);
      delta.putObject("delta").put("type", "text_delta").put("text", piece);
      events.add(sse("content_block_delta", delta.toString()));
    }
    events.add(sse("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"));
    ObjectNode messageDelta = JSON.createObjectNode().put("type", "message_delta");
    messageDelta.putObject("delta").put("stop_reason", "end_turn").putNull("stop_sequence");
    messageDelta.putObject("usage").put("output_tokens", u.output());
    events.add(sse("message_delta", messageDelta.toString()));
    events.add(sse("message_stop", "{\"type\":\"message_stop\"}"));
    return events;
  }

  static String anthropicError(int status, String message) {
    String type = switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 529 -> "overloaded_error";
      default -> "api_error";
    };
    ObjectNode error = JSON.createObjectNode().put("type", "error");
    error.putObject("error").put("type", type).put("message", message);
    return error.toString();
  }

  // ---- OpenAI ----

  static ObjectNode chatUsage(MockUsage u) {
    ObjectNode usage = JSON.createObjectNode();
    usage.put("prompt_tokens", u.openAiPromptTokens());
    usage.put("completion_tokens", u.output());
    usage.put("total_tokens", u.openAiPromptTokens() + u.output());
    usage.putObject("prompt_tokens_details").put("cached_tokens", u.cacheRead()).put("audio_tokens", 0);
    usage.putObject("completion_tokens_details").put("reasoning_tokens", u.reasoning()).put("audio_tokens", 0)
        .put("accepted_prediction_tokens", 0).put("rejected_prediction_tokens", 0);
    return usage;
  }

  static String chatCompletion(String id, String model, long created, MockUsage u) {
    ObjectNode body = chatShell(id, model, created, "chat.completion");
    ObjectNode choice = body.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", String.join("", textPieces(u.output())))
        .putNull("refusal");
    choice.putNull("logprobs");
    choice.put("finish_reason", "stop");
    body.set("usage", chatUsage(u));
    return body.toString();
  }

  private static ObjectNode chatShell(String id, String model, long created, String object) {
    ObjectNode body = JSON.createObjectNode();
    body.put("id", id);
    body.put("object", object);
    body.put("created", created);
    body.put("model", model);
    body.put("service_tier", "default");
    body.put("system_fingerprint", "fp_mock");
    return body;
  }

  /** {@code data:} chunks; the usage chunk ({@code choices: []}) only when the client asked for it. */
  static List<String> chatStream(String id, String model, long created, MockUsage u, boolean includeUsage) {
    List<String> events = new ArrayList<>();
    List<String> pieces = textPieces(u.output());
    for (int i = 0; i <= pieces.size(); i++) {
      ObjectNode chunk = chatShell(id, model, created, "chat.completion.chunk");
      ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
      ObjectNode delta = choice.putObject("delta");
      if (i == 0) {
        delta.put("role", "assistant");
      }
      if (i < pieces.size()) {
        delta.put("content", pieces.get(i));
        choice.putNull("finish_reason");
      } else {
        choice.put("finish_reason", "stop");
      }
      if (includeUsage) {
        chunk.putNull("usage");
      }
      events.add(data(chunk.toString()));
    }
    if (includeUsage) {
      ObjectNode last = chatShell(id, model, created, "chat.completion.chunk");
      last.putArray("choices");
      last.set("usage", chatUsage(u));
      events.add(data(last.toString()));
    }
    events.add(data("[DONE]"));
    return events;
  }

  static ObjectNode responsesUsage(MockUsage u) {
    ObjectNode usage = JSON.createObjectNode();
    usage.put("input_tokens", u.openAiPromptTokens());
    usage.putObject("input_tokens_details").put("cached_tokens", u.cacheRead());
    usage.put("output_tokens", u.output());
    usage.putObject("output_tokens_details").put("reasoning_tokens", u.reasoning());
    usage.put("total_tokens", u.openAiPromptTokens() + u.output());
    return usage;
  }

  static ObjectNode response(String id, String model, long created, MockUsage u, boolean completed) {
    ObjectNode body = JSON.createObjectNode();
    body.put("id", id);
    body.put("object", "response");
    body.put("created_at", created);
    body.put("status", completed ? "completed" : "in_progress");
    body.put("model", model);
    ArrayNode output = body.putArray("output");
    if (completed) {
      ObjectNode message = output.addObject().put("id", "msg_" + id.substring(5)).put("type", "message")
          .put("status", "completed").put("role", "assistant");
      message.putArray("content").addObject().put("type", "output_text")
          .put("text", String.join("", textPieces(u.output()))).putArray("annotations");
      body.set("usage", responsesUsage(u));
    } else {
      body.putNull("usage");
    }
    return body;
  }

  static List<String> responsesStream(String id, String model, long created, MockUsage u) {
    List<String> events = new ArrayList<>();
    int seq = 0;
    events.add(sse("response.created", JSON.createObjectNode().put("type", "response.created")
        .put("sequence_number", seq++).set("response", response(id, model, created, u, false)).toString()));
    for (String piece : textPieces(u.output())) {
      events.add(sse("response.output_text.delta", JSON.createObjectNode().put("type", "response.output_text.delta")
          .put("sequence_number", seq++).put("item_id", "msg_" + id.substring(5)).put("output_index", 0)
          .put("content_index", 0).put("delta", piece).toString()));
    }
    events.add(sse("response.completed", JSON.createObjectNode().put("type", "response.completed")
        .put("sequence_number", seq).set("response", response(id, model, created, u, true)).toString()));
    return events;
  }

  static String embeddings(String model, MockUsage u) {
    ObjectNode body = JSON.createObjectNode().put("object", "list");
    ObjectNode item = body.putArray("data").addObject().put("object", "embedding").put("index", 0);
    ArrayNode vector = item.putArray("embedding");
    for (int i = 0; i < 8; i++) {
      vector.add(0.125 * i);
    }
    body.put("model", model);
    body.putObject("usage").put("prompt_tokens", u.input()).put("total_tokens", u.input());
    return body.toString();
  }

  static String openAiError(int status, String message) {
    String type = switch (status) {
      case 400, 404, 413 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 429 -> "rate_limit_exceeded";
      default -> "server_error";
    };
    ObjectNode error = JSON.createObjectNode();
    error.putObject("error").put("message", message).put("type", type).putNull("param").put("code", type);
    return error.toString();
  }

  static String sse(String event, String data) {
    return "event: " + event + "\ndata: " + data + "\n\n";
  }

  static String data(String data) {
    return "data: " + data + "\n\n";
  }
}
