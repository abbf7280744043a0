package io.tollgate.ingress.provider;

import io.tollgate.ingress.metrics.GatewayMetrics;
import io.tollgate.ingress.pricing.Cost;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.publish.UsagePublisher;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.schemas.UsageEvent;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step of a call: price it, count it, publish its one event. Never throws: a call that
 * was answered is always metered, whatever upstream reported.
 */
final class Metering {
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
   * upstream reported; the name the client used comes last — an alias must never price a call
   * as another model (a "haiku" alias routed to Opus was once billed at Haiku prices).
   */
  Cost cost(Router.Target target, Usage usage, String requested) {
    if (target == null) {
      return prices.costFirstKnown(usage, usage.model(), requested);
    }
    var d = target.deployment();
    String own = d.priceOverrides().isEmpty() || d.wildcard() ? null : d.modelName();
    return prices.costFirstKnown(usage, own, d.provider() + "/" + target.upstreamModel(), target.upstreamModel(),
        usage.model(), requested);
  }

  /** Prices, counts and publishes the event of a finished call. */
  void meter(CallFacts done) {
    try {
      Router.Target target = done.target();
      Cost cost = cost(target, done.usage(), done.modelRequested());
      String group = target == null ? OTHER : target.deployment().modelName();
      Usage u = done.usage();
      metrics.usage(group, done.tool().name(), u.inputTokens(), u.outputTokens(), u.cacheReadTokens(),
          u.cacheWrite5mTokens() + u.cacheWrite1hTokens(), cost.nanos(), cost.priceKnown() || "none".equals(done.usageSource()));
      metrics.usageSource(done.usageSource());
      UsageEvent event = done.toEvent(cost);
      publisher.publish(event);
    } catch (RuntimeException e) {
      // Should be impossible (every input is capped and clamped); if it happens, say so loudly.
      metrics.eventFailed();
      LOG.error("could not build the usage event of a call ({}): the call is not metered", e.toString());
    }
  }
}
