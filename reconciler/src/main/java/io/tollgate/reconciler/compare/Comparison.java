package io.tollgate.reconciler.compare;

import io.tollgate.reconciler.config.ReconcilerConfig;
import io.tollgate.reconciler.provider.ProviderReport;
import io.tollgate.reconciler.provider.ProviderReport.ModelDay;
import io.tollgate.reconciler.provider.Tokens;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Compares a provider's report with Tollgate's metered usage, per model and day and per day in
 * total (pure). A day the provider reported nothing for is {@code missing} (lag, never a drift);
 * a day that ended less than the settle delay ago is {@code unsettled} (shown, never a drift). A
 * day's total is a drift only when no model of that day is: the same money is reported once, by
 * the models when they explain it, else by the total (Anthropic: the cost report against the
 * usage report priced with Tollgate's table, i.e. a price table error).
 */
public final class Comparison {
  /** The model of a provider's day-total row. */
  public static final String TOTAL = "*";

  private final ReconcilerConfig.Drift drift;
  private final Duration settle;

  public Comparison(ReconcilerConfig.Drift drift, Duration settle) {
    this.drift = Objects.requireNonNull(drift);
    this.settle = Objects.requireNonNull(settle);
  }

  /**
   * @param metered Tollgate's usage of this provider per model and day
   * @param days    the days compared
   */
  public List<Row> compare(ProviderReport report, Map<ModelDay, Tokens> metered, List<LocalDate> days, Instant now) {
    List<Row> rows = new ArrayList<>();
    for (LocalDate day : days) {
      Row.Status status = !report.reportedDays().contains(day) ? Row.Status.MISSING
          : settled(day, now) ? Row.Status.SETTLED : Row.Status.UNSETTLED;
      TreeSet<String> models = new TreeSet<>();
      report.models().keySet().stream().filter(k -> k.day().equals(day)).forEach(k -> models.add(k.model()));
      metered.keySet().stream().filter(k -> k.day().equals(day)).forEach(k -> models.add(k.model()));
      Tokens billedSum = Tokens.ZERO;
      Tokens meteredSum = Tokens.ZERO;
      boolean anyModelDrift = false;
      for (String model : models) {
        ModelDay key = new ModelDay(model, day);
        Tokens b = report.models().getOrDefault(key, Tokens.ZERO);
        Tokens m = metered.getOrDefault(key, Tokens.ZERO);
        billedSum = billedSum.plus(b);
        meteredSum = meteredSum.plus(m);
        long diff = Tokens.add(m.nanos(), -b.nanos());
        boolean isDrift = status == Row.Status.SETTLED && exceeds(diff, b.nanos());
        anyModelDrift |= isDrift;
        rows.add(new Row(report.provider(), model, day, status, report.modelSource(), b, m, diff, isDrift));
      }
      boolean totals = !report.totals().isEmpty();
      Tokens billedTotal = totals ? billedSum.withNanos(report.totals().getOrDefault(day, 0L)) : billedSum;
      long diff = Tokens.add(meteredSum.nanos(), -billedTotal.nanos());
      boolean isDrift = totals && status == Row.Status.SETTLED && !anyModelDrift && exceeds(diff, billedTotal.nanos());
      rows.add(new Row(report.provider(), TOTAL, day, status, totals ? "cost_report" : report.modelSource(),
          billedTotal, meteredSum, diff, isDrift));
    }
    return rows;
  }

  /** Whether a UTC day is settled at {@code now}: its end plus the settle delay has passed. */
  public boolean settled(LocalDate day, Instant now) {
    return !now.isBefore(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(settle));
  }

  /** At least the minimum, and at least the amount or the percentage of billed. */
  boolean exceeds(long diffNanos, long billedNanos) {
    BigInteger abs = BigInteger.valueOf(diffNanos).abs();
    if (abs.signum() == 0 || abs.compareTo(BigInteger.valueOf(drift.minNanos())) < 0) {
      return false;
    }
    if (drift.amountNanos() > 0 && abs.compareTo(BigInteger.valueOf(drift.amountNanos())) >= 0) {
      return true;
    }
    return drift.percentBasisPoints() > 0 && abs.multiply(BigInteger.valueOf(10_000))
        .compareTo(BigInteger.valueOf(billedNanos).abs().multiply(BigInteger.valueOf(drift.percentBasisPoints()))) >= 0;
  }
}
