package io.tollgate.ingress.budget;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.identity.Directory;
import io.tollgate.ingress.publish.Unacknowledged;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.serde.AvroSerde;
import io.tollgate.schemas.serde.TollgateSerdes;
import io.tollgate.schemas.topics.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Budget enforcement of one gateway, wired: the totals it follows, the ledger, the soft-budget
 * alert producer and the metrics. {@link #recover} before the publisher opens the hand-off log,
 * {@link #follow} before the first call.
 */
public final class BudgetRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BudgetRuntime.class);
  private final IngressConfig config;
  private final Clock clock;
  private final SpendTotals totals;
  private final BudgetLedger ledger;
  private final SoftBudgetAlerts alerts;
  private final BudgetMetrics metrics;
  private final CallScopes scopes;
  private TotalsFollower follower;

  private BudgetRuntime(IngressConfig config, Directory directory, String defaultEndUserBudgetId, Clock clock,
                        PrometheusRegistry registry) {
    this.config = config;
    this.clock = clock;
    this.totals = new SpendTotals(config.gatewayId());
    this.metrics = new BudgetMetrics(registry);
    Map<String, String> kafka = config.kafkaProperties() == null ? Map.of() : config.kafkaProperties();
    this.alerts = new SoftBudgetAlerts(config.kafkaBootstrap(), kafka, "tollgate-ingress-" + config.gatewayId()
        + "-alerts", config.budgets().softBudgetChannels());
    SoftBudgetListener counted = (limits, period, spend, now) -> {
      metrics.softAlert();
      alerts.crossed(limits, period, spend, now);
    };
    this.ledger = new BudgetLedger(totals, config.budgets(), clock, counted);
    this.scopes = new CallScopes(directory, defaultEndUserBudgetId);
    metrics.watch(ledger, totals, clock);
  }

  /** @param defaultEndUserBudgetId budget of customers the directory does not know, or null */
  public static BudgetRuntime create(IngressConfig config, Directory directory, String defaultEndUserBudgetId,
                                     Clock clock, PrometheusRegistry registry) {
    return new BudgetRuntime(config, directory, defaultEndUserBudgetId, clock, registry);
  }

  /**
   * Counts the spend of events an earlier run left unacknowledged in {@code spillDir} as this
   * gateway's own (they are resent and reach the totals later).
   */
  public long recover(Path spillDir) {
    AvroSerde<UsageEvent> serde = TollgateSerdes.usageEvent();
    long n = Unacknowledged.forEach(spillDir, bytes -> {
      try {
        UsageEvent e = serde.deserialize(Topics.USAGE.name(), bytes);
        ledger.recovered(e.getBudgetPeriods(), e.getCostNanos());
      } catch (RuntimeException ignored) {
        // not an event this version reads: the publisher quarantines it
      }
    });
    if (n > 0) {
      LOG.info("budgets count the spend of {} unacknowledged events of an earlier run", n);
    }
    return n;
  }

  /** Starts following the totals and waits up to {@code wait} for the first full read. */
  public void follow(Duration wait) {
    follower = new TotalsFollower(config.kafkaBootstrap(), config.kafkaProperties(),
        "tollgate-ingress-" + config.gatewayId() + "-totals", totals, ledger, clock).start();
    if (!follower.awaitCaughtUp(wait)) {
      LOG.warn("spend totals not read within {} s: budgets decide on this gateway's own view until they are ({})",
          wait.toSeconds(), config.budgets().failClosed() ? "failing closed once stale" : "fail-open");
    }
  }

  public BudgetLedger ledger() {
    return ledger;
  }

  public CallScopes scopes() {
    return scopes;
  }

  public BudgetMetrics metrics() {
    return metrics;
  }

  /** Spend as budgets see it, for /key/info and friends. */
  public SpendView spendView() {
    return ledger;
  }

  public SpendTotals totals() {
    return totals;
  }

  @Override
  public void close() {
    if (follower != null) {
      follower.close();
    }
    alerts.close();
  }
}
