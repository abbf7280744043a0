package io.tollgate.alerting.rules;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * "Alert when a scope's prompt caching breaks": its cache-read share of prompt tokens ({@code
 * cache_read / (uncached input + cache read + cache write)}) in the recent period falls well below
 * its own share over the previous periods, while its spend stays up. The typical cause is a deploy
 * that put something changing (a timestamp, a request id) into the system prompt: every call then
 * writes the cache instead of reading it, and the bill grows several-fold with nothing else
 * changed. See {@link CacheBreakState} for how it is decided.
 *
 * @param id                 rule id
 * @param scope              what is watched (key and tag: day windows only, they are totalled per day)
 * @param match              one id, or {@code *} for each id separately
 * @param window             the period compared: minute, hour (default) or day
 * @param baselinePeriods    how many previous periods make the baseline (periods without traffic count)
 * @param minBaselinePeriods periods with traffic the baseline needs before anything can fire (cold start)
 * @param drop               relative fall of the share that counts as a break: 0.5 = below half the baseline share
 * @param minSpendRatio      the recent period's spend must be at least this fraction of the baseline's
 *                           mean spend per period with traffic ("spend stays up"): a share that falls
 *                           with the traffic is a quiet period, not a break
 * @param minSpendNanos      the recent period must have spent at least this much (nano-USD): tiny scopes never fire
 * @param minPromptTokens    the recent period, and the baseline as a whole, need at least this many prompt tokens
 * @param minBaselineShare   the baseline share must be at least this: a scope that never cached much cannot break
 * @param cooldown           after an alert, a scope still broken is reminded of at most once per cooldown (event time)
 * @param channels           where to deliver
 */
public record CacheBreakRule(String id, Scope scope, String match, Period window, int baselinePeriods,
                             int minBaselinePeriods, double drop, double minSpendRatio, long minSpendNanos,
                             long minPromptTokens, double minBaselineShare, Duration cooldown, List<String> channels) {
  /** More periods than this would make the state of one scope id large (the list of periods is kept). */
  public static final int MAX_BASELINE_PERIODS = 400;

  public CacheBreakRule {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(cooldown, "cooldown");
    match = match == null || match.isBlank() ? "*" : match;
    channels = List.copyOf(channels);
    if (window == Period.MONTH || scope.fromTotals() && window != Period.DAY) {
      throw new IllegalArgumentException("rule " + id + ": window must be minute, hour or day (key and tag: day)");
    }
    if (baselinePeriods < 1 || baselinePeriods > MAX_BASELINE_PERIODS || minBaselinePeriods < 1
        || minBaselinePeriods > baselinePeriods || !(drop > 0 && drop < 1) || !(minSpendRatio >= 0)
        || minSpendNanos < 0 || minPromptTokens < 0 || !(minBaselineShare >= 0 && minBaselineShare < 1)
        || cooldown.isNegative()) {
      throw new IllegalArgumentException("rule " + id + ": need 1 <= min_baseline_periods <= baseline_periods <= "
          + MAX_BASELINE_PERIODS + ", 0 < drop < 1, min_spend_ratio >= 0, min_baseline_share in [0, 1), "
          + "min_spend_usd and min_prompt_tokens >= 0");
    }
  }

  /** Defaults of the docs for {@code window}: 24 periods (7 for day), a quarter of them needed, drop 0.5. */
  public static CacheBreakRule defaults(String id, Scope scope, Period window, List<String> channels) {
    int n = defaultBaselinePeriods(window);
    return new CacheBreakRule(id, scope, "*", window, n, defaultMinBaselinePeriods(n), 0.5, 0.5, 1_000_000_000L,
        100_000, 0.2, Duration.ofHours(24), channels);
  }

  /** 24 previous periods (a day of hours), 7 for day windows (a week). */
  public static int defaultBaselinePeriods(Period window) {
    return window == Period.DAY ? 7 : 24;
  }

  /** A quarter of the baseline, rounded up. */
  public static int defaultMinBaselinePeriods(int baselinePeriods) {
    return Math.max(1, (baselinePeriods + 3) / 4);
  }

  public boolean matches(String scopeId) {
    return match.equals("*") || match.equals(scopeId);
  }

  /** How many of its windows make a day: the factor from "per period" to "per day". */
  public int periodsPerDay() {
    return switch (window) {
      case MINUTE -> 1440;
      case HOUR -> 24;
      default -> 1;
    };
  }
}
