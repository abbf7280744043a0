package io.tollgate.ingress.budget;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.util.function.DoubleSupplier;

/**
 * Budget enforcement's metrics: refusals by scope, decisions taken on stale totals (by fail mode),
 * soft-budget alerts, and gauges read at scrape time — the totals' staleness, open reservations,
 * accounts held. Labels are fixed words only.
 */
public final class BudgetMetrics {
  private final Counter refusals;
  private final Counter stale;
  private final Counter softAlerts;

  public BudgetMetrics(PrometheusRegistry registry) {
    refusals = Counter.builder().name("tollgate_budget_refusals_total")
        .help("Calls refused because a budget was reached, by scope (key, team, customer; stale = totals too old "
            + "and budgets fail closed)").labelNames("scope").register(registry);
    stale = Counter.builder().name("tollgate_budget_stale_decisions_total")
        .help("Budget checks made while the spend totals were staler than tollgate.budgets.max_staleness_s, by mode: "
            + "open (decided on this gateway's own view), closed (refused)").labelNames("mode").register(registry);
    softAlerts = Counter.builder().name("tollgate_budget_soft_alerts_total")
        .help("soft_budget crossings this gateway raised as alerts").register(registry);
    this.registry = registry;
  }

  private final PrometheusRegistry registry;

  /** The gauges of one ledger and its totals. */
  public void watch(BudgetLedger ledger, SpendTotals totals, Clock clock) {
    gauge("tollgate_budget_totals_staleness_seconds", "Seconds since this gateway last read tollgate.spend-totals.v1 "
        + "to its end (+Inf before the first time); budgets decide on older totals plus this gateway's own spend",
        () -> totals.stalenessSeconds(clock.instant()));
    gauge("tollgate_budget_open_reservations", "Calls holding a budget reservation now (back to 0 when idle: a "
        + "reservation never leaks)", ledger::openReservations);
    gauge("tollgate_budget_accounts", "Keys, teams and customers this gateway keeps budget state for",
        ledger::accounts);
    gauge("tollgate_budget_totals", "Budget-period totals held (current periods and lifetime)", totals::size);
  }

  public void refused(String scope) {
    refusals.labelValues(scope).inc();
  }

  public void staleDecision(String mode) {
    stale.labelValues(mode).inc();
  }

  public void softAlert() {
    softAlerts.inc();
  }

  private void gauge(String name, String help, DoubleSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
  }
}
