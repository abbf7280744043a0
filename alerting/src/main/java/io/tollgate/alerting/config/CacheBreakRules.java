package io.tollgate.alerting.config;

import io.tollgate.alerting.rules.CacheBreakRule;
import io.tollgate.alerting.rules.Period;
import io.tollgate.alerting.rules.Scope;
import io.tollgate.schemas.config.AlertsSection;
import io.tollgate.schemas.config.Problems;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code tollgate.alerts.cache_breaks}: cache-break rules, checked with the same id, scope,
 * channel and email rules as the other kinds (problems go to the loader's list, reported at once).
 *
 * <pre>
 * cache_breaks:
 *   - {id: cache-break, scope: customer, match: "*", window: hour, baseline_periods: 24, min_baseline_periods: 6,
 *      drop: 0.5, min_spend_ratio: 0.5, min_spend_usd: 1, min_prompt_tokens: 100000, min_baseline_share: 0.2,
 *      cooldown: 24h, channels: [slack]}
 * </pre>
 */
final class CacheBreakRules {
  static final double DEFAULT_DROP = 0.5;
  static final double DEFAULT_MIN_SPEND_RATIO = 0.5;
  static final String DEFAULT_MIN_SPEND_USD = "1";
  static final long DEFAULT_MIN_PROMPT_TOKENS = 100_000;
  static final double DEFAULT_MIN_BASELINE_SHARE = 0.2;
  static final String DEFAULT_COOLDOWN = "24h";

  private final AlertingConfigLoader loader;
  private final Problems problems;

  CacheBreakRules(AlertingConfigLoader loader) {
    this.loader = loader;
    this.problems = loader.problems;
  }

  List<CacheBreakRule> build(List<AlertsSection.CacheBreak> rules, String path, Set<String> ids, Set<String> configured,
                             Map<String, List<String>> emailTo) {
    List<CacheBreakRule> out = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      AlertsSection.CacheBreak r = rules.get(i);
      String where = path + ".cache_breaks[" + i + "]";
      // the period of the shared checks is not used here (cache-break rules have a window, checked below)
      AlertingConfigLoader.Common c = loader.common(where, r.id(), r.scope(), r.match(), "day", r.channels(), r.emailTo(),
          ids, configured);
      Period window = window(r.window(), c.scope(), where + ".window");
      int baseline = r.baselinePeriods() == null ? CacheBreakRule.defaultBaselinePeriods(window) : r.baselinePeriods();
      if (baseline < 1 || baseline > CacheBreakRule.MAX_BASELINE_PERIODS) {
        problems.error(where + ".baseline_periods", "must be 1-" + CacheBreakRule.MAX_BASELINE_PERIODS);
      }
      int minBaseline = r.minBaselinePeriods() == null ? CacheBreakRule.defaultMinBaselinePeriods(Math.max(1, baseline))
          : r.minBaselinePeriods();
      if (minBaseline < 1 || minBaseline > Math.max(1, baseline)) {
        problems.error(where + ".min_baseline_periods", "must be 1 to baseline_periods (" + baseline + ")");
      }
      double drop = r.drop() == null ? DEFAULT_DROP : r.drop();
      if (!(drop > 0 && drop < 1)) {
        problems.error(where + ".drop", "must be a fraction between 0 and 1 (0.5 = the share fell below half its baseline)");
      }
      double ratio = r.minSpendRatio() == null ? DEFAULT_MIN_SPEND_RATIO : r.minSpendRatio();
      if (!(ratio >= 0 && ratio <= 100)) {
        problems.error(where + ".min_spend_ratio", "must be 0-100 (a multiple of the baseline's spend per period)");
      }
      double share = r.minBaselineShare() == null ? DEFAULT_MIN_BASELINE_SHARE : r.minBaselineShare();
      if (!(share >= 0 && share < 1)) {
        problems.error(where + ".min_baseline_share", "must be a fraction from 0 up to (not including) 1");
      }
      long tokens = r.minPromptTokens() == null ? DEFAULT_MIN_PROMPT_TOKENS : r.minPromptTokens();
      if (tokens < 0) {
        problems.error(where + ".min_prompt_tokens", "must be zero or more");
      }
      long minSpend = loader.usd(r.minSpendUsd() == null ? new java.math.BigDecimal(DEFAULT_MIN_SPEND_USD) : r.minSpendUsd(),
          where + ".min_spend_usd", false, false);
      Duration cooldown = loader.duration(r.cooldown() == null ? DEFAULT_COOLDOWN : r.cooldown(), where + ".cooldown");
      if (problems.hasErrorsUnder(where) || window == null || c.scope() == null || cooldown == null) {
        continue;
      }
      try {
        out.add(new CacheBreakRule(c.id(), c.scope(), c.match(), window, baseline, minBaseline, drop, ratio, minSpend,
            tokens, share, cooldown, c.channels()));
        if (!c.emailTo().isEmpty()) {
          emailTo.put(c.id(), c.emailTo());
        }
      } catch (IllegalArgumentException e) { // what the checks above missed: still one message, not a crash
        problems.error(where + ":", e.getMessage().replaceFirst("^rule \\S+: ", ""));
      }
    }
    return out;
  }

  /** minute | hour | day (1m, 1h, 1d too); absent: hour, or day for the key and tag scopes (day totals). */
  private Period window(String text, Scope scope, String where) {
    boolean daily = scope != null && scope.fromTotals();
    if (text == null) {
      return daily ? Period.DAY : Period.HOUR;
    }
    Period window = switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "minute", "1m" -> Period.MINUTE;
      case "hour", "1h" -> Period.HOUR;
      case "day", "1d" -> Period.DAY;
      default -> null;
    };
    if (window == null) {
      problems.error(where, "must be minute, hour or day, got '" + text + "'");
    } else if (daily && window != Period.DAY) {
      problems.error(where, scope.name().toLowerCase(Locale.ROOT)
          + " rules work on day windows (spend per key and per tag is totalled per day)");
      return null;
    }
    return window;
  }
}
