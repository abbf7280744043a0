package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.ingress.config.Deployment;
import io.tollgate.ingress.metrics.GatewayMetrics;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.publish.HandoffStatus;
import io.tollgate.ingress.publish.UsagePublisher;
import io.tollgate.ingress.usage.Api;
import io.tollgate.schemas.UsageEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** What a call holds against its budgets before it is forwarded. */
class BudgetHoldTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Metering metering = new Metering(PriceTable.bundled(), new GatewayMetrics(new PrometheusRegistry()),
      new UsagePublisher() {
        @Override
        public CompletionStage<Void> publish(UsageEvent event) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public HandoffStatus status() {
          return null;
        }

        @Override
        public void close() {
        }
      });

  private static List<Router.Target> targets(String... upstreamModels) {
    List<Deployment> ds = new java.util.ArrayList<>();
    for (String m : upstreamModels) {
      ds.add(new Deployment("group", m.startsWith("gpt") ? "openai" : "anthropic", m, "http://x", "k", false, Map.of()));
    }
    return new Router(ds).route("group", Api.MESSAGES);
  }

  @Test
  void maxTokensTimesOutputPricePlusEstimatedInput() {
    // claude-sonnet-4-5: 1000 input × $3/M + 200 output × $15/M = $0.006
    assertThat(metering.maxCostNanos(targets("claude-sonnet-4-5"), "group", 1000, 200L, 32_000)).isEqualTo(6_000_000);
  }

  @Test
  void withoutMaxTokensTheModelsMaximumOutputFromThePriceTable() {
    // 64,000 output tokens × $15/M = $0.96, plus 1000 input × $3/M
    assertThat(metering.maxCostNanos(targets("claude-sonnet-4-5"), "group", 1000, null, 1)).isEqualTo(963_000_000);
    // max_tokens above what the model can produce is capped at that
    assertThat(metering.maxCostNanos(targets("claude-sonnet-4-5"), "group", 0, 10_000_000L, 1)).isEqualTo(960_000_000);
  }

  @Test
  void theDearestDeploymentOfAFailoverCounts() {
    long sonnet = metering.maxCostNanos(targets("claude-sonnet-4-5"), "group", 1000, 100L, 1);
    long opus = metering.maxCostNanos(targets("claude-opus-4-1"), "group", 1000, 100L, 1);
    assertThat(opus).isGreaterThan(sonnet);
    assertThat(metering.maxCostNanos(targets("claude-sonnet-4-5", "claude-opus-4-1"), "group", 1000, 100L, 1))
        .isEqualTo(opus);
  }

  @Test
  void unpricedModelsHoldNothingAndAbsurdCountsCannotOverflow() {
    assertThat(metering.maxCostNanos(targets("some-private-model"), "group", 1000, 100L, 1)).isZero();
    assertThat(metering.maxCostNanos(targets("claude-sonnet-4-5"), "group", Long.MAX_VALUE, Long.MAX_VALUE, 1))
        .isPositive();
  }

  @Test
  void theOutputLimitIsReadFromEachApisField() throws Exception {
    assertThat(BudgetStep.maxTokens((ObjectNode) JSON.readTree("{\"max_tokens\":77}"))).isEqualTo(77);
    assertThat(BudgetStep.maxTokens((ObjectNode) JSON.readTree("{\"max_completion_tokens\":78}"))).isEqualTo(78);
    assertThat(BudgetStep.maxTokens((ObjectNode) JSON.readTree("{\"max_output_tokens\":79}"))).isEqualTo(79);
    assertThat(BudgetStep.maxTokens((ObjectNode) JSON.readTree("{\"max_tokens\":\"77\"}"))).isNull();
    assertThat(BudgetStep.maxTokens((ObjectNode) JSON.readTree("{\"max_tokens\":-5}"))).isNull();
    assertThat(BudgetStep.maxTokens((ObjectNode) JSON.readTree("{\"max_tokens\":1e400}"))).isNull();
  }
}
