package io.tollgate.ingress.provider;

import java.security.SecureRandom;
import java.util.UUID;

/** Time-ordered UUIDs (RFC 9562 version 7): 48-bit Unix milliseconds, then random bits. */
public final class UuidV7 {
  private static final SecureRandom RANDOM = new SecureRandom();

  private UuidV7() {
  }

  public static UUID at(long epochMillis) {
    long rand = RANDOM.nextLong();
    long msb = (epochMillis << 16) | 0x7000L | ((rand >>> 52) & 0x0FFFL);
    long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }
}
