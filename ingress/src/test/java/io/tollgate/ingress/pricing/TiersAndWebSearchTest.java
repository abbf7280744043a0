package io.tollgate.ingress.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.ingress.usage.Usage;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Web searches per request, service tiers, and price keys by deployment. */
@Timeout(30)
class TiersAndWebSearchTest {
  private static final PriceTable BUNDLED = PriceTable.bundled();
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static Usage usage(long in, long out, long read, long webSearches, String tier) {
    return new Usage(in, out, read, 0, 0, 0, null, null, true, webSearches, tier, null, false);
  }

  @Test
  void anthropicWebSearchesCostTenDollarsPerThousand() {
    Cost cost = BUNDLED.cost("claude-sonnet-4-5", usage(1_000, 100, 0, 3, null));
    assertThat(cost.nanos()).isEqualTo((1_000L * 3_000_000 + 100L * 15_000_000) / 1000 + 3 * 10_000_000L);
  }

  @Test
  void webSearchPriceFromLiteLlmsKeyOrTheAnthropicDefault() throws Exception {
    PriceTable table = PriceTable.parse(JSON.readTree("""
        {"claude-custom": {"input_cost_per_token": 0.000001, "output_cost_per_token": 0.000002},
         "litellm-shaped": {"litellm_provider": "vertex_ai-anthropic_models", "input_cost_per_token": 0.000001,
           "output_cost_per_token": 0.000002, "search_context_cost_per_query": {"search_context_size_low": 0.01,
           "search_context_size_medium": 0.02, "search_context_size_high": 0.03}},
         "other": {"litellm_provider": "openai", "input_cost_per_token": 0.000001, "output_cost_per_token": 0.000002}}
        """));
    assertThat(table.price("claude-custom").webSearch()).as("Anthropic model without a price: $0.01").isEqualTo(10_000_000_000L);
    assertThat(table.price("litellm-shaped").webSearch()).as("LiteLLM prices at the medium size").isEqualTo(20_000_000_000L);
    assertThat(table.price("other").webSearch()).isZero();
    assertThat(table.cost("litellm-shaped", usage(0, 0, 0, 2, null)).nanos()).isEqualTo(40_000_000L);
  }

  @Test
  void serviceTiersUseExplicitPricesElseTheirDefaults() {
    Usage u = usage(1_000_000, 1_000_000, 1_000_000, 0, null);
    long standard = BUNDLED.cost("gpt-5", u).nanos();
    assertThat(standard).isEqualTo(1_250_000_000L + 10_000_000_000L + 125_000_000L);
    assertThat(BUNDLED.cost("gpt-5", withTier(u, "default")).nanos()).as("OpenAI's name for standard").isEqualTo(standard);
    Cost priority = BUNDLED.cost("gpt-5", withTier(u, "priority"));
    assertThat(priority.nanos()).as("explicit _priority keys").isEqualTo(2_500_000_000L + 20_000_000_000L + 250_000_000L);
    assertThat(priority.serviceTier()).isEqualTo(ServiceTier.PRIORITY);
    assertThat(BUNDLED.cost("gpt-5", withTier(u, "flex")).nanos()).isEqualTo(625_000_000L + 5_000_000_000L + 62_500_000L);
    assertThat(BUNDLED.cost("gpt-5", withTier(u, "batch")).nanos()).as("no _batches keys: half").isEqualTo(standard / 2);

    long sonnet = BUNDLED.cost("claude-sonnet-4-5", u).nanos();
    assertThat(BUNDLED.cost("claude-sonnet-4-5", withTier(u, "batch")).nanos()).isEqualTo(sonnet / 2);
    assertThat(BUNDLED.cost("claude-sonnet-4-5", withTier(u, "priority")).nanos()).as("no published multiplier").isEqualTo(sonnet);
    assertThat(BUNDLED.cost("claude-sonnet-4-5", withTier(u, "standard")).nanos()).isEqualTo(sonnet);
    assertThat(BUNDLED.cost("claude-sonnet-4-5", withTier(u, "something-new")).nanos()).isEqualTo(sonnet);
  }

  @Test
  void batchesKeysAndTheLongContextTierTogether() throws Exception {
    PriceTable table = PriceTable.parse(JSON.readTree("""
        {"m": {"input_cost_per_token": 0.000004, "output_cost_per_token": 0.00001,
               "input_cost_per_token_batches": 0.000001, "input_cost_per_token_above_200k_tokens": 0.000008}}
        """));
    assertThat(table.cost("m", usage(1_000, 0, 0, 0, "batch")).nanos()).isEqualTo(1_000L * 1_000_000 / 1000);
    assertThat(table.cost("m", usage(1_000, 1_000, 0, 0, "batch")).nanos())
        .as("output has no _batches key: half of standard").isEqualTo((1_000L * 1_000_000 + 1_000L * 5_000_000) / 1000);
    Cost longBatch = table.cost("m", usage(300_000, 0, 0, 0, "batch"));
    assertThat(longBatch.tiered()).isTrue();
    assertThat(longBatch.nanos()).as("long-context price, halved").isEqualTo(300_000L * 4_000_000 / 1000);
  }

  @Test
  void overridesUnderProviderPrefixedAndDeploymentKeys() {
    PriceTable table = BUNDLED.withOverrides(Map.of(
        "anthropic/claude-opus-4-1", Map.of("input_cost_per_token", new BigDecimal("0.00001")),
        "eu-deployment-7", Map.of("input_cost_per_token", "0.000002", "output_cost_per_token", "0.000004")));
    Usage u = usage(1_000_000, 0, 0, 0, null);
    Cost deployment = table.costFirstKnown(u, "anthropic/claude-opus-4-1", "claude-opus-4-1", null, "opus");
    assertThat(deployment.priceKey()).isEqualTo("anthropic/claude-opus-4-1");
    assertThat(deployment.nanos()).isEqualTo(10_000_000_000L);
    assertThat(table.costFirstKnown(u, null, "claude-opus-4-1").nanos()).as("the plain model keeps its price")
        .isEqualTo(15_000_000_000L);
    assertThat(table.price("anthropic/claude-opus-4-1").cacheWrite1h()).as("kept from the base entry").isEqualTo(30_000_000);
    assertThat(table.price("anthropic/claude-opus-4-1").webSearch()).isEqualTo(10_000_000_000L);
    assertThat(table.costFirstKnown(u, "EU-Deployment-7", "gpt-5").nanos()).isEqualTo(2_000_000_000L);
    assertThat(BUNDLED.lookupKey("openrouter/anthropic/claude-sonnet-4-5-20250929")).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(BUNDLED.lookupKey("vertex/anthropic/claude-opus-4-1-20990101")).isEqualTo("claude-opus-4-1");
  }

  @Test
  void anOverriddenInputMovesThePricesDerivedFromIt() throws Exception {
    PriceTable table = PriceTable.parse(JSON.readTree(
        "{\"m\":{\"input_cost_per_token\":0.000002,\"output_cost_per_token\":0.00001}}"))
        .withOverrides(Map.of("m", Map.of("input_cost_per_token", "0.000004")));
    ModelPrice p = table.price("m");
    assertThat(p.cacheRead()).isEqualTo(400_000);
    assertThat(p.cacheWrite5m()).isEqualTo(5_000_000);
    assertThat(p.forTier(ServiceTier.BATCH).input()).isEqualTo(2_000_000);
  }

  private static Usage withTier(Usage u, String tier) {
    return new Usage(u.inputTokens(), u.outputTokens(), u.cacheReadTokens(), u.cacheWrite5mTokens(),
        u.cacheWrite1hTokens(), u.reasoningTokens(), u.model(), u.upstreamId(), u.complete(), u.webSearchRequests(),
        tier, u.source(), u.clamped());
  }
}
