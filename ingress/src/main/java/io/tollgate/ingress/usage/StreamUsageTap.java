package io.tollgate.ingress.usage;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads usage from an SSE response while the bytes pass through to the client: feed every chunk
 * to {@link #onBytes}, ask {@link #usage()} at the end (or after an abort: the usage seen so far,
 * {@link UsageSource#PARTIAL}). Only the few events that carry usage are parsed as JSON; a cheap
 * byte check skips the rest. Events without an {@code event:} line are recognized by the
 * {@code type} field of their data, which Anthropic and Responses events carry.
 *
 * <p>Never throws, whatever the bytes: it runs inside the relay, where an exception would cut the
 * client's stream. A compressed stream ({@code content-encoding} other than identity) is kept
 * compressed, within {@link ContentDecoding#MAX_ENCODED_BYTES}, and decoded when usage is asked for.
 * Not thread-safe: one tap per response, fed in order.
 */
public final class StreamUsageTap implements SseFramer.Listener {
  private static final byte[] USAGE_FIELD = bytes("\"usage\"");
  private static final byte[] MESSAGE_TYPES = bytes("message_");
  private static final byte[][] RESPONSE_TYPES = {bytes("response.created"), bytes("response.completed"),
      bytes("response.failed"), bytes("response.incomplete")};

  private final Api api;
  private final SseFramer framer;
  private final ContentDecoding.Collector encoded;
  private final Tally tally = new Tally();
  private boolean finalUsage;
  private boolean chatFirstSeen;
  private boolean sawUsageOnlyChunk;
  private Usage decodedUsage;
  private long decodedAt = -1;
  private String problem;

  public StreamUsageTap(Api api) {
    this(api, null);
  }

  /** A tap for a stream sent with {@code contentEncoding} (the response header, null for none). */
  public StreamUsageTap(Api api, String contentEncoding) {
    this.api = api;
    this.framer = new SseFramer(this, false);
    this.encoded = ContentDecoding.isIdentity(contentEncoding) ? null : new ContentDecoding.Collector(contentEncoding);
  }

  public void onBytes(byte[] chunk) {
    onBytes(chunk, 0, chunk.length);
  }

  public void onBytes(byte[] chunk, int offset, int length) {
    try {
      if (encoded != null) {
        encoded.add(chunk, offset, length);
      } else {
        framer.feed(chunk, offset, length);
      }
    } catch (RuntimeException e) {
      problem = "unreadable stream: " + e.getClass().getSimpleName(); // never into the relay
    }
  }

  /**
   * Usage seen so far: {@link UsageSource#STREAM} once the stream's final usage arrived, else
   * {@link UsageSource#PARTIAL} with the counts so far, or {@link UsageSource#NONE} if none came.
   */
  public Usage usage() {
    if (encoded == null) {
      return tally.toUsage(finalUsage ? UsageSource.STREAM : tally.seen ? UsageSource.PARTIAL : UsageSource.NONE);
    }
    if (decodedAt != encoded.size()) {
      decodedAt = encoded.size();
      decodedUsage = decodeAndRead();
    }
    return decodedUsage;
  }

  /** Why usage could not be read completely (too large, undecodable, unknown encoding), or null. */
  public String problem() {
    return problem;
  }

  private Usage decodeAndRead() {
    if (encoded.overflowed()) {
      problem = "compressed stream larger than " + ContentDecoding.MAX_ENCODED_BYTES + " bytes: usage not read";
      return Usage.NONE;
    }
    StreamUsageTap plain = new StreamUsageTap(api);
    ContentDecoding.Result r = encoded.decodeTo(plain::onBytes);
    problem = r.problem() != null ? r.problem() : plain.problem;
    sawUsageOnlyChunk = plain.sawUsageOnlyChunk;
    return r.supported() ? plain.usage() : Usage.NONE;
  }

  @Override
  public void onEvent(String event, byte[] data, byte[] raw) {
    try {
      switch (api) {
        case MESSAGES -> anthropic(event, data);
        case CHAT_COMPLETIONS -> chat(data);
        case RESPONSES -> responses(event, data);
        case STREAM_GENERATE_CONTENT -> finalUsage |= GeminiUsage.streamChunk(data, tally);
        default -> {
          // count_tokens and embeddings do not stream
        }
      }
    } catch (RuntimeException e) {
      problem = "unreadable event: " + e.getClass().getSimpleName();
    }
  }

  private void anthropic(String event, byte[] data) {
    JsonNode parsed = null;
    if (event == null) {
      if (!contains(data, MESSAGE_TYPES)) {
        return; // content deltas, pings
      }
      parsed = UsageJson.parse(data);
      event = Tally.text(parsed, "type");
    }
    if ("message_start".equals(event)) {
      JsonNode message = (parsed != null ? parsed : UsageJson.parse(data)).path("message");
      tally.model = Tally.text(message, "model");
      tally.id = Tally.text(message, "id");
      if (message.path("usage").isObject()) {
        UsageJson.anthropic(message.path("usage"), tally, false);
      }
    } else if ("message_delta".equals(event)) {
      JsonNode delta = parsed != null ? parsed : UsageJson.parse(data);
      JsonNode u = delta.path("usage");
      if (u.isObject()) {
        UsageJson.anthropic(u, tally, true);
        // the delta that carries the stop reason is the last one: its usage is final
        finalUsage |= delta.path("delta").path("stop_reason").isTextual();
      }
    } else if ("message_stop".equals(event)) {
      finalUsage |= tally.seen;
    }
  }

  private void chat(byte[] data) {
    if (data.length == 6 && new String(data, StandardCharsets.US_ASCII).equals("[DONE]")) {
      finalUsage |= tally.seen; // [DONE] after a stream that never sent usage is not a real $0
      return;
    }
    if (chatFirstSeen && !contains(data, USAGE_FIELD)) {
      return;
    }
    JsonNode chunk = UsageJson.parse(data);
    if (!chunk.isObject()) {
      return;
    }
    if (!chatFirstSeen) {
      chatFirstSeen = true;
      tally.model = Tally.text(chunk, "model");
      tally.id = Tally.text(chunk, "id");
    }
    String tier = Tally.text(chunk, "service_tier");
    if (tier != null) {
      tally.serviceTier = tier;
    }
    JsonNode u = chunk.path("usage");
    if (u.isObject()) {
      UsageJson.chat(u, tally);
      JsonNode choices = chunk.path("choices");
      if (choices.isArray() && choices.isEmpty()) {
        sawUsageOnlyChunk = true;
        finalUsage = true; // include_usage: the usage-only chunk is the last before [DONE]
      }
    }
  }

  private void responses(String event, byte[] data) {
    JsonNode parsed = null;
    if (event == null) {
      if (!containsAny(data, RESPONSE_TYPES)) {
        return;
      }
      parsed = UsageJson.parse(data);
      event = Tally.text(parsed, "type");
    }
    if (event == null) {
      return;
    }
    switch (event) {
      case "response.created", "response.completed", "response.failed", "response.incomplete" -> {
        JsonNode response = (parsed != null ? parsed : UsageJson.parse(data)).path("response");
        String model = Tally.text(response, "model");
        String id = Tally.text(response, "id");
        String tier = Tally.text(response, "service_tier");
        tally.model = model != null ? model : tally.model;
        tally.id = id != null ? id : tally.id;
        tally.serviceTier = tier != null ? tier : tally.serviceTier;
        if (response.path("usage").isObject()) {
          UsageJson.responses(response.path("usage"), tally);
          finalUsage |= !event.equals("response.created");
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

  /**
   * Whether a response's {@code content-type} is an event stream, in any casing, with or without
   * parameters and spaces ({@code Text/Event-Stream ; charset=utf-8}). Null is not.
   */
  public static boolean isEventStream(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi >= 0 ? contentType.substring(0, semi) : contentType).trim();
    return type.toLowerCase(Locale.ROOT).equals("text/event-stream");
  }

  /** Whether a chat {@code data:} payload is the usage-only chunk ({@code choices: []} + usage); never throws. */
  public static boolean isUsageOnlyChatChunk(byte[] data) {
    if (data == null || !contains(data, USAGE_FIELD)) {
      return false;
    }
    JsonNode chunk = UsageJson.parse(data);
    return chunk.path("usage").isObject() && chunk.path("choices").isArray() && chunk.path("choices").isEmpty();
  }

  /** Whether {@code needle} occurs in {@code haystack} (a cheap check before parsing any JSON). */
  public static boolean contains(byte[] haystack, byte[] needle) {
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

  private static boolean containsAny(byte[] haystack, byte[][] needles) {
    for (byte[] n : needles) {
      if (contains(haystack, n)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
