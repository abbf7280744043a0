package io.tollgate.alerting.rules;

import io.tollgate.alerting.rules.CacheBreakState.Tokens;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The cache-break test, pure. Baseline share = cache-read tokens / prompt tokens summed over the
 * previous periods (token-weighted: a busy hour counts more than a quiet one, and periods without
 * traffic change nothing). The open period breaks when all hold:
 *
 * <ul>
 *   <li>the baseline has at least {@code min_baseline_periods} periods with traffic, at least
 *       {@code min_prompt_tokens} prompt tokens and a share of at least {@code min_baseline_share};</li>
 *   <li>the open period has at least {@code min_prompt_tokens} prompt tokens and {@code min_spend};</li>
 *   <li>its spend is at least {@code min_spend_ratio} × the baseline's mean spend per period with
 *       traffic (spend stays up: when the share falls together with the traffic, it is a quiet
 *       period — a night's empty hours do not lower the bar);</li>
 *   <li>its share is below {@code (1 − drop)} × the baseline share.</li>
 * </ul>
 *
 * <p>The money at stake is measured, not modelled: the scope now pays more per prompt token than in
 * its baseline; that difference, times the baseline's prompt tokens per day, is what it costs per
 * day if the break stays and the traffic stays as usual. No price table is needed, and it holds for
 * any provider's discount for cache reads. It attributes every change of cost per prompt token to
 * the break, so a scope that switched to a dearer model at the same moment shows more.
 */
public final class CacheBreakDetector {
  private CacheBreakDetector() {
  }

  /** A break verdict for the open period starting {@code periodStart}, if any. */
  public static Optional<CacheBreakState.Decision> test(CacheBreakRule rule, String scopeId, Instant periodStart,
                                                        Tokens open, List<Tokens> history) {
    if (!rule.matches(scopeId) || history.isEmpty()) {
      return Optional.empty();
    }
    Tokens base = sum(history);
    long active = history.stream().filter(t -> t.promptTokens() > 0).count();
    if (active < rule.minBaselinePeriods() || base.promptTokens() == 0 || base.promptTokens() < rule.minPromptTokens()
        || base.share() < rule.minBaselineShare() || base.share() == 0) {
      return Optional.empty();
    }
    if (open.promptTokens() == 0 || open.promptTokens() < rule.minPromptTokens() || open.spendNanos() < rule.minSpendNanos()) {
      return Optional.empty();
    }
    double baseSpendPerPeriod = (double) base.spendNanos() / active;
    if (open.spendNanos() < rule.minSpendRatio() * baseSpendPerPeriod) {
      return Optional.empty();
    }
    double share = open.share();
    if (share >= base.share() * (1 - rule.drop())) {
      return Optional.empty();
    }
    long extraPerDay = extraPerDay(rule, open, base, history.size());
    String window = rule.window().name().toLowerCase(Locale.ROOT);
    String reason = String.format(Locale.ROOT, "%s %s: prompt-cache reads fell to %s of input tokens this %s (usual %s)"
            + " while spend stayed up: +$%s/day if it stays broken", rule.scope().name().toLowerCase(Locale.ROOT),
        scopeId, percent(share), window, percent(base.share()), usd(extraPerDay));
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("cache_read_share", percent(share));
    facts.put("baseline_cache_read_share", percent(base.share()));
    facts.put("extra_usd_per_day", usd(extraPerDay));
    facts.put("prompt_tokens", Long.toString(open.promptTokens()));
    facts.put("cache_read_tokens", Long.toString(open.cacheReadTokens()));
    facts.put("baseline", history.size() + " " + window + (history.size() == 1 ? "" : "s") + " (" + active + " with traffic)");
    AlertDecision d = new AlertDecision(AlertIds.of(rule.id(), scopeId, periodStart, "cache_break"), rule.id(),
        "cache_break", "warning", scopeId, periodStart, open.spendNanos(), null, Math.round(baseSpendPerPeriod), null, null,
        reason);
    return Optional.of(new CacheBreakState.Decision(d, facts));
  }

  /**
   * (cost per prompt token now − in the baseline) × the baseline's prompt tokens per day, in
   * nano-USD, at least 0 (saturating: doubles round to at most {@link Long#MAX_VALUE}).
   */
  static long extraPerDay(CacheBreakRule rule, Tokens open, Tokens base, int periods) {
    double nowPerToken = (double) open.spendNanos() / open.promptTokens();
    double basePerToken = (double) base.spendNanos() / base.promptTokens();
    double tokensPerDay = (double) base.promptTokens() / periods * rule.periodsPerDay();
    return Math.max(0, Math.round((nowPerToken - basePerToken) * tokensPerDay));
  }

  /** The periods summed. */
  static Tokens sum(List<Tokens> periods) {
    Tokens sum = Tokens.ZERO;
    for (Tokens t : periods) {
      sum = sum.plus(t.spendNanos(), t.promptTokens(), t.cacheReadTokens());
    }
    return sum;
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, share < 0.1 ? "%.1f%%" : "%.0f%%", share * 100);
  }

  private static String usd(long nanos) {
    return BigDecimal.valueOf(nanos, 9).setScale(2, RoundingMode.HALF_UP).toPlainString();
  }
}
