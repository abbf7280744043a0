package io.tollgate.ingress.provider;

import io.tollgate.ingress.usage.Api;
import io.tollgate.ingress.usage.SseFramer;
import io.tollgate.ingress.usage.StreamUsageTap;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.ingress.usage.UsageJson;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the usage of an answer while its bytes pass through, and says what to forward. Plain
 * bodies are copied (up to {@link #MAX_COPY}) and parsed at the end; event streams go through a
 * framer, event by event. A compressed answer (upstream ignored {@code accept-encoding:
 * identity}) is forwarded as it came and decoded for reading at the end.
 *
 * <p>Reading usage must never cost the client a byte: any exception while reading stops the
 * reading (usage source {@code none}, counted) and the bytes keep flowing unchanged.
 */
final class ResponseTap {
  private static final Logger LOG = LoggerFactory.getLogger(ResponseTap.class);
  /** Largest answer copied to read its usage; beyond it the usage is recorded as unreadable. */
  static final int MAX_COPY = 64 * 1024 * 1024;
  private static final byte[] DELTA_CONTENT = "\"delta\"".getBytes(StandardCharsets.US_ASCII);

  /** What was read: the usage and where it came from ({@code response|stream|partial|none}). */
  record Reading(Usage usage, String source, boolean readFailed) {
    static final Reading NONE = new Reading(Usage.NONE, "none", false);
  }

  private final Api api;
  private final boolean sse;
  private final boolean rewrite;
  private final String encoding;
  private final StreamUsageTap streamTap;
  private final SseFramer framer;
  private Buffer copy;
  private Buffer rewritten;
  private boolean firstContent;
  private boolean failed;
  private boolean overflow;

  private ResponseTap(Api api, int status, String contentType, String contentEncoding, boolean dropUsageChunk) {
    this.api = api;
    this.sse = isEventStream(contentType);
    this.encoding = identity(contentEncoding) ? null : contentEncoding.trim().toLowerCase(Locale.ROOT);
    this.rewrite = sse && api == Api.CHAT_COMPLETIONS && dropUsageChunk;
    this.streamTap = sse ? new StreamUsageTap(api) : null;
    if (sse && encoding == null) {
      this.framer = new SseFramer(this::onEvent, rewrite);
    } else {
      this.framer = null;
    }
    // Compressed streams are read at the end; a plain JSON error body carries no usage worth a copy.
    this.copy = (!sse && status < 300) || (sse && encoding != null) ? Buffer.buffer() : null;
  }

  static ResponseTap of(Api api, int status, String contentType, String contentEncoding, boolean dropUsageChunk) {
    return new ResponseTap(api, status, contentType, contentEncoding, dropUsageChunk);
  }

  /** Whether the answer's bytes are re-framed (so upstream's content-length cannot be kept). */
  boolean rewrites() {
    return rewrite;
  }

  /**
   * A compressed stream whose usage chunk must be dropped: it is held, decoded and filtered at the
   * end, and the client gets it uncompressed (drop {@code content-encoding}). Only when upstream
   * ignores {@code accept-encoding: identity} on a stream the gateway asked usage for: rare, and
   * correct beats streaming there.
   */
  boolean decodesForClient() {
    return rewrite && encoding != null;
  }

  /** Media type {@code text/event-stream}, in any case, with or without parameters. */
  static boolean isEventStream(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    return type.equalsIgnoreCase("text/event-stream");
  }

  private static boolean identity(String encoding) {
    return encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity");
  }

  /** Takes one chunk of upstream's answer; returns the bytes to forward now (may be empty). */
  Buffer onChunk(Buffer chunk) {
    if (!sse || encoding != null) {
      firstContent = true; // a plain body's first byte is its first content
    }
    if (copy != null && !overflow) {
      if (copy.length() + chunk.length() > MAX_COPY) {
        overflow = true;
        copy = null;
      } else {
        copy.appendBuffer(chunk);
      }
    }
    if (decodesForClient()) {
      return Buffer.buffer();
    }
    if (framer == null) {
      return chunk;
    }
    if (failed) {
      return chunk;
    }
    if (rewrite) {
      rewritten = Buffer.buffer();
    }
    try {
      framer.feed(chunk.getBytes());
    } catch (RuntimeException e) {
      fail(e);
      return chunk; // best effort: what the framer had not yet handed on is in this chunk
    }
    if (rewrite) {
      Buffer out = rewritten;
      rewritten = null;
      return out;
    }
    return chunk;
  }

  /** The end of upstream's answer: bytes still held by a re-framing tap, or null. */
  Buffer onEnd() {
    if (decodesForClient()) {
      return decodedWithoutUsageChunk();
    }
    if (rewrite && framer != null && !failed) {
      byte[] rest = framer.pendingRaw();
      return rest.length > 0 ? Buffer.buffer(rest) : null;
    }
    return null;
  }

  private Buffer decodedWithoutUsageChunk() {
    byte[] decoded = copy == null ? null : BodyDecoding.decode(encoding, copy.getBytes());
    if (decoded == null) {
      fail(new IllegalStateException("undecodable " + encoding + " stream"));
      return copy == null ? null : copy; // cannot filter: forward what came
    }
    Buffer out = Buffer.buffer(decoded.length);
    SseFramer filter = new SseFramer((event, data, raw) -> {
      if (raw != null && !StreamUsageTap.isUsageOnlyChatChunk(data)) {
        out.appendBytes(raw);
      }
    }, true);
    filter.feed(decoded);
    byte[] rest = filter.pendingRaw();
    out.appendBytes(rest);
    return out;
  }

  boolean sawFirstContent() {
    return firstContent;
  }

  private void onEvent(String event, byte[] data, byte[] raw) {
    if (!firstContent && isContent(event, data)) {
      firstContent = true;
    }
    try {
      streamTap.onEvent(event, data, raw);
    } catch (RuntimeException e) {
      fail(e);
    }
    if (rewrite && raw != null && !StreamUsageTap.isUsageOnlyChatChunk(data)) {
      rewritten.appendBytes(raw);
    }
  }

  /** A token or content event: Anthropic/Responses {@code *_delta} events, chat chunks with a delta. */
  static boolean isContent(String event, byte[] data) {
    if (event != null) {
      return event.endsWith("delta") && !event.equals("message_delta");
    }
    String head = new String(data, 0, Math.min(data.length, 64), StandardCharsets.UTF_8);
    if (head.contains("\"type\"")) {
      return (head.contains("_delta\"") || head.contains(".delta\"")) && !head.contains("\"message_delta\"");
    }
    return contains(data, DELTA_CONTENT);
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
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

  private void fail(RuntimeException e) {
    if (!failed) {
      failed = true;
      LOG.warn("reading usage of a {} answer failed ({}); the bytes pass on unchanged, usage recorded as none",
          api.wireName(), e.getClass().getSimpleName());
    }
  }

  /** What was read so far (the whole answer once it ended). */
  Reading reading() {
    if (failed || overflow) {
      return new Reading(Usage.NONE, "none", true);
    }
    try {
      if (sse && encoding == null) {
        return streamReading(streamTap.usage());
      }
      if (copy == null) {
        return Reading.NONE;
      }
      byte[] bytes = encoding == null ? copy.getBytes() : BodyDecoding.decode(encoding, copy.getBytes());
      if (bytes == null) {
        return new Reading(Usage.NONE, "none", true);
      }
      if (sse) {
        StreamUsageTap t = new StreamUsageTap(api);
        t.onBytes(bytes);
        return streamReading(t.usage());
      }
      Usage u = UsageJson.fromBody(api, bytes);
      return new Reading(u, u.complete() ? "response" : "none", false);
    } catch (RuntimeException e) {
      fail(e);
      return new Reading(Usage.NONE, "none", true);
    }
  }

  private static Reading streamReading(Usage u) {
    if (u.complete()) {
      return new Reading(u, "stream", false);
    }
    boolean seen = u.promptTokens() > 0 || u.outputTokens() > 0 || u.model() != null;
    return new Reading(u, seen ? "partial" : "none", false);
  }
}
