package io.tollgate.schemas.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code model_list} entry. Prices may be overridden with LiteLLM's keys in {@code
 * litellm_params} or {@code model_info}; LiteLLM's routing, retry and capability keys are
 * {@link Ignored} (a warning each).
 */
public record ModelEntry(String modelName, LitellmParams litellmParams, ModelInfo modelInfo) {
  public ModelEntry {
    litellmParams = litellmParams == null ? LitellmParams.EMPTY : litellmParams;
    modelInfo = modelInfo == null ? ModelInfo.EMPTY : modelInfo;
  }

  /** Price overrides of {@code litellm_params} then {@code model_info} (the latter wins), by LiteLLM key. */
  public Map<String, Object> priceOverrides() {
    Map<String, Object> out = new LinkedHashMap<>();
    litellmParams.prices().put(out);
    modelInfo.prices().put(out);
    return out;
  }

  /** LiteLLM's per-token price keys (USD per token, exact decimals). */
  public record Prices(BigDecimal inputCostPerToken, BigDecimal outputCostPerToken, BigDecimal cacheReadInputTokenCost,
                       BigDecimal cacheCreationInputTokenCost, BigDecimal cacheCreationInputTokenCostAbove1hr,
                       BigDecimal inputCostPerTokenAbove200kTokens, BigDecimal outputCostPerTokenAbove200kTokens) {
    void put(Map<String, Object> out) {
      putIf(out, "input_cost_per_token", inputCostPerToken);
      putIf(out, "output_cost_per_token", outputCostPerToken);
      putIf(out, "cache_read_input_token_cost", cacheReadInputTokenCost);
      putIf(out, "cache_creation_input_token_cost", cacheCreationInputTokenCost);
      putIf(out, "cache_creation_input_token_cost_above_1hr", cacheCreationInputTokenCostAbove1hr);
      putIf(out, "input_cost_per_token_above_200k_tokens", inputCostPerTokenAbove200kTokens);
      putIf(out, "output_cost_per_token_above_200k_tokens", outputCostPerTokenAbove200kTokens);
    }

    private static void putIf(Map<String, Object> out, String key, BigDecimal value) {
      if (value != null) {
        out.put(key, value);
      }
    }
  }

  @Ignored({"api_version", "organization", "timeout", "stream_timeout", "max_retries", "rpm", "tpm", "temperature",
      "max_tokens", "top_p", "seed", "drop_params", "additional_drop_params", "custom_llm_provider", "aws_access_key_id",
      "aws_secret_access_key", "aws_region_name", "aws_session_name", "aws_profile_name", "aws_role_name",
      "aws_session_token", "vertex_project", "vertex_location", "vertex_credentials", "region_name", "extra_headers",
      "headers", "use_in_pass_through", "merge_reasoning_content_in_choices", "input_cost_per_second",
      "output_cost_per_second", "tags", "weight", "order", "base_model", "mock_response", "litellm_credential_name",
      "configurable_clientside_auth_params", "budget_duration", "max_budget", "azure_ad_token", "tenant_id",
      "client_id", "client_secret", "reasoning_effort", "thinking", "auto_router_config", "use_litellm_proxy"})
  public record LitellmParams(String model, String apiKey, String apiBase,
                              BigDecimal inputCostPerToken, BigDecimal outputCostPerToken,
                              BigDecimal cacheReadInputTokenCost, BigDecimal cacheCreationInputTokenCost,
                              @JsonProperty("cache_creation_input_token_cost_above_1hr") BigDecimal cacheCreationAbove1hr,
                              @JsonProperty("input_cost_per_token_above_200k_tokens") BigDecimal inputAbove200k,
                              @JsonProperty("output_cost_per_token_above_200k_tokens") BigDecimal outputAbove200k) {
    static final LitellmParams EMPTY = new LitellmParams(null, null, null, null, null, null, null, null, null, null);

    Prices prices() {
      return new Prices(inputCostPerToken, outputCostPerToken, cacheReadInputTokenCost, cacheCreationInputTokenCost,
          cacheCreationAbove1hr, inputAbove200k, outputAbove200k);
    }

    @Override
    public String toString() {
      return "LitellmParams[" + model + " @ " + apiBase + ", key=" + (apiKey == null ? "(none)" : "****") + "]";
    }
  }

  @Ignored({"id", "mode", "base_model", "max_tokens", "max_input_tokens", "max_output_tokens", "litellm_provider",
      "supports_function_calling", "supports_parallel_function_calling", "supports_vision", "supports_prompt_caching",
      "supports_reasoning", "supports_response_schema", "supports_system_messages", "supports_tool_choice",
      "supports_audio_input", "supports_audio_output", "supports_pdf_input", "supports_web_search",
      "supports_computer_use", "supports_assistant_prefill", "access_groups", "db_model", "team_id",
      "team_public_model_name", "description", "tier", "output_cost_per_reasoning_token", "input_cost_per_image",
      "tpm", "rpm"})
  public record ModelInfo(BigDecimal inputCostPerToken, BigDecimal outputCostPerToken,
                          BigDecimal cacheReadInputTokenCost, BigDecimal cacheCreationInputTokenCost,
                          @JsonProperty("cache_creation_input_token_cost_above_1hr") BigDecimal cacheCreationAbove1hr,
                          @JsonProperty("input_cost_per_token_above_200k_tokens") BigDecimal inputAbove200k,
                          @JsonProperty("output_cost_per_token_above_200k_tokens") BigDecimal outputAbove200k) {
    static final ModelInfo EMPTY = new ModelInfo(null, null, null, null, null, null, null);

    Prices prices() {
      return new Prices(inputCostPerToken, outputCostPerToken, cacheReadInputTokenCost, cacheCreationInputTokenCost,
          cacheCreationAbove1hr, inputAbove200k, outputAbove200k);
    }
  }
}
