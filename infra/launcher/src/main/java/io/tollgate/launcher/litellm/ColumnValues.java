package io.tollgate.launcher.litellm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * LiteLLM's column values as Tollgate records take them (amounts in nano-USD, limits, labels,
 * model lists, spend carried into a budget period); whatever is changed on the way is noted.
 */
final class ColumnValues {
  static final int MAX_LABEL = 256;
  static final int MAX_MODELS = 1000;
  /** LiteLLM's "every model" markers; Tollgate says that with an empty list. */
  private static final Set<String> ALL_MODELS = Set.of("all-proxy-models", "*");
  private static final String ALL_TEAM_MODELS = "all-team-models";

  private final Instant now;
  private final List<String> notes;

  /** {@code notes} is the mapping's own list: the notes stay in the order the rows are mapped. */
  ColumnValues(Instant now, List<String> notes) {
    this.now = now;
    this.notes = notes;
  }

  /** Spend so far and the budget period it belongs to. */
  record Carried(long nanos, Instant periodStart) {
    static final Carried NONE = new Carried(0, null);
  }

  /**
   * LiteLLM's {@code spend} is what the scope spent since its last reset. Without a budget_duration
   * that is lifetime spend (period start = epoch, as Tollgate's lifetime periods). With one, it is
   * the spend of the period that runs until {@code budget_reset_at}: carried into the period
   * {@code now} falls in, unless that reset time has passed — then LiteLLM's period is over and its
   * next reset run would zero the spend, so nothing is carried.
   */
  Carried carried(Double spend, String durationText, Instant resetAt, String label) {
    if (spend == null || spend == 0) {
      return Carried.NONE;
    }
    if (spend.isNaN() || spend < 0) {
      notes.add(label + ": spend " + spend + " is not a non-negative amount; carried as 0");
      return Carried.NONE;
    }
    long nanos = Usd.nanos(spend);
    BudgetPeriods.Duration d = BudgetPeriods.parse(durationText);
    if (d == null) {
      return new Carried(nanos, Instant.EPOCH);
    }
    if (resetAt != null && !resetAt.isAfter(now)) {
      notes.add(label + ": spend " + Usd.format(nanos) + " belongs to a budget period that ended at " + resetAt
          + "; not carried (LiteLLM resets it on its next run)");
      return Carried.NONE;
    }
    return new Carried(nanos, BudgetPeriods.periodStart(d, now));
  }

  Long amount(Double usd, String label, String column) {
    if (usd == null) {
      return null;
    }
    if (usd.isNaN()) {
      notes.add(label + ": " + column + " is NaN; imported as no limit (LiteLLM never trips it either)");
      return null;
    }
    if (usd < 0) {
      notes.add(label + ": " + column + " " + usd + " is negative; imported as 0 (LiteLLM refuses every call too)");
      return 0L;
    }
    return Usd.nanos(usd);
  }

  Long limit(Long value, String label, String column) {
    if (value != null && value < 0) {
      notes.add(label + ": " + column + " " + value + " is negative; imported as 0");
      return 0L;
    }
    return value;
  }

  Integer parallel(Integer value, String label) {
    if (value != null && value < 0) {
      notes.add(label + ": max_parallel_requests " + value + " is negative; imported as 0");
      return 0;
    }
    return value;
  }

  String label(String value, String label, String column) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    if (value.length() > MAX_LABEL) {
      notes.add(label + ": " + column + " cut to " + MAX_LABEL + " characters");
      return value.substring(0, MAX_LABEL);
    }
    return value;
  }

  /**
   * LiteLLM's {@code models}: empty or {@code all-proxy-models} = every model (Tollgate: empty).
   * On a key, {@code all-team-models} means the team's models, which the key's team record
   * enforces, so the key itself lists none.
   */
  List<String> models(List<String> models, String label, boolean key) {
    List<String> out = new ArrayList<>();
    for (String m : models) {
      String model = m == null ? "" : m.strip();
      if (model.isEmpty()) {
        continue;
      }
      if (ALL_MODELS.contains(model) || key && model.equals(ALL_TEAM_MODELS)) {
        return List.of();
      }
      if (model.length() > MAX_LABEL) {
        notes.add(label + ": a model name longer than " + MAX_LABEL + " characters left out");
      } else if (out.size() >= MAX_MODELS) {
        notes.add(label + ": models beyond " + MAX_MODELS + " left out");
        break;
      } else if (!out.contains(model)) {
        out.add(model);
      }
    }
    return out;
  }
}
