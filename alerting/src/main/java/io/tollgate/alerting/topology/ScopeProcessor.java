package io.tollgate.alerting.topology;

import io.tollgate.alerting.rules.AlertDecision;
import io.tollgate.alerting.rules.AnomalyRule;
import io.tollgate.alerting.rules.AnomalyState;
import io.tollgate.alerting.rules.CacheBreakRule;
import io.tollgate.alerting.rules.CacheBreakState;
import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.ThresholdRule;
import io.tollgate.schemas.Alert;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules of one scope over that scope's running totals. A total arrives many times (newest
 * version wins); only the growth since the version already counted is added, so a window updated
 * a hundred times — or replayed — adds its spend once. The growth feeds the threshold rules (spend
 * per rule, scope id and period) and the anomaly rules (an {@link AnomalyState} per rule and scope
 * id), the cache-break rules (a {@link CacheBreakState} per rule and scope id, fed with the growth
 * of prompt and cache-read tokens too), and the breakdown by model and tool that alerts carry.
 * Every alert id is remembered, so none is forwarded twice. Entries of periods long gone are
 * purged as stream time moves on (daily), and alerts of periods that ended days ago are not
 * raised at all.
 */
final class ScopeProcessor implements Processor<String, SpendUpdate, String, Alert> {
  static final String SEEN = "alert-counter-seen";
  static final String SPEND = "alert-period-spend";
  static final String FIRED = "alert-fired-ids";
  static final String ANOMALY = "alert-anomaly";
  static final String BREAKDOWN = "alert-breakdown";
  static final String CACHE = "alert-cache-break";
  static final List<String> STORES = List.of(SEEN, SPEND, FIRED, ANOMALY, BREAKDOWN, CACHE);
  /** Longer than the spend-windows topic keeps data (35 days), so a replay can never count twice. */
  static final Duration RETENTION = Duration.ofDays(40);
  /** Alerts of periods that ended longer ago than this (in wall-clock time) are not raised. */
  static final Duration STALE_AFTER = Duration.ofDays(2);
  private static final Logger LOG = LoggerFactory.getLogger(ScopeProcessor.class);

  private final List<ThresholdRule> thresholds;
  private final List<AnomalyRule> anomalies;
  private final List<CacheBreakRule> cacheBreaks;
  private final String suffix;
  private ProcessorContext<String, Alert> context;
  private KeyValueStore<String, String> seen;
  private KeyValueStore<String, String> spend;
  private KeyValueStore<String, String> fired;
  private KeyValueStore<String, String> anomaly;
  private KeyValueStore<String, String> cache;
  private Breakdowns breakdowns;

  /** Rules of one scope; the stores of that scope's branch end with {@code suffix}. */
  ScopeProcessor(List<ThresholdRule> thresholds, List<AnomalyRule> anomalies, String suffix) {
    this(thresholds, anomalies, List.of(), suffix);
  }

  /** With cache-break rules of that scope too. */
  ScopeProcessor(List<ThresholdRule> thresholds, List<AnomalyRule> anomalies, List<CacheBreakRule> cacheBreaks,
                 String suffix) {
    this.thresholds = List.copyOf(thresholds);
    this.anomalies = List.copyOf(anomalies);
    this.cacheBreaks = List.copyOf(cacheBreaks);
    this.suffix = suffix;
  }

  @Override
  public void init(ProcessorContext<String, Alert> context) {
    this.context = context;
    this.seen = context.getStateStore(SEEN + suffix);
    this.spend = context.getStateStore(SPEND + suffix);
    this.fired = context.getStateStore(FIRED + suffix);
    this.anomaly = context.getStateStore(ANOMALY + suffix);
    this.cache = context.getStateStore(CACHE + suffix);
    this.breakdowns = new Breakdowns(context.getStateStore(BREAKDOWN + suffix));
    context.schedule(Duration.ofDays(1), PunctuationType.STREAM_TIME, this::purge);
  }

  @Override
  public void process(Record<String, SpendUpdate> record) {
    SpendUpdate u = record.value();
    if (u == null) {
      return;
    }
    String before = seen.get(u.counter());
    // version:cost:prompt tokens:cache-read tokens:start (entries written before the token counts
    // were kept are version:cost:start; their tokens count as 0)
    String[] last = before == null ? new String[] {"0", "0"} : before.split(":");
    long seenVersion = Long.parseLong(last[0]);
    long seenCost = Long.parseLong(last[1]);
    long seenPrompt = last.length == 5 ? Long.parseLong(last[2]) : 0;
    long seenRead = last.length == 5 ? Long.parseLong(last[3]) : 0;
    if (u.version() <= seenVersion) {
      return; // a replay or an older total: already counted
    }
    seen.put(u.counter(), u.version() + ":" + u.costNanos() + ":" + u.promptTokens() + ":" + u.cacheReadTokens() + ":"
        + u.start().toEpochMilli());
    long delta = u.costNanos() - seenCost;
    if (delta < 0) { // a newer version with less spend: the total was reset upstream; count from here
      LOG.warn("running total {} went down from {} to {} nano-USD at version {}; not subtracted", u.counter(), seenCost,
          u.costNanos(), u.version());
    }
    long promptDelta = Math.max(0, u.promptTokens() - seenPrompt);
    long readDelta = Math.max(0, u.cacheReadTokens() - seenRead);
    if (delta <= 0 && promptDelta == 0) {
      return;
    }
    long spendDelta = Math.max(0, delta);
    EnumSet<Period> periods = EnumSet.noneOf(Period.class);
    thresholds.stream().filter(r -> applies(r.period(), u) && r.matches(u.scopeId())).forEach(r -> periods.add(r.period()));
    anomalies.stream().filter(r -> applies(r.period(), u) && r.matches(u.scopeId())).forEach(r -> periods.add(r.period()));
    cacheBreaks.stream().filter(r -> applies(r.window(), u) && r.matches(u.scopeId())).forEach(r -> periods.add(r.window()));
    if (spendDelta > 0) {
      periods.forEach(p -> breakdowns.add(p, u, spendDelta));
    }
    cacheBreaks(u, spendDelta, promptDelta, readDelta, record.timestamp());
    if (delta <= 0) {
      return; // tokens without spend (a model without a price): nothing for the spend rules
    }
    for (ThresholdRule rule : thresholds) {
      if (applies(rule.period(), u) && rule.matches(u.scopeId())) {
        Instant periodStart = rule.period().start(u.start());
        String key = rule.id() + "|" + u.scopeId() + "|" + periodStart.toEpochMilli();
        long was = spend.get(key) == null ? 0 : Long.parseLong(spend.get(key));
        spend.put(key, Long.toString(was + delta));
        emit(rule.evaluate(u.scopeId(), periodStart, was, was + delta), rule.scope().name(), rule.period(),
            rule.channels(), u, record.timestamp());
      }
    }
    for (AnomalyRule rule : anomalies) {
      if (applies(rule.period(), u) && rule.matches(u.scopeId())) {
        String key = rule.id() + "|" + u.scopeId();
        AnomalyState.Step step = AnomalyState.decode(anomaly.get(key)).add(rule, u.scopeId(), u.start(), delta, u.updatedAt());
        anomaly.put(key, step.state().encode());
        emit(step.alerts(), rule.scope().name(), rule.period(), rule.channels(), u, record.timestamp());
      }
    }
  }

  private void cacheBreaks(SpendUpdate u, long spendDelta, long promptDelta, long readDelta, long timestamp) {
    for (CacheBreakRule rule : cacheBreaks) {
      if (applies(rule.window(), u) && rule.matches(u.scopeId())) {
        String key = rule.id() + "|" + u.scopeId();
        CacheBreakState.Step step = CacheBreakState.decode(cache.get(key))
            .add(rule, u.scopeId(), u.start(), spendDelta, promptDelta, readDelta, u.updatedAt());
        cache.put(key, step.state().encode());
        for (CacheBreakState.Decision d : step.alerts()) {
          emit(List.of(d.alert()), d.facts(), rule.scope().name(), rule.window(), rule.channels(), u, timestamp);
        }
      }
    }
  }

  /** Minute and hour rules read their windows; day and month rules read day windows (a month sums its days). */
  private static boolean applies(Period period, SpendUpdate u) {
    return period == Period.MONTH ? u.size() == Period.DAY : period == u.size();
  }

  private void emit(List<AlertDecision> decisions, String scope, Period period, List<String> channels, SpendUpdate u,
                    long timestamp) {
    emit(decisions, Map.of(), scope, period, channels, u, timestamp);
  }

  private void emit(List<AlertDecision> decisions, Map<String, String> facts, String scope, Period period,
                    List<String> channels, SpendUpdate u, long timestamp) {
    for (AlertDecision d : decisions) {
      if (stale(period, d.periodStart())) {
        // Counted, but nobody needs to hear today that a period long over was expensive: this is
        // a first deployment or a new rule reading history, or a replay after lost offsets.
        LOG.info("not raising {} for {} {} of {}: that period ended more than {} ago", d.ruleId(), scope, d.scopeId(),
            d.periodStart(), STALE_AFTER);
        continue;
      }
      if (fired.putIfAbsent(d.alertId(), Long.toString(u.updatedAt().toEpochMilli())) == null) {
        Map<String, String> details = new LinkedHashMap<>(breakdowns.details(period, d.scopeId(), d.periodStart()));
        details.putAll(facts);
        context.forward(new Record<>(d.alertId(), Alerts.of(d, scope, period, channels, details, u.updatedAt()), timestamp));
      }
    }
  }

  private boolean stale(Period period, Instant periodStart) {
    return period.next(periodStart).plus(STALE_AFTER).toEpochMilli() < context.currentSystemTimeMs();
  }

  /** Drops counters, period sums, fired ids and breakdowns older than {@link #RETENTION} in stream time. */
  private void purge(long streamTime) {
    long cutoff = streamTime - RETENTION.toMillis();
    purge(seen, (k, v) -> Long.parseLong(v.substring(v.lastIndexOf(':') + 1)) < cutoff);
    purge(spend, (k, v) -> Long.parseLong(k.substring(k.lastIndexOf('|') + 1)) < cutoff - Duration.ofDays(31).toMillis());
    purge(fired, (k, v) -> Long.parseLong(v) < cutoff - Duration.ofDays(31).toMillis());
    breakdowns.purge(cutoff - Duration.ofDays(31).toMillis());
  }

  static void purge(KeyValueStore<String, String> store, java.util.function.BiPredicate<String, String> old) {
    List<String> doomed = new java.util.ArrayList<>();
    try (KeyValueIterator<String, String> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, String> e = it.next();
        if (old.test(e.key, e.value)) {
          doomed.add(e.key);
        }
      }
    }
    doomed.forEach(store::delete);
  }
}
