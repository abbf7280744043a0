package io.tollgate.reconciler.provider;

import java.time.LocalDate;
import java.util.Map;
import java.util.Set;

/**
 * What one provider reported for a range of UTC days, within the configured scope.
 *
 * @param provider     {@code anthropic} | {@code openai} (as in {@code usage_events.provider})
 * @param models       billed tokens and cost per model and day
 * @param modelSource  where {@code models}' cost comes from ({@code usage_priced}: the usage
 *                     report's tokens priced with Tollgate's table; {@code line_items}: the cost report)
 * @param totals       the provider's billed total per day, from its cost report; empty when the
 *                     scope cannot be applied to the cost report (the totals are then not compared)
 * @param reportedDays days for which the provider reported anything: a day not in here is lag
 */
public record ProviderReport(String provider, Map<ModelDay, Tokens> models, String modelSource,
                             Map<LocalDate, Long> totals, Set<LocalDate> reportedDays) {
  public ProviderReport {
    models = Map.copyOf(models);
    totals = Map.copyOf(totals);
    reportedDays = Set.copyOf(reportedDays);
  }

  /** A model on a UTC day. */
  public record ModelDay(String model, LocalDate day) {
  }
}
