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

  /**
   * Adds {@code d} to the totals of the (customer, model, tool) group named by {@code groupKey}. The
   * aggregate is updated in place: Streams hands every call a freshly deserialized one.
   */
  static SpendWindow add(String groupKey, UsageDelta d, SpendWindow w) {
    if (w.getVersion() == 0) {
      String[] parts = SpendKeys.split(groupKey, 3);
      w.setCustomerId(parts[0]);
      w.setModel(parts[1]);
      w.setTool(parts[2]);
    }
    w.setRequests(w.getRequests() + 1);
    w.setErrors(w.getErrors() + (d.failed() ? 1 : 0));
    w.setAborted(w.getAborted() + (d.aborted() ? 1 : 0));
    w.setInputTokens(w.getInputTokens() + d.inputTokens());
    w.setOutputTokens(w.getOutputTokens() + d.outputTokens());
    w.setCacheReadTokens(w.getCacheReadTokens() + d.cacheReadTokens());
    w.setCacheWrite5mTokens(w.getCacheWrite5mTokens() + d.cacheWrite5mTokens());
    w.setCacheWrite1hTokens(w.getCacheWrite1hTokens() + d.cacheWrite1hTokens());
    w.setReasoningTokens(w.getReasoningTokens() + d.reasoningTokens());
    w.setCostNanos(Math.addExact(w.getCostNanos(), d.costNanos()));
    w.setUnknownPriceRequests(w.getUnknownPriceRequests() + (d.priceKnown() ? 0 : 1));
    w.setVersion(w.getVersion() + 1);
    if (d.tsMillis() > w.getUpdatedAt().toEpochMilli()) {
      w.setUpdatedAt(Instant.ofEpochMilli(d.tsMillis()));
    }
    return w;
  }

  static SpendTotal emptyTotal() {
    return SpendTotal.newBuilder().setScope("").setScopeId("").setDay(LocalDate.EPOCH).setVersion(0)
        .setUpdatedAt(Instant.EPOCH).build();
  }

  /** Adds {@code d} to the day total named by {@code totalKey} (scope, id, day), in place. */
  static SpendTotal add(String totalKey, UsageDelta d, SpendTotal t) {
    if (t.getVersion() == 0) {
      String[] parts = SpendKeys.split(totalKey, 3);
      t.setScope(parts[0]);
      t.setScopeId(parts[1]);
      t.setDay(LocalDate.parse(parts[2]));
    }
    t.setRequests(t.getRequests() + 1);
    t.setInputTokens(t.getInputTokens() + d.promptTokens());
    t.setOutputTokens(t.getOutputTokens() + d.outputTokens());
    t.setCostNanos(Math.addExact(t.getCostNanos(), d.costNanos()));
    t.setVersion(t.getVersion() + 1);
    if (d.tsMillis() > t.getUpdatedAt().toEpochMilli()) {
      t.setUpdatedAt(Instant.ofEpochMilli(d.tsMillis()));
    }
    return t;
  }
}
