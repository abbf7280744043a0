package io.tollgate.reconciler.compare;

import io.tollgate.schemas.Alert;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Alert} of a drift (pure). Its id is a hash of (provider, model, day) only, so every
 * poll, restart or revision of the same day yields the same id: the reconciler raises it once
 * (it remembers raised ids in {@code provider_usage}), and the notifier delivers an id once.
 */
public final class DriftAlerts {
  public static final String RULE = "reconciliation";
  public static final String KIND = "reconciliation_drift";

  private DriftAlerts() {
  }

  public static String id(String provider, String model, java.time.LocalDate day) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {KIND, provider, model, day.toString()}) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        sha.update(new byte[] {(byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16), (byte) (bytes.length >>> 8),
            (byte) bytes.length});
        sha.update(bytes);
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Alert alert(Row row, Instant now, List<String> channels) {
    boolean over = row.driftNanos() > 0;
    String what = row.model().equals(Comparison.TOTAL) ? row.provider() + " (day total)" : row.provider() + " " + row.model();
    String percent = row.billed().nanos() == 0 ? "n/a"
        : BigDecimal.valueOf(row.driftNanos()).multiply(BigDecimal.valueOf(100))
            .divide(BigDecimal.valueOf(Math.abs(row.billed().nanos())), 2, java.math.RoundingMode.HALF_UP).toPlainString();
    Map<String, String> details = new LinkedHashMap<>();
    details.put("provider", row.provider());
    details.put("model", row.model());
    details.put("day", row.day().toString());
    details.put("direction", over ? "over_metering" : "under_metering");
    details.put("metered_usd", usd(row.metered().nanos()));
    details.put("billed_usd", usd(row.billed().nanos()));
    details.put("drift_usd", usd(row.driftNanos()));
    details.put("drift_percent", percent);
    details.put("billed_source", row.billedSource());
    details.put("metered_tokens", tokens(row.metered()));
    details.put("billed_tokens", tokens(row.billed()));
    return Alert.newBuilder()
        .setAlertId(id(row.provider(), row.model(), row.day()))
        .setRuleId(RULE)
        .setKind(KIND)
        .setSeverity("warning")
        .setScope(row.model().equals(Comparison.TOTAL) ? "global" : "model")
        .setScopeId(row.model().equals(Comparison.TOTAL) ? row.provider() : row.provider() + "/" + row.model())
        .setPeriod("day")
        .setWindowStart(row.day().atStartOfDay(ZoneOffset.UTC).toInstant())
        .setSpendNanos(row.metered().nanos())
        .setThresholdNanos(null)
        .setBaselineMeanNanos(null)
        .setBaselineStddevNanos(null)
        .setZScore(null)
        .setChannels(channels)
        .setMessage("Reconciliation drift on " + row.day() + ": " + what + " metered $" + usd(row.metered().nanos())
            + ", the provider billed $" + usd(row.billed().nanos()) + " (" + (over ? "+" : "") + percent + " %, "
            + (over ? "Tollgate over-meters: check the price table" : "Tollgate under-meters: calls not billed to customers")
            + ")")
        .setCreatedAt(now)
        .setDetails(details)
        .build();
  }

  static String usd(long nanos) {
    return BigDecimal.valueOf(nanos, 9).setScale(4, java.math.RoundingMode.HALF_UP).toPlainString();
  }

  private static String tokens(io.tollgate.reconciler.provider.Tokens t) {
    return "input " + t.input() + ", output " + t.output() + ", cache read " + t.cacheRead() + ", cache write 5m "
        + t.cacheWrite5m() + ", 1h " + t.cacheWrite1h();
  }
}
