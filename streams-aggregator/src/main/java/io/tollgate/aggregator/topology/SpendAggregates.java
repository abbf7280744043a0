package io.tollgate.aggregator.topology;

import io.tollgate.schemas.UsageEvent;
import java.time.LocalDate;

/**
 * Which totals a usage event belongs to: its customer, model and UTC day. Pure functions; how it
 * adds up is {@link Totals#add}.
 */
public final class SpendAggregates {
  private SpendAggregates() {
  }

  /** The grouping model of an event: what the client asked for (stable names), else what upstream said. */
  public static String model(UsageEvent e) {
    return e.getModelRequested() != null && !e.getModelRequested().isEmpty() ? e.getModelRequested()
        : e.getModel() == null ? "" : e.getModel();
  }

  public static String customer(UsageEvent e) {
    return e.getCustomerId() == null ? "" : e.getCustomerId();
  }

  public static LocalDate day(UsageEvent e) {
    return LocalDate.ofEpochDay(Math.floorDiv(e.getTs().getEpochSecond(), 86_400L)); // UTC, without a ZonedDateTime per event
  }
}
