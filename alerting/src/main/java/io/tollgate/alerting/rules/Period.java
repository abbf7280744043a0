package io.tollgate.alerting.rules;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * The spend period a rule looks at, in UTC. A month is the sum of its day windows. {@code MINUTE}
 * (the 1-minute windows) is for cache-break rules only: short demos and tests.
 */
public enum Period {
  MINUTE, HOUR, DAY, MONTH;

  /** Start of the period that contains {@code t}. */
  public Instant start(Instant t) {
    ZonedDateTime z = t.atZone(ZoneOffset.UTC);
    return switch (this) {
      case MINUTE -> z.truncatedTo(ChronoUnit.MINUTES).toInstant();
      case HOUR -> z.truncatedTo(ChronoUnit.HOURS).toInstant();
      case DAY -> z.truncatedTo(ChronoUnit.DAYS).toInstant();
      case MONTH -> z.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant();
    };
  }

  /** Start of the following period. */
  public Instant next(Instant start) {
    ZonedDateTime z = start.atZone(ZoneOffset.UTC);
    return switch (this) {
      case MINUTE -> z.plusMinutes(1).toInstant();
      case HOUR -> z.plusHours(1).toInstant();
      case DAY -> z.plusDays(1).toInstant();
      case MONTH -> z.plusMonths(1).toInstant();
    };
  }
}
