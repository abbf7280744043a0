package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.metrics.GatewayMetrics;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.publish.UsagePublisher;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.schemas.UsageEvent;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A call is priced by the deployment that served it (item 4 of the hardening issue). */
class MeteringPriceTest {
  private static final Usage USAGE = new Usage(1_000_000, 0, 0, 0, 0, 0, null, null, true);
  private static final UsagePublisher NOWHERE = new UsagePublisher() {
    @Override
    public java.util.concurrent.CompletionStage<Void> publish(UsageEvent event) {
      return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    @Override
    public io.tollgate.ingress.publish.HandoffStatus status() {
      return io.tollgate.ingress.publish.HandoffStatus.HEALTHY;
    }

    @Override
    public void close() {
    }
  };

  private static Deployment deployment(String name, String model, Map<String, Object> prices) {
    return new Deployment(name, "anthropic", model, "http://127.0.0.1:1", null, false, prices);
  }

  private static Metering metering(List<Deployment> deployments) {
    Map<String, Map<String, ?>> overrides = new HashMap<>();
    deployments.forEach(d -> {
      String key = Metering.overrideKey(d);
      if (key != null) {
        overrides.put(key, d.priceOverrides());
      }
    });
    return new Metering(PriceTable.bundled().withOverrides(overrides), new GatewayMetrics(new PrometheusRegistry()), NOWHERE);
  }

  @Test
  void anAliasIsPricedAsItsDeploymentsModel() {
    Deployment alias = deployment("claude-3-5-haiku-20241022", "claude-opus-4-1", Map.of());
    long cost = metering(List.of(alias)).cost(new Router.Target(alias, "claude-opus-4-1"), USAGE,
        "claude-3-5-haiku-20241022").nanos();
    assertThat(cost).isEqualTo(PriceTable.bundled().cost("claude-opus-4-1", USAGE).nanos())
        .isNotEqualTo(PriceTable.bundled().cost("claude-3-5-haiku-20241022", USAGE).nanos());
  }

  @Test
  void aDeploymentsOwnPricesApplyToItAloneNotToThePublicNameOfItsAlias() {
    Deployment alias = deployment("claude-3-5-haiku-20241022", "claude-opus-4-1",
        Map.of("input_cost_per_token", new BigDecimal("0.000001")));
    Deployment realHaiku = deployment("haiku", "claude-3-5-haiku-20241022", Map.of());
    Metering m = metering(List.of(alias, realHaiku));
    assertThat(m.cost(new Router.Target(alias, "claude-opus-4-1"), USAGE, "claude-3-5-haiku-20241022").nanos())
        .as("1M tokens at the override's $1/M").isEqualTo(1_000_000_000L);
    assertThat(m.cost(new Router.Target(realHaiku, "claude-3-5-haiku-20241022"), USAGE, "haiku").nanos())
        .as("the real haiku keeps its bundled price")
        .isEqualTo(PriceTable.bundled().cost("claude-3-5-haiku-20241022", USAGE).nanos());
  }
}
