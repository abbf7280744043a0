package io.tollgate.ingress.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.ingress.usage.Usage;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class PriceTableTest {
  private static final PriceTable BUNDLED = PriceTable.bundled();
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private static Usage usage(long in, long out, long read, long w5, long w1, long reasoning) {
    return new Usage(in, out, read, w5, w1, reasoning, null, null, true);
  }

  @Test
  void anthropicWithEveryCacheKindIsExactToTheNanoDollar() {
    // Sonnet 4.5: $3 in, $15 out, $0.30 read, $3.75 5m write, $6 1h write per MTok.
    Cost cost = BUNDLED.cost("claude-sonnet-4-5-20250929", usage(1_234, 567, 45_678, 2_000, 3_000, 0));
    long expectedPico = 1_234L * 3_000_000 + 567L * 15_000_000 + 45_678L * 300_000 + 2_000L * 3_750_000
        + 3_000L * 6_000_000;
    assertThat(cost.priceKnown()).isTrue();
    assertThat(cost.nanos()).isEqualTo(expectedPico / 1000);
    assertThat(cost.nanos()).isEqualTo(51_410_400L); // $0.0514104
    assertThat(cost.tiered()).isFalse();
  }

  @Test
  void openAiCachedAndReasoningTokens() {
    // gpt-5: $1.25 in, $10 out, $0.125 cached per MTok; reasoning is inside output.
    Cost cost = BUNDLED.cost("openai/gpt-5", usage(1_000, 2_000, 3_000, 0, 0, 1_500));
    assertThat(cost.nanos()).isEqualTo((1_000L * 1_250_000 + 2_000L * 10_000_000 + 3_000L * 125_000) / 1000);
    assertThat(cost.priceKey()).isEqualTo("gpt-5");
  }

  @Test
  void theLongContextTierAppliesToTheWholeCallAbove200kPromptTokens() {
    Cost atLimit = BUNDLED.cost("claude-sonnet-4-5", usage(150_000, 1_000, 50_000, 0, 0, 0));
    assertThat(atLimit.tiered()).as("exactly 200k is not above").isFalse();
    assertThat(atLimit.nanos()).isEqualTo((150_000L * 3_000_000 + 1_000L * 15_000_000 + 50_000L * 300_000) / 1000);

    Cost above = BUNDLED.cost("claude-sonnet-4-5", usage(150_001, 1_000, 50_000, 0, 0, 0));
    assertThat(above.tiered()).isTrue();
    assertThat(above.nanos()).isEqualTo((150_001L * 6_000_000 + 1_000L * 22_500_000 + 50_000L * 600_000) / 1000);

    Cost noTier = BUNDLED.cost("claude-haiku-4-5", usage(300_000, 0, 0, 0, 0, 0));
    assertThat(noTier.tiered()).isFalse();
  }

  @Test
  void missingCachePricesDefaultToTheAnthropicMultipliers() throws Exception {
    PriceTable table = PriceTable.parse(JSON.readTree("{\"m\":{\"input_cost_per_token\":0.000002,\"output_cost_per_token\":0.00001}}"));
    ModelPrice p = table.price("m");
    assertThat(p.cacheRead()).isEqualTo(200_000);
    assertThat(p.cacheWrite5m()).isEqualTo(2_500_000);
    assertThat(p.cacheWrite1h()).isEqualTo(4_000_000);
  }

  @Test
  void unknownModelsAreFlaggedNeverSilentlyFree() {
    Cost cost = BUNDLED.cost("my-finetune-v3", usage(1_000, 1_000, 0, 0, 0, 0));
    assertThat(cost.priceKnown()).isFalse();
    assertThat(cost.nanos()).isZero();
    assertThat(BUNDLED.cost(null, Usage.NONE).priceKnown()).isFalse();
  }

  @Test
  void modelNamesAreCanonicalized() {
    assertThat(BUNDLED.lookupKey("anthropic/claude-sonnet-4-5")).isEqualTo("claude-sonnet-4-5");
    assertThat(BUNDLED.lookupKey("Claude-Haiku-4-5-20251001")).isEqualTo("claude-haiku-4-5-20251001");
    assertThat(BUNDLED.lookupKey("claude-opus-4-1-20990101")).isEqualTo("claude-opus-4-1");
    assertThat(BUNDLED.lookupKey("gpt-4.1-mini-2025-04-14")).isEqualTo("gpt-4.1-mini");
    assertThat(BUNDLED.lookupKey("openai/gpt-5-codex")).isEqualTo("gpt-5-codex");
    assertThat(BUNDLED.lookupKey("")).isNull();
  }

  @Test
  void theBundledTableHasTheModelsCodingToolsUse() {
    for (String model : new String[] {"claude-sonnet-4-5", "claude-opus-4-5", "claude-haiku-4-5", "claude-opus-4-1",
        "gpt-5", "gpt-5-codex", "gpt-5-mini", "gpt-4.1", "gpt-4o", "o3", "o4-mini", "text-embedding-3-small"}) {
      assertThat(BUNDLED.lookupKey(model)).as(model).isNotNull();
    }
  }

  @Test
  void overridesUseLiteLlmKeysAndKeepWhatTheyDoNotSet() {
    PriceTable table = BUNDLED.withOverrides(Map.of(
        "claude-sonnet-4-5", Map.of("input_cost_per_token", new BigDecimal("0.000002")),
        "my-model", Map.of("input_cost_per_token", 1e-06, "output_cost_per_token", "0.000002")));
    assertThat(table.price("claude-sonnet-4-5").input()).isEqualTo(2_000_000);
    assertThat(table.price("claude-sonnet-4-5").output()).as("kept").isEqualTo(15_000_000);
    assertThat(table.cost("my-model", usage(1_000_000, 1_000_000, 0, 0, 0, 0)).nanos()).isEqualTo(3_000_000_000L);
  }

  @Test
  void everyBadOverrideIsReportedAtOnce() {
    assertThatThrownBy(() -> BUNDLED.withOverrides(Map.of(
        "a", Map.of("input_cost_per_token", "0.0000000000001", "output_cost_per_token", 1),
        "b", Map.of("input_cost_per_token", -1, "output_cost_per_token", 1),
        "c", Map.of("output_cost_per_token", "abc"),
        "d", Map.of("cache_read_input_token_cost", 0.1))))
        .hasMessageContaining("a: input_cost_per_token: price 0.0000000000001 USD/token is finer than 1e-12")
        .hasMessageContaining("b: input_cost_per_token: price must not be negative")
        .hasMessageContaining("c: output_cost_per_token is not a number")
        .hasMessageContaining("d: an override needs input_cost_per_token and output_cost_per_token");
  }

  @Test
  void absurdCountsArePricedAtTheClampedCountNeverThrown() {
    // Opus 4.1 input $15/MTok: 10^10 tokens (the clamp) = $150,000 = 1.5e14 nano-USD, exact.
    Cost cost = BUNDLED.cost("claude-opus-4-1", usage(Long.MAX_VALUE / 2, 0, 0, 0, 0, 0));
    assertThat(cost.nanos()).isEqualTo(Usage.MAX_COUNT * 15_000_000L / 1000);
    assertThat(cost.saturated()).isFalse();
    Cost everything = BUNDLED.cost("claude-opus-4-1", new Usage(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE,
        Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, null, null, true, Long.MAX_VALUE, "priority", null, false));
    assertThat(everything.nanos()).as("every kind at 10^10: exact, beyond a long of pico-USD")
        .isEqualTo(Usage.MAX_COUNT * (15_000_000L + 75_000_000L + 1_500_000L + 18_750_000L + 30_000_000L) / 1000
            + Usage.MAX_COUNT * 10_000_000L);
    assertThat(everything.saturated()).isFalse();
  }

  @Test
  void aCostBeyondALongOfNanoDollarsSaturatesAndIsFlagged() throws Exception {
    // $5M per token (a typo in an override, say) times 10^10 tokens: 5e16 USD, far beyond 9.2e9 USD.
    PriceTable table = PriceTable.parse(JSON.readTree(
        "{\"typo\":{\"input_cost_per_token\":5000000,\"output_cost_per_token\":5000000}}"));
    Cost cost = table.cost("typo", usage(Usage.MAX_COUNT, Usage.MAX_COUNT, 0, 0, 0, 0));
    assertThat(cost.nanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(cost.saturated()).isTrue();
    assertThat(cost.priceKnown()).isTrue();
    Cost fits = table.cost("typo", usage(1, 0, 0, 0, 0, 0));
    assertThat(fits.nanos()).isEqualTo(5_000_000_000_000_000L);
    assertThat(fits.saturated()).isFalse();
  }

  @Test
  void derivedCachePricesOfAHugeInputPriceSaturateInsteadOfWrapping() {
    ModelPrice p = ModelPrice.withDefaults(Long.MAX_VALUE - 1, 1, null, null, null, null);
    assertThat(p.cacheWrite5m()).isEqualTo(Long.MAX_VALUE);
    assertThat(p.cacheWrite1h()).isEqualTo(Long.MAX_VALUE);
    assertThat(ModelPrice.withDefaults(7, 1, null, null, null, null).cacheWrite5m()).as("floor(7 × 5/4)").isEqualTo(8);
  }

  @Test
  void saturatingArithmetic() {
    assertThat(Saturating.multiply(Long.MAX_VALUE, 2)).isEqualTo(Long.MAX_VALUE);
    assertThat(Saturating.multiply(3_037_000_500L, 3_037_000_500L)).isEqualTo(Long.MAX_VALUE);
    assertThat(Saturating.multiply(3_037_000_499L, 3_037_000_499L)).isEqualTo(3_037_000_499L * 3_037_000_499L);
    assertThat(Saturating.multiply(-5, 7)).isZero();
    assertThat(Saturating.add(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(Saturating.add(2, 3)).isEqualTo(5);
  }

  @Test
  void picoConversionIsExactAndRoundsHalfUpOncePerCall() {
    assertThat(Pico.fromUsd(new BigDecimal("3e-6"))).isEqualTo(3_000_000);
    assertThat(Pico.fromUsd(new BigDecimal("5.46875e-07"))).isEqualTo(546_875);
    assertThat(Pico.toNanosRounded(1_499)).isEqualTo(1);
    assertThat(Pico.toNanosRounded(1_500)).isEqualTo(2);
    assertThat(Pico.toNanosRounded(0)).isZero();
  }
}
