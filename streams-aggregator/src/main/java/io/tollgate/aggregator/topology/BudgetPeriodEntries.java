package io.tollgate.aggregator.topology;

import io.tollgate.schemas.BudgetPeriodRef;
import io.tollgate.schemas.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.streams.KeyValue;

/**
 * Which budget-period totals a usage event adds to: its {@code budget_periods} entries, checked.
 * The gateway lists them, but the usage topic is shared input, so nothing in it may make the
 * aggregator keep unbounded state: at most {@link #MAX_ENTRIES} per event, ids of at most
 * {@link #MAX_ID_LENGTH} characters, durations of the gateway's normalised form, and the event must
 * lie in its period (give or take {@link #TOLERANCE}) so that every period it creates ends soon
 * after the event's own time and is purged (see {@link BudgetPeriodTotals}). Entries that fail are
 * skipped and counted by reason; the rest of the event still counts. Pure.
 */
public final class BudgetPeriodEntries {
  public static final int MAX_ENTRIES = 8;
  /** As ingress caps names. */
  public static final int MAX_ID_LENGTH = 256;
  /** The gateway picks the period when it reserves, a moment after the event's ts. */
  public static final Duration TOLERANCE = Duration.ofMinutes(5);
  /** Lifetime totals: empty duration, period start at the epoch; they never end. */
  public static final long NEVER = Long.MAX_VALUE;
  static final Set<String> SCOPES = Set.of("key", "team", "customer");
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,4})(s|m|h|d|w|mo)");

  /** Reasons an entry is skipped, as metric labels. */
  public static final String TOO_MANY = "too_many";
  public static final String BAD_SCOPE = "scope";
  public static final String BAD_SCOPE_ID = "scope_id";
  public static final String BAD_DURATION = "duration";
  public static final String BAD_PERIOD_START = "period_start";
  public static final String REPEATED = "repeated";

  private BudgetPeriodEntries() {
  }

  /** The valid entries of {@code e}, keyed by period; {@code metrics} hears of every skipped one. */
  static List<KeyValue<String, PeriodDelta>> of(UsageEvent e, TopologyMetrics metrics) {
    List<BudgetPeriodRef> refs = e.getBudgetPeriods();
    if (refs == null || refs.isEmpty()) {
      return List.of();
    }
    long ts = e.getTs().toEpochMilli();
    PeriodDelta delta = new PeriodDelta(1, saturatedSum(saturatedSum(e.getInputTokens(), e.getCacheReadTokens()),
        saturatedSum(e.getCacheWrite5mTokens(), e.getCacheWrite1hTokens())), e.getOutputTokens(), e.getCostNanos(), ts,
        gateway(e.getGatewayId()), e.getCacheReadTokens(),
        saturatedSum(e.getCacheWrite5mTokens(), e.getCacheWrite1hTokens()));
    List<KeyValue<String, PeriodDelta>> out = new ArrayList<>(Math.min(refs.size(), MAX_ENTRIES));
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < refs.size(); i++) {
      if (i >= MAX_ENTRIES) {
        metrics.budgetPeriodSkipped(TOO_MANY, refs.size() - MAX_ENTRIES);
        break;
      }
      BudgetPeriodRef ref = refs.get(i);
      String problem = problem(ref, ts);
      if (problem == null) {
        String key = key(ref.getScope(), ref.getScopeId(), ref.getDuration(), ref.getPeriodStart().toEpochMilli());
        problem = keys.add(key) ? null : REPEATED; // the same period twice would count the call twice
        if (problem == null) {
          out.add(KeyValue.pair(key, delta));
        }
      }
      if (problem != null) {
        metrics.budgetPeriodSkipped(problem, 1);
      }
    }
    return out;
  }

  /** The topic key: {@code scope|scope_id|duration|period_start_millis}, parts length-prefixed as every key here. */
  public static String key(String scope, String scopeId, String duration, long periodStartMillis) {
    return SpendKeys.group(scope, scopeId, duration, Long.toString(periodStartMillis));
  }

  /** Why an entry is refused, or null when it is fine. */
  static String problem(BudgetPeriodRef ref, long eventMillis) {
    if (ref.getScope() == null || !SCOPES.contains(ref.getScope())) {
      return BAD_SCOPE;
    }
    if (ref.getScopeId() == null || ref.getScopeId().isEmpty() || ref.getScopeId().length() > MAX_ID_LENGTH) {
      return BAD_SCOPE_ID;
    }
    String duration = ref.getDuration();
    if (duration == null) {
      return BAD_DURATION;
    }
    if (!duration.isEmpty()) {
      Matcher m = DURATION.matcher(duration);
      if (!m.matches() || Integer.parseInt(m.group(1)) == 0) {
        return BAD_DURATION;
      }
    }
    long start = ref.getPeriodStart() == null ? -1 : ref.getPeriodStart().toEpochMilli();
    if (duration.isEmpty()) {
      return start == 0 ? null : BAD_PERIOD_START;
    }
    long tolerance = TOLERANCE.toMillis();
    if (start < 0 || start > saturatedSum(eventMillis, tolerance)
        || saturatedSum(end(duration, start), tolerance) <= eventMillis) {
      return BAD_PERIOD_START;
    }
    return null;
  }

  /**
   * The end of a period (exclusive): start + N units, months by the UTC calendar; {@link #NEVER}
   * for lifetime ({@code ""}). Saturates instead of overflowing.
   *
   * @throws IllegalArgumentException for a duration not of the accepted form
   */
  public static long end(String duration, long startMillis) {
    if (duration.isEmpty()) {
      return NEVER;
    }
    Matcher m = DURATION.matcher(duration);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a budget duration: '" + duration + "'");
    }
    long n = Long.parseLong(m.group(1));
    long unitMillis = switch (m.group(2)) {
      case "s" -> 1_000L;
      case "m" -> 60_000L;
      case "h" -> 3_600_000L;
      case "d" -> 86_400_000L;
      case "w" -> 7 * 86_400_000L;
      default -> 0; // months: by the calendar
    };
    if (unitMillis > 0) {
      return saturatedSum(startMillis, n * unitMillis);
    }
    try {
      return Instant.ofEpochMilli(startMillis).atZone(ZoneOffset.UTC).plusMonths(n).toInstant().toEpochMilli();
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return NEVER;
    }
  }

  /** Gateway ids come from gateway configs; one too long to keep is counted under "other". */
  static String gateway(String gatewayId) {
    return gatewayId == null || gatewayId.length() > MAX_ID_LENGTH ? PeriodTotals.OTHER : gatewayId;
  }

  static long saturatedSum(long a, long b) {
    long r = a + b;
    // Overflow only if both have the same sign and the result has the other one.
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }
}
