package io.tollgate.ingress.provider;

import io.tollgate.ingress.usage.Api;
import io.tollgate.ingress.usage.BodyUsageReader;
import io.tollgate.ingress.usage.ContentDecoding;
import io.tollgate.ingress.usage.GeminiUsage;
import io.tollgate.ingress.usage.SseFramer;
import io.tollgate.ingress.usage.StreamUsageTap;
import io.tollgate.ingress.usage.Usage;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the usage of an answer while its bytes pass through, and says what to forward. Plain
 * bodies go to a {@link BodyUsageReader} (bounded copy, parsed at the end); event streams go
 * through a framer, event by event, into a {@link StreamUsageTap}. A compressed answer (upstream
 * ignored {@code accept-encoding: identity}) is forwarded as it came and decoded for reading.
 *
 * <p>Reading usage must never cost the client a byte: any exception while reading stops the
 * reading (usage source {@code none}, counted) and the bytes keep flowing unchanged.
 */
final class ResponseTap {
  private static final Logger LOG = LoggerFactory.getLogger(ResponseTap.class);
  private static final byte[] DELTA_CONTENT = "\"delta\"".getBytes(StandardCharsets.US_ASCII);

  /** What was read: the usage, where it came from ({@code response|stream|partial|none}), trouble. */
  record Reading(Usage usage, String source, boolean readFailed) {
    static final Reading NONE = new Reading(Usage.NONE, "none", false);
  }

  private final Api api;
  private final boolean sse;
  private final boolean rewrite;
  private final String encoding;
  private final StreamUsageTap streamTap;
  private final BodyUsageReader bodyReader;
  private final SseFramer framer;
  private final ContentDecoding.Collector held;
  private Buffer rewritten;
  private boolean firstContent;
  private boolean failed;

  private ResponseTap(Api api, int status, String contentType, String contentEncoding, boolean dropUsageChunk) {
    this.api = api;
    this.sse = StreamUsageTap.isEventStream(contentType);
    this.encoding = ContentDecoding.isIdentity(contentEncoding) ? null : contentEncoding;
    this.rewrite = sse && api == Api.CHAT_COMPLETIONS && dropUsageChunk;
    this.streamTap = sse ? new StreamUsageTap(api, encoding) : null;
    this.framer = sse && encoding == null ? new SseFramer(this::onEvent, rewrite) : null;
    // A plain error body carries no usage worth a copy.
    this.bodyReader = !sse && status < 300 ? new BodyUsageReader(api, encoding) : null;
    // Held for decoding only when every coding can be undone; otherwise the bytes pass as they came
    // (the injected usage chunk then reaches the client: better than an empty answer).
    this.held = rewrite && encoding != null && ContentDecoding.supported(encoding)
        ? new ContentDecoding.Collector(encoding) : null;
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
   * end, and the client gets it uncompressed (the relay drops {@code content-encoding}). Only when
   * upstream ignores {@code accept-encoding: identity} on a stream the gateway asked usage for:
   * rare, and never showing a client a chunk it did not ask for beats streaming there.
   */
  boolean decodesForClient() {
    return held != null;
  }

  /** Takes one chunk of upstream's answer; returns the bytes to forward now (may be empty). */
  Buffer onChunk(Buffer chunk) {
    if (!sse || encoding != null) {
      firstContent = true; // a plain (or compressed) body's first byte is its first content
    }
    if (bodyReader != null) {
      guard(() -> inPlace(chunk, bodyReader::onBytes));
      return chunk;
    }
    if (!sse) {
      return chunk; // an error body: nothing to read
    }
    if (framer == null) { // a compressed stream
      guard(() -> streamTap.onBytes(chunk.getBytes()));
      if (held != null) {
        held.add(chunk.getBytes(), 0, chunk.length());
        return Buffer.buffer();
      }
      return chunk;
    }
    if (failed) {
      return chunk;
    }
    if (rewrite) {
      rewritten = Buffer.buffer();
    }
    try {
      inPlace(chunk, framer::feed);
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

  /**
   * Frames a chunk from the array behind it when it has one (Vert.x hands heap buffers to the
   * relay), instead of copying every streamed byte once more only to read it.
   */
  private static void inPlace(Buffer chunk, Bytes sink) {
    if (chunk instanceof BufferInternal internal && internal.unwrap().hasArray()) {
      ByteBuf b = internal.unwrap();
      sink.take(b.array(), b.arrayOffset() + b.readerIndex(), b.readableBytes());
    } else {
      byte[] copy = chunk.getBytes();
      sink.take(copy, 0, copy.length);
    }
  }

  @FunctionalInterface
  private interface Bytes {
    void take(byte[] bytes, int offset, int length);
  }

  /** The end of upstream's answer: bytes still held by a re-framing tap, or null. */
  Buffer onEnd() {
    if (held != null) {
      return decodedWithoutUsageChunk();
    }
    if (rewrite && framer != null && !failed) {
      byte[] rest = framer.pendingRaw();
      return rest.length > 0 ? Buffer.buffer(rest) : null;
    }
    return null;
  }

  private Buffer decodedWithoutUsageChunk() {
    Buffer out = Buffer.buffer();
    SseFramer filter = new SseFramer((event, data, raw) -> {
      if (raw != null && !StreamUsageTap.isUsageOnlyChatChunk(data)) {
        out.appendBytes(raw);
      }
    }, true);
    ContentDecoding.Result r = held.decodeTo(filter::feed);
    out.appendBytes(filter.pendingRaw());
    if (!r.supported() || held.overflowed()) {
      fail(new IllegalStateException("undecodable stream"));
    }
    return out;
  }

  boolean sawFirstContent() {
    return firstContent;
  }

  private void onEvent(String event, byte[] data, byte[] raw) {
    if (!firstContent && (api.gemini() ? GeminiUsage.isContent(data) : isContent(event, data))) {
      firstContent = true;
    }
    streamTap.onEvent(event, data, raw);
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
    return StreamUsageTap.contains(data, DELTA_CONTENT);
  }

  private void guard(Runnable reading) {
    if (failed) {
      return;
    }
    try {
      reading.run();
    } catch (RuntimeException e) {
      fail(e);
    }
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
    if (failed) {
      return new Reading(Usage.NONE, "none", true);
    }
    try {
      Usage u;
      String problem;
      if (streamTap != null) {
        u = streamTap.usage();
        problem = streamTap.problem();
      } else if (bodyReader != null) {
        u = bodyReader.usage();
        problem = bodyReader.problem();
      } else {
        return Reading.NONE;
      }
      return new Reading(u, u.source().wireName(), problem != null);
    } catch (RuntimeException e) {
      fail(e);
      return new Reading(Usage.NONE, "none", true);
    }
  }
}
