package io.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tollgate.ingress.config.ConfigLoader;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.ingress.pricing.PriceTable;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.ingress.usage.UsageSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Price keys of the config file reach the price table: tiers and web search included. */
class ConfigPricesTest {
  @Test
  void tierAndWebSearchOverridesFromTheConfigArePriced() throws Exception {
    IngressConfig config = ConfigLoader.fromTree(new ObjectMapper(new YAMLFactory()).readTree("""
        model_list:
          - model_name: my-model
            litellm_params: {model: openai/my-model, input_cost_per_token: 0.000001, output_cost_per_token: 0.000002,
                             input_cost_per_token_flex: 0.0000001}
            model_info: {search_context_cost_per_query: {search_context_size_medium: 0.01}}
        general_settings: {master_key: sk-m}
        """), Map.of());
    assertThat(config.warnings()).isEmpty();
    PriceTable prices = PriceTable.bundled().withOverrides(Gateway.priceOverrides(config));
    Usage flex = new Usage(1_000, 0, 0, 0, 0, 0, "my-model", null, true, 1, "flex", UsageSource.RESPONSE, false);
    // 1,000 input tokens at the flex price ($0.0001) plus one web search ($0.01).
    String key = io.tollgate.ingress.provider.Metering.overrideKey(config.deployments().get(0));
    assertThat(prices.cost(key, flex).nanos()).isEqualTo(100_000 + 10_000_000);
  }
}
