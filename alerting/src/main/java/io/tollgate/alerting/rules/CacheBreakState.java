package io.tollgate.alerting.rules;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one cache-break rule remembers about one scope id: the open period's spend and prompt
 * tokens, the previous {@code baseline_periods} periods, and whether a break was reported. Pure
 * and immutable; the topology keeps it in a state store ({@link #encode()}), so it is the same
 * after a restart, a rebalance or a replay.
 *
 * <ul>
 *   <li>Every update adds to the open period and tests it ({@link CacheBreakDetector}): a break is
 *       caught while its period is still open, as soon as the period holds enough tokens and spend
 *       (the spend condition is also what keeps the first calls of a period from deciding alone).</li>
 *   <li>When a later period arrives the open one joins the baseline; periods without traffic in
 *       between join as empty ones, so the baseline spans exactly {@code baseline_periods} periods.</li>
 *   <li>Updates of a period older than the open one are ignored here (it is in the baseline already).</li>
 *   <li>Once per break: after an alert the scope is "broken" and stays silent until a completed
 *       period's share has recovered to within half the drop of the share before the break (then
 *       it re-arms), or until the cooldown has passed with the scope still broken (a reminder).</li>
 * </ul>
 *
 * @param periodStartMs start of the open period, or {@link Long#MIN_VALUE} before any traffic
 * @param open          the open period so far
 * @param history       completed periods, oldest first, at most {@code baseline_periods}
 * @param broken        a break was reported and the share has not recovered yet
 * @param shareBefore   the baseline share when the break was reported (what recovery is judged against)
 * @param lastAlertMs   event time of the last alert, or {@link Long#MIN_VALUE}
 */
public record CacheBreakState(long periodStartMs, Tokens open, List<Tokens> history, boolean broken,
                              double shareBefore, long lastAlertMs) {
  public static final CacheBreakState NEW = new CacheBreakState(Long.MIN_VALUE, Tokens.ZERO, List.of(), false, 0,
      Long.MIN_VALUE);

  public CacheBreakState {
    history = List.copyOf(history);
  }

  /** Spend and prompt tokens of one period. */
  public record Tokens(long spendNanos, long promptTokens, long cacheReadTokens) {
    public static final Tokens ZERO = new Tokens(0, 0, 0);

    Tokens plus(long spend, long prompt, long read) {
      return new Tokens(saturatedAdd(spendNanos, spend), saturatedAdd(promptTokens, prompt),
          saturatedAdd(cacheReadTokens, read));
    }

    static long saturatedAdd(long a, long b) {
      long r = a + b;
      return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    /** Cache-read share of the prompt tokens (0 without any). */
    public double share() {
      return promptTokens == 0 ? 0 : (double) cacheReadTokens / promptTokens;
    }
  }

  /** The state after an update and the alerts it raised (none or one). */
  public record Step(CacheBreakState state, List<Decision> alerts) {
  }

  /** An alert, with the facts for its details (shares, tokens, the money at stake). */
  public record Decision(AlertDecision alert, Map<String, String> facts) {
  }

  /**
   * Adds spend and prompt tokens (all ≥ 0) of the period containing {@code windowStart}, observed at
   * event time {@code now}.
   */
  public Step add(CacheBreakRule rule, String scopeId, Instant windowStart, long spendNanos, long promptTokens,
                  long cacheReadTokens, Instant now) {
    long start = rule.window().start(windowStart).toEpochMilli();
    if (periodStartMs != Long.MIN_VALUE && start < periodStartMs) {
      return new Step(this, List.of());
    }
    CacheBreakState s = this;
    if (periodStartMs == Long.MIN_VALUE) {
      s = new CacheBreakState(start, Tokens.ZERO, history, broken, shareBefore, lastAlertMs);
    } else if (start > periodStartMs) {
      s = closeUntil(rule, start);
    }
    s = new CacheBreakState(s.periodStartMs, s.open.plus(spendNanos, promptTokens, cacheReadTokens), s.history, s.broken,
        s.shareBefore, s.lastAlertMs);
    boolean mayAlert = !s.broken || s.lastAlertMs == Long.MIN_VALUE
        || !now.isBefore(Instant.ofEpochMilli(s.lastAlertMs).plus(rule.cooldown()));
    if (!mayAlert) {
      return new Step(s, List.of());
    }
    var decision = CacheBreakDetector.test(rule, scopeId, Instant.ofEpochMilli(s.periodStartMs), s.open, s.history);
    if (decision.isEmpty()) {
      return new Step(s, List.of());
    }
    double before = CacheBreakDetector.sum(s.history).share();
    return new Step(new CacheBreakState(s.periodStartMs, s.open, s.history, true, before, now.toEpochMilli()),
        List.of(decision.get()));
  }

  /** Completes the open period (and empty ones up to {@code nextStart}) into the history. */
  private CacheBreakState closeUntil(CacheBreakRule rule, long nextStart) {
    List<Tokens> h = new ArrayList<>(history);
    h.add(open);
    Instant empty = rule.window().next(Instant.ofEpochMilli(periodStartMs));
    for (int i = 0; i < rule.baselinePeriods() && empty.toEpochMilli() < nextStart; i++, empty = rule.window().next(empty)) {
      h.add(Tokens.ZERO);
    }
    while (h.size() > rule.baselinePeriods()) {
      h.remove(0);
    }
    boolean recovered = broken && open.promptTokens() >= Math.max(1, rule.minPromptTokens())
        && open.share() >= shareBefore * (1 - rule.drop() / 2);
    return new CacheBreakState(nextStart, Tokens.ZERO, h, broken && !recovered, recovered ? 0 : shareBefore, lastAlertMs);
  }

  /** A compact text form for a state store; doubles in their exact round-trip form. */
  public String encode() {
    StringBuilder periods = new StringBuilder();
    for (Tokens t : history) {
      periods.append(periods.isEmpty() ? "" : ";").append(t.spendNanos).append(',').append(t.promptTokens).append(',')
          .append(t.cacheReadTokens);
    }
    return String.join("|", "v1", Long.toString(periodStartMs), Long.toString(open.spendNanos),
        Long.toString(open.promptTokens), Long.toString(open.cacheReadTokens), Boolean.toString(broken),
        Double.toString(shareBefore), Long.toString(lastAlertMs), periods);
  }

  /** The inverse of {@link #encode()}; null gives {@link #NEW}. */
  public static CacheBreakState decode(String text) {
    if (text == null) {
      return NEW;
    }
    String[] p = text.split("\\|", -1);
    if (p.length != 9 || !p[0].equals("v1")) {
      throw new IllegalArgumentException("not a cache-break state: " + text);
    }
    List<Tokens> history = new ArrayList<>();
    for (String t : p[8].isEmpty() ? new String[0] : p[8].split(";")) {
      String[] f = t.split(",");
      history.add(new Tokens(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
    }
    return new CacheBreakState(Long.parseLong(p[1]), new Tokens(Long.parseLong(p[2]), Long.parseLong(p[3]),
        Long.parseLong(p[4])), history, Boolean.parseBoolean(p[5]), Double.parseDouble(p[6]), Long.parseLong(p[7]));
  }
}
