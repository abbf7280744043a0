package io.tollgate.ingress.provider;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/** Decodes a compressed answer for reading its usage; the client still gets the original bytes. */
final class BodyDecoding {
  private BodyDecoding() {
  }

  /** The decoded bytes, or null when the encoding is unknown or the bytes do not decode. */
  static byte[] decode(String encoding, byte[] bytes) {
    String e = encoding.trim().toLowerCase(Locale.ROOT);
    try {
      InputStream in = switch (e) {
        case "gzip", "x-gzip" -> new GZIPInputStream(new ByteArrayInputStream(bytes));
        case "deflate" -> new InflaterInputStream(new ByteArrayInputStream(bytes));
        default -> null;
      };
      if (in == null) {
        return null;
      }
      try (in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length * 4);
        byte[] buf = new byte[16 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
          if (out.size() + n > ResponseTap.MAX_COPY) {
            return null; // a decompression bomb is not read
          }
          out.write(buf, 0, n);
        }
        return out.toByteArray();
      }
    } catch (IOException ex) {
      return null;
    }
  }
}
