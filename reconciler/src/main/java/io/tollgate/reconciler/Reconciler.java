package io.tollgate.reconciler;

import io.tollgate.reconciler.compare.Comparison;
import io.tollgate.reconciler.compare.DriftAlerts;
import io.tollgate.reconciler.compare.Row;
import io.tollgate.reconciler.provider.AdminApiException;
import io.tollgate.reconciler.provider.ProviderReport;
import io.tollgate.reconciler.provider.ProviderReport.ModelDay;
import io.tollgate.reconciler.provider.Tokens;
import io.tollgate.reconciler.store.ProviderUsageStore;
import io.tollgate.schemas.Alert;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll: for each provider, fetch its reports for the last N days and today, compare them with
 * Tollgate's metered usage, raise each new drift once, and write the comparison to
 * {@code provider_usage}. An alert is written to Kafka before its id is recorded, so a crash in
 * between re-sends the same id (the notifier delivers an id once); a recorded id is never sent
 * again. One provider failing (an admin API error) does not stop the others.
 */
public final class Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  /** A provider's reports. */
  public interface Source {
    String provider();

    /** Days {@code [from, to)}. */
    ProviderReport fetch(LocalDate from, LocalDate to);
  }

  /** What one poll did. */
  public record Result(int providersOk, int providersFailed, int rows, int alertsRaised) {
  }

  private final List<Source> sources;
  private final ProviderUsageStore store;
  private final AlertSink alerts;
  private final Comparison comparison;
  private final int lookbackDays;
  private final List<String> channels;
  private final Clock clock;
  private final ReconcilerMetrics metrics;

  public Reconciler(List<Source> sources, ProviderUsageStore store, AlertSink alerts, Comparison comparison,
                    int lookbackDays, List<String> channels, Clock clock, ReconcilerMetrics metrics) {
    this.sources = List.copyOf(sources);
    this.store = Objects.requireNonNull(store);
    this.alerts = Objects.requireNonNull(alerts);
    this.comparison = Objects.requireNonNull(comparison);
    this.lookbackDays = lookbackDays;
    this.channels = List.copyOf(channels);
    this.clock = Objects.requireNonNull(clock);
    this.metrics = Objects.requireNonNull(metrics);
  }

  public Result runOnce() {
    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    LocalDate from = today.minusDays(lookbackDays);
    LocalDate to = today.plusDays(1);
    List<LocalDate> days = from.datesUntil(to).toList();
    int ok = 0;
    int failed = 0;
    int rows = 0;
    int raised = 0;
    for (Source source : sources) {
      ProviderReport report;
      try {
        report = source.fetch(from, to);
      } catch (AdminApiException e) {
        failed++;
        metrics.poll(source.provider(), false, now.getEpochSecond());
        LOG.warn("reconciliation of {}: reports not read: {}", source.provider(), e.getMessage());
        continue;
      }
      Map<ModelDay, Tokens> metered = store.metered(source.provider(), from, to);
      Map<ModelDay, String> alerted = new java.util.HashMap<>(store.alerted(source.provider(), from, to));
      List<Row> compared = comparison.compare(report, metered, days, now);
      List<Alert> sent = new ArrayList<>();
      for (Row r : compared) {
        ModelDay key = new ModelDay(r.model(), r.day());
        if (r.drift() && !alerted.containsKey(key)) {
          Alert a = DriftAlerts.alert(r, now, channels);
          alerts.send(a);
          alerted.put(key, a.getAlertId());
          sent.add(a);
          metrics.drift(source.provider(), r.driftNanos() > 0);
          LOG.warn("{}", a.getMessage());
        }
      }
      store.write(compared, alerted, now.toEpochMilli(), now);
      metrics.poll(source.provider(), true, now.getEpochSecond());
      ok++;
      rows += compared.size();
      raised += sent.size();
      LOG.info("reconciliation of {}: {} rows over {} to {}, {} new drift alerts", source.provider(), compared.size(),
          from, today, sent.size());
    }
    return new Result(ok, failed, rows, raised);
  }
}
