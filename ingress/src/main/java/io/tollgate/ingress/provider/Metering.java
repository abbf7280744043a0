package io.tollgate.ingress.provider;

import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.metrics.GatewayMetrics;
import io.tollgate.ingress.pricing.Cost;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.publish.UsagePublisher;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.schemas.UsageEvent;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of a call: price it, count it, publish its one event. Never throws: a call that
 * was answered is always metered, whatever upstream reported. Returns when the event is durable,
 * so that a response completes only once its event is on the gateway's disk.
 */
public final class Metering {
  private static final Logger LOG = LoggerFactory.getLogger(Metering.class);
  /** Metric label for anything that is not a configured model name (bounded label values). */
  static final String OTHER = "other";

  private final PriceTable prices;
  private final GatewayMetrics metrics;
  private final UsagePublisher publisher;

  Metering(PriceTable prices, GatewayMetrics metrics, UsagePublisher publisher) {
    this.prices = Objects.requireNonNull(prices, "prices");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.publisher = Objects.requireNonNull(publisher, "publisher");
  }

  /**
   * The cost of a call. The deployment decides the price, as in LiteLLM: its own price overrides
   * first (keyed by its model name), then its {@code litellm_params.model}, then the model
   * upstream reported; the name the client used only when no deployment was chosen — an alias
   * must never price a call as another model (a "haiku" alias routed to Opus was once billed at
   * Haiku prices).
   */
  Cost cost(Router.Target target, Usage usage, String requested) {
    return prices.costFirstKnown(usage, priceKeys(target, usage.model(), requested));
  }

  private static String[] priceKeys(Router.Target target, String reported, String requested) {
    if (target == null) {
      return new String[] {reported, requested};
    }
    Deployment d = target.deployment();
    // Not the client's name: an alias routed to an unpriced model must be unpriced, not priced as the alias.
    return new String[] {overrideKey(d), d.provider() + "/" + target.upstreamModel(), target.upstreamModel(), reported};
  }

  /**
   * The most a call can cost, for its budget reservation: {@code inputTokens} at input prices plus
   * its output limit at output prices — {@code maxTokens} when the request set one (capped at the
   * model's maximum output), else the model's maximum output from the price table, else
   * {@code defaultMaxOutput} — on the dearest of the deployments it may fail over to. Unpriced
   * models cost 0 here as in their events.
   */
  long maxCostNanos(java.util.List<Router.Target> targets, String requested, long inputTokens, Long maxTokens,
                    long defaultMaxOutput) {
    long most = 0;
    for (Router.Target t : targets) {
      String[] keys = priceKeys(t, null, requested);
      Long modelMax = prices.maxOutputTokens(keys);
      long output = maxTokens != null ? (modelMax == null ? maxTokens : Math.min(maxTokens, modelMax))
          : modelMax != null ? modelMax : defaultMaxOutput;
      Usage u = new Usage(Math.min(inputTokens, Usage.MAX_COUNT), Math.min(output, Usage.MAX_COUNT), 0, 0, 0, 0, null, null, true);
      most = Math.max(most, prices.costFirstKnown(u, keys).nanos());
    }
    return most;
  }

  /**
   * The price-table key of a deployment's own overrides ({@code model_info} / {@code litellm_params}
   * prices), or null when it has none. Unique to the deployment and ending in its
   * {@code provider/model}, so the override starts from that model's bundled price and never
   * replaces the public entry of the alias's name for everyone else.
   */
  public static String overrideKey(Deployment d) {
    if (d.priceOverrides().isEmpty() || d.upstreamModel() == null || d.upstreamModel().contains("*")) {
      return null;
    }
    return "deployment:" + d.modelName() + "/" + d.provider() + "/" + d.upstreamModel();
  }

  /**
   * Prices, counts and publishes the event of a finished call. The stage completes once the event
   * is durable (or could not be recorded); it never fails, so the caller can end the response on it.
   */
  CompletionStage<Void> meter(CallFacts done) {
    return meter(done, io.tollgate.ingress.budget.Reservation.NONE);
  }

  /**
   * Same, settling the call's budget reservation to its cost and listing the periods it counts
   * against in the event; the reservation is released if the event cannot be built.
   */
  CompletionStage<Void> meter(CallFacts done, io.tollgate.ingress.budget.Reservation hold) {
    try {
      Router.Target target = done.target();
      Cost cost = cost(target, done.usage(), done.modelRequested());
      String group = target == null ? OTHER : target.deployment().modelName();
      Usage u = done.usage();
      metrics.usage(group, done.tool().name(), u.inputTokens(), u.outputTokens(), u.cacheReadTokens(),
          u.cacheWrite5mTokens() + u.cacheWrite1hTokens(), cost.nanos(), cost.priceKnown() || "none".equals(done.usageSource()));
      metrics.usageSource(done.usageSource(), u.clamped());
      UsageEvent event = done.toEvent(cost, hold.eventPeriods());
      hold.settle(cost.nanos());
      return publisher.publish(event).exceptionally(error -> null); // the publisher counted and logged it
    } catch (RuntimeException e) {
      hold.release();
      // Should be impossible (every input is capped and clamped); if it happens, say so loudly.
      metrics.eventFailed();
      LOG.error("could not build the usage event of a call ({}): the call is not metered", e.toString());
      return CompletableFuture.completedFuture(null);
    }
  }
}
