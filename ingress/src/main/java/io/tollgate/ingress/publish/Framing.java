package io.tollgate.ingress.publish;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The on-disk shape of one hand-off record: {@code int length}, {@code int crc32c}, then
 * {@code length} bytes of body = {@code short keyLength}, the key (the event id, UTF-8), the
 * serialized event. The CRC covers the body, so a record half-written by a crash (torn tail) or
 * damaged on disk is recognised and reading stops at the last good record before it.
 */
final class Framing {
  static final int HEADER = 8;
  /** Larger than any event can be (events are capped far below Kafka's limit); a bigger length is damage. */
  static final int MAX_BODY = 16 * 1024 * 1024;

  private Framing() {
  }

  /** One record, framed. */
  static ByteBuffer encode(String key, byte[] value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    int body = 2 + k.length + value.length;
    ByteBuffer buf = ByteBuffer.allocate(HEADER + body);
    buf.putInt(body).putInt(0).putShort((short) k.length).put(k).put(value);
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), HEADER, body);
    buf.putInt(4, (int) crc.getValue());
    return buf.flip();
  }

  /** Framed size of a record, without building it. */
  static int size(String key, byte[] value) {
    return HEADER + 2 + key.getBytes(StandardCharsets.UTF_8).length + value.length;
  }

  /**
   * The record whose header was just read, or null when its body does not match the CRC.
   *
   * @param body exactly {@code length} bytes
   */
  static Rec decode(long seq, int expectedCrc, byte[] body) {
    CRC32C crc = new CRC32C();
    crc.update(body, 0, body.length);
    if ((int) crc.getValue() != expectedCrc || body.length < 2) {
      return null;
    }
    int keyLength = ((body[0] & 0xff) << 8) | (body[1] & 0xff);
    if (2 + keyLength > body.length) {
      return null;
    }
    String key = new String(body, 2, keyLength, StandardCharsets.UTF_8);
    byte[] value = java.util.Arrays.copyOfRange(body, 2 + keyLength, body.length);
    return new Rec(seq, key, value);
  }

  /** A record of the log: its sequence number, Kafka key and value. */
  record Rec(long seq, String key, byte[] value) {
    /** Bytes it takes in memory and on disk (for the memory bound and the backlog gauge). */
    int bytes() {
      return HEADER + 2 + key.length() + value.length;
    }
  }
}
