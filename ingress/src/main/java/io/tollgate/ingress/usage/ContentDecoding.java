package io.tollgate.ingress.usage;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.brotli.dec.BrotliInputStream;

/**
 * Decodes a response's {@code content-encoding} for the usage readers. The gateway asks upstream
 * for identity, but some upstreams compress anyway; the client gets the original bytes, and usage
 * is read from the decoded ones. Simple and bounded: the encoded bytes are kept (at most
 * {@link #MAX_ENCODED_BYTES}) and decoded once at the end, at most {@link #MAX_DECODED_BYTES} of
 * output; a stream cut short decodes as far as it arrived.
 *
 * <p>Codings: gzip, x-gzip, deflate (zlib-wrapped or raw, as servers send both), br, zstd,
 * identity, and stacked lists ({@code gzip, br} is undone right to left). Anything else is
 * reported as unsupported.
 */
public final class ContentDecoding {
  /** Compressed bytes kept for reading usage; beyond it the usage is not read (source none). */
  public static final int MAX_ENCODED_BYTES = 32 << 20;
  /** Decoded bytes read at most (a compression bomb stops here). */
  public static final long MAX_DECODED_BYTES = 256L << 20;

  /**
   * What decoding gave.
   *
   * @param supported false when an encoding is unknown (nothing was decoded)
   * @param problem   why the output is incomplete or missing (truncated, corrupt, too large), or null
   */
  public record Result(boolean supported, String problem) {
  }

  /** Receives decoded bytes. */
  @FunctionalInterface
  public interface Sink {
    void accept(byte[] bytes, int offset, int length);
  }

  private ContentDecoding() {
  }

  /** Whether a {@code content-encoding} value means the bytes are as they are (absent, blank, identity). */
  public static boolean isIdentity(String contentEncoding) {
    return codings(contentEncoding).isEmpty();
  }

  /** The codings in the order they were applied, identity left out, lower case. */
  static List<String> codings(String contentEncoding) {
    List<String> out = new ArrayList<>();
    if (contentEncoding == null) {
      return out;
    }
    for (String part : contentEncoding.split(",")) {
      String c = part.trim().toLowerCase(Locale.ROOT);
      if (!c.isEmpty() && !c.equals("identity")) {
        out.add(c);
      }
    }
    return out;
  }

  /** Whether every coding of a {@code content-encoding} value is one this class can undo. */
  public static boolean supported(String contentEncoding) {
    for (String c : codings(contentEncoding)) {
      if (!List.of("gzip", "x-gzip", "deflate", "br", "zstd").contains(c)) {
        return false;
      }
    }
    return true;
  }

  /** Decodes {@code encoded} into {@code sink}, as much as can be; never throws. */
  public static Result decode(String contentEncoding, byte[] encoded, int length, Sink sink) {
    List<String> codings = codings(contentEncoding);
    InputStream in = new ByteArrayInputStream(encoded, 0, length);
    try {
      for (int i = codings.size() - 1; i >= 0; i--) {
        InputStream next = decoder(codings.get(i), in);
        if (next == null) {
          return new Result(false, "unsupported content-encoding " + codings.get(i));
        }
        in = new ArrayReads(next);
      }
    } catch (IOException | RuntimeException e) {
      return new Result(true, "content-encoding " + contentEncoding + ": " + e.getMessage());
    }
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    try (InputStream decoded = in) {
      int n;
      while ((n = decoded.read(buf)) > 0) {
        int take = (int) Math.min(n, MAX_DECODED_BYTES - total);
        sink.accept(buf, 0, take);
        total += take;
        if (total >= MAX_DECODED_BYTES) {
          return new Result(true, "decoded body larger than " + MAX_DECODED_BYTES + " bytes: read in part");
        }
      }
      return new Result(true, null);
    } catch (IOException | RuntimeException e) {
      // truncated or corrupt input (a stream cut short): what came out before counts
      return new Result(true, "content-encoding " + contentEncoding + " ended early: " + e.getMessage());
    }
  }

  /** A decoding stream for one coding, or null when unknown. */
  private static InputStream decoder(String coding, InputStream in) throws IOException {
    return switch (coding) {
      case "gzip", "x-gzip" -> new GZIPInputStream(in, 8192);
      case "deflate" -> deflate(in);
      case "br" -> new BrotliInputStream(in);
      case "zstd" -> new ZstdInputStream(in);
      default -> null;
    };
  }

  /** HTTP's deflate is meant to be zlib-wrapped (RFC 9110), but servers also send raw deflate. */
  private static InputStream deflate(InputStream in) throws IOException {
    InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in);
    buffered.mark(2);
    int b0 = buffered.read();
    int b1 = buffered.read();
    buffered.reset();
    boolean zlib = b0 >= 0 && b1 >= 0 && (b0 & 0x0F) == 8 && ((b0 << 8) | b1) % 31 == 0;
    return new InflaterInputStream(buffered, new Inflater(!zlib), 8192);
  }

  /**
   * Serves one-byte reads from array reads. The next decoder (gzip) reads its header byte by
   * byte, and after a one-byte {@code read()} brotli 0.1.2's array read reports the end of the
   * stream. Not a BufferedInputStream: that one reads ahead until the source throws, and a
   * truncated stream would then lose the bytes already decoded.
   */
  private static final class ArrayReads extends FilterInputStream {
    private final byte[] one = new byte[1];

    ArrayReads(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int n;
      do {
        n = in.read(one, 0, 1);
      } while (n == 0);
      return n < 0 ? -1 : one[0] & 0xFF;
    }
  }

  /**
   * Keeps a response's bytes for decoding at the end, up to a cap; past it the bytes are dropped
   * and {@link #overflowed()} is true. Not thread-safe.
   */
  public static final class Collector {
    private final String contentEncoding;
    private final long cap;
    private Bytes bytes = new Bytes(8192);
    private long size;

    /** A collector for compressed bytes (cap {@link #MAX_ENCODED_BYTES}, or {@link #MAX_DECODED_BYTES} for identity). */
    public Collector(String contentEncoding) {
      this.contentEncoding = contentEncoding;
      this.cap = isIdentity(contentEncoding) ? MAX_DECODED_BYTES : MAX_ENCODED_BYTES;
    }

    public void add(byte[] chunk, int offset, int length) {
      size += length;
      if (size <= cap) {
        bytes.write(chunk, offset, length);
      } else if (bytes.size() > 0) {
        bytes = new Bytes(0); // past the cap the usage is given up on: free the memory now
      }
    }

    /** Bytes received (also those past the cap). */
    public long size() {
      return size;
    }

    public boolean overflowed() {
      return size > cap;
    }

    public String contentEncoding() {
      return contentEncoding;
    }

    /** Decodes what was kept into {@code sink}; see {@link ContentDecoding#decode}. */
    public Result decodeTo(Sink sink) {
      if (isIdentity(contentEncoding)) {
        sink.accept(bytes.array(), 0, bytes.size());
        return new Result(true, null);
      }
      return decode(contentEncoding, bytes.array(), bytes.size(), sink);
    }
  }

  /** A byte buffer whose content is read in place (a 32 MiB body is not copied to be read). */
  static final class Bytes extends ByteArrayOutputStream {
    Bytes(int size) {
      super(size);
    }

    /** The backing array; valid up to {@link #size()}. */
    byte[] array() {
      return buf;
    }
  }
}
