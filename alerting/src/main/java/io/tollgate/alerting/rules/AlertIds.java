package io.tollgate.alerting.rules;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/** Deterministic alert ids: the same (rule, scope id, period start, severity) always gives the same id. */
public final class AlertIds {
  private AlertIds() {
  }

  public static String of(String ruleId, String scopeId, Instant periodStart, String severity) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {ruleId, scopeId, Long.toString(periodStart.toEpochMilli()), severity}) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        sha.update((byte) (bytes.length >>> 8));
        sha.update((byte) bytes.length);
        sha.update(bytes);
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
