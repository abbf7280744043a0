package io.tollgate.alerting.topology;

import io.tollgate.alerting.rules.AlertDecision;
import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.Scope;
import io.tollgate.alerting.rules.ThresholdRule;
import io.tollgate.schemas.Alert;
import io.tollgate.schemas.SpendWindow;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns window totals into threshold alerts. A window arrives many times (running totals, newest
 * version wins); only the growth since the version already counted is added to the scope's spend
 * for the period, so a window updated a hundred times — or replayed — adds its spend once. When a
 * rule's line is crossed the alert is forwarded, and its id remembered so it is never sent twice.
 */
final class ThresholdProcessor implements Processor<String, SpendWindow, String, Alert> {
  static final String WINDOWS = "alert-window-seen";
  static final String SPEND = "alert-scope-spend";
  static final String FIRED = "alert-fired";

  private final List<ThresholdRule> rules;
  private final String suffix;
  private ProcessorContext<String, Alert> context;
  private KeyValueStore<String, String> windows;
  private KeyValueStore<String, Long> spend;
  private KeyValueStore<String, Long> fired;

  /** Rules of one scope; the stores of that scope's branch end with {@code suffix}. */
  ThresholdProcessor(List<ThresholdRule> rules, String suffix) {
    this.rules = rules;
    this.suffix = suffix;
  }

  @Override
  public void init(ProcessorContext<String, Alert> context) {
    this.context = context;
    this.windows = context.getStateStore(WINDOWS + suffix);
    this.spend = context.getStateStore(SPEND + suffix);
    this.fired = context.getStateStore(FIRED + suffix);
  }

  @Override
  public void process(Record<String, SpendWindow> record) {
    SpendWindow w = record.value();
    if (w == null) {
      return;
    }
    String windowKey = w.getWindowSize() + "|" + w.getWindowStart().toEpochMilli() + "|" + w.getCustomerId().length()
        + ":" + w.getCustomerId() + "|" + w.getModel().length() + ":" + w.getModel() + "|" + w.getTool();
    // Hours come from 1h windows; days and months from 1d windows (a month is the sum of its days).
    boolean hourly = w.getWindowSize().equals("1h");
    if (!hourly && !w.getWindowSize().equals("1d")) {
      return;
    }
    String seen = windows.get(windowKey);
    long seenVersion = seen == null ? 0 : Long.parseLong(seen.substring(0, seen.indexOf(':')));
    long seenCost = seen == null ? 0 : Long.parseLong(seen.substring(seen.indexOf(':') + 1));
    if (w.getVersion() <= seenVersion) {
      return; // a replay or an older total: already counted
    }
    windows.put(windowKey, w.getVersion() + ":" + w.getCostNanos());
    long delta = w.getCostNanos() - seenCost;
    for (ThresholdRule rule : rules) {
      if ((rule.period() == Period.HOUR) != hourly) {
        continue;
      }
      String scopeId = scopeId(rule.scope(), w);
      if (scopeId == null || !rule.matches(scopeId)) {
        continue;
      }
      Instant periodStart = rule.period().start(w.getWindowStart());
      String key = rule.id() + "|" + scopeId + "|" + periodStart.toEpochMilli();
      long before = valueOr0(spend.get(key));
      long after = before + delta;
      spend.put(key, after);
      for (AlertDecision d : rule.evaluate(scopeId, periodStart, before, after)) {
        if (fired.putIfAbsent(d.alertId(), w.getUpdatedAt().toEpochMilli()) == null) {
          context.forward(new Record<>(d.alertId(), toAlert(rule, d, w), record.timestamp()));
        }
      }
    }
  }

  static String scopeId(Scope scope, SpendWindow w) {
    return switch (scope) {
      case CUSTOMER -> w.getCustomerId().isEmpty() ? null : w.getCustomerId();
      case MODEL -> w.getModel();
      case TOOL -> w.getTool();
      case GLOBAL -> "*";
      case KEY -> null; // window totals are per customer/model/tool; key budgets read spend-totals
    };
  }

  private static long valueOr0(Long v) {
    return v == null ? 0 : v;
  }

  private static Alert toAlert(ThresholdRule rule, AlertDecision d, SpendWindow w) {
    return Alert.newBuilder().setAlertId(d.alertId()).setRuleId(d.ruleId()).setKind(d.kind()).setSeverity(d.severity())
        .setScope(rule.scope().name().toLowerCase()).setScopeId(d.scopeId()).setPeriod(rule.period().name().toLowerCase())
        .setWindowStart(d.periodStart()).setSpendNanos(d.spendNanos()).setThresholdNanos(d.thresholdNanos())
        .setBaselineMeanNanos(null).setBaselineStddevNanos(null).setZScore(null).setChannels(rule.channels())
        .setMessage(d.reason()).setCreatedAt(w.getUpdatedAt())
        .setDetails(Map.of("last_model", w.getModel(), "last_tool", w.getTool())).build();
  }
}
