package io.tollgate.aggregator.topology;

import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * How one usage event adds into the running totals. Pure functions: the topology calls them, the
 * tests check them. Money stays integer nano-USD; {@code version} grows by one per event, so the
 * newest total of a window always has the highest version.
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
    return e.getTs().atZone(ZoneOffset.UTC).toLocalDate();
  }

  static SpendWindow emptyWindow() {
    return SpendWindow.newBuilder().setWindowSize("").setWindowStart(Instant.EPOCH).setWindowEnd(Instant.EPOCH)
        .setCustomerId("").setModel("").setTool("").setVersion(0).setUpdatedAt(Instant.EPOCH).build();
  }

  /** Adds {@code e} to the totals of the (customer, model, tool) group named by {@code groupKey}. */
  static SpendWindow add(String groupKey, UsageEvent e, SpendWindow w) {
    String[] parts = SpendKeys.split(groupKey, 3);
    boolean failed = e.getStatusCode() >= 400 && !e.getAborted();
    return SpendWindow.newBuilder(w)
        .setCustomerId(parts[0]).setModel(parts[1]).setTool(parts[2])
        .setRequests(w.getRequests() + 1)
        .setErrors(w.getErrors() + (failed ? 1 : 0))
        .setAborted(w.getAborted() + (e.getAborted() ? 1 : 0))
        .setInputTokens(w.getInputTokens() + e.getInputTokens())
        .setOutputTokens(w.getOutputTokens() + e.getOutputTokens())
        .setCacheReadTokens(w.getCacheReadTokens() + e.getCacheReadTokens())
        .setCacheWrite5mTokens(w.getCacheWrite5mTokens() + e.getCacheWrite5mTokens())
        .setCacheWrite1hTokens(w.getCacheWrite1hTokens() + e.getCacheWrite1hTokens())
        .setReasoningTokens(w.getReasoningTokens() + e.getReasoningTokens())
        .setCostNanos(Math.addExact(w.getCostNanos(), e.getCostNanos()))
        .setUnknownPriceRequests(w.getUnknownPriceRequests() + (e.getPriceKnown() ? 0 : 1))
        .setVersion(w.getVersion() + 1)
        .setUpdatedAt(e.getTs().isAfter(w.getUpdatedAt()) ? e.getTs() : w.getUpdatedAt())
        .build();
  }

  static SpendTotal emptyTotal() {
    return SpendTotal.newBuilder().setScope("").setScopeId("").setDay(LocalDate.EPOCH).setVersion(0)
        .setUpdatedAt(Instant.EPOCH).build();
  }

  /** Adds {@code e} to the day total named by {@code totalKey} (scope, id, day). */
  static SpendTotal add(String totalKey, UsageEvent e, SpendTotal t) {
    String[] parts = SpendKeys.split(totalKey, 3);
    return SpendTotal.newBuilder(t)
        .setScope(parts[0]).setScopeId(parts[1]).setDay(LocalDate.parse(parts[2]))
        .setRequests(t.getRequests() + 1)
        .setInputTokens(t.getInputTokens() + e.getInputTokens() + e.getCacheReadTokens()
            + e.getCacheWrite5mTokens() + e.getCacheWrite1hTokens())
        .setOutputTokens(t.getOutputTokens() + e.getOutputTokens())
        .setCostNanos(Math.addExact(t.getCostNanos(), e.getCostNanos()))
        .setVersion(t.getVersion() + 1)
        .setUpdatedAt(e.getTs().isAfter(t.getUpdatedAt()) ? e.getTs() : t.getUpdatedAt())
        .build();
  }
}
