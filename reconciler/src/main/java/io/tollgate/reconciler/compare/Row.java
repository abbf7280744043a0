package io.tollgate.reconciler.compare;

import io.tollgate.reconciler.provider.Tokens;
import java.time.LocalDate;

/**
 * One provider × model × day of the comparison, as written to {@code provider_usage}.
 *
 * @param model        the model, or {@link Comparison#TOTAL} for the provider's day total
 * @param billedSource where {@code billed}'s cost comes from: {@code usage_priced}, {@code line_items},
 *                     {@code cost_report}
 * @param driftNanos   metered minus billed cost: positive = Tollgate over-meters (a price table
 *                     error), negative = under-meters (calls not billed to customers)
 * @param drift        whether the difference exceeds the configured thresholds on a settled day
 */
public record Row(String provider, String model, LocalDate day, Status status, String billedSource, Tokens billed,
                  Tokens metered, long driftNanos, boolean drift) {

  public enum Status {
    /** Compared; may alert. */
    SETTLED,
    /** The day ended less than the settle delay ago: shown, never alerted. */
    UNSETTLED,
    /** The provider reported nothing for the day (yet): lag, not drift. */
    MISSING;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
