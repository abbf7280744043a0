package io.tollgate.schemas.config;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One {@code model_list} entry. Prices may be overridden with LiteLLM's keys ({@link PriceKeys}) in
 * {@code litellm_params} or {@code model_info}; LiteLLM's routing, retry and capability keys are
 * {@link Ignored} (a warning each).
 */
public record ModelEntry(String modelName, LitellmParams litellmParams, ModelInfo modelInfo) {
  public ModelEntry {
    litellmParams = litellmParams == null ? new LitellmParams(null, null, null, null) : litellmParams;
    modelInfo = modelInfo == null ? new ModelInfo(null) : modelInfo;
  }

  /**
   * The price keys the gateway's price table reads (as in LiteLLM's model_prices_and_context_window.json):
   * the token prices, their {@code _above_200k_tokens} variants, each with a service-tier suffix
   * ({@code _batches}, {@code _flex}, {@code _priority}), and {@code search_context_cost_per_query}.
   */
  public static final class PriceKeys implements Predicate<String> {
    public static final String WEB_SEARCH = "search_context_cost_per_query";
    private static final Set<String> BASE = Set.of("input_cost_per_token", "output_cost_per_token",
        "cache_read_input_token_cost", "cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr");
    private static final Set<String> KEYS = Stream.concat(Stream.of(WEB_SEARCH), BASE.stream().flatMap(k -> Stream.of(
        k, k + "_above_200k_tokens", k + "_batches", k + "_flex", k + "_priority"))).collect(
        java.util.stream.Collectors.toUnmodifiableSet());

    @Override
    public boolean test(String key) {
      return KEYS.contains(key);
    }
  }

  /** Price overrides of {@code litellm_params} then {@code model_info} (the latter wins), by LiteLLM key. */
  public Map<String, Object> priceOverrides() {
    Map<String, Object> out = new LinkedHashMap<>();
    Stream.of(litellmParams.other(), modelInfo.other()).forEach(m -> m.forEach((k, v) -> {
      if (new PriceKeys().test(k) && v != null && !v.isNull()) {
        BigDecimal d = number(v);
        out.put(k, d != null ? d : v);
      }
    }));
    return out;
  }

  /** Price values are numbers (USD per token); {@code search_context_cost_per_query} may map sizes to numbers. */
  public void validate(Problems problems, String path) {
    check(problems, path + ".litellm_params", litellmParams.other());
    check(problems, path + ".model_info", modelInfo.other());
  }

  private static void check(Problems problems, String path, Map<String, JsonNode> values) {
    values.forEach((k, v) -> {
      if (!new PriceKeys().test(k) || v == null || v.isNull()) {
        return;
      }
      if (k.equals(PriceKeys.WEB_SEARCH) && v.isObject()) {
        v.properties().forEach(e -> {
          if (number(e.getValue()) == null) {
            problems.error(path + "." + k + "." + e.getKey(), "must be a number (USD)");
          }
        });
      } else if (number(v) == null) {
        problems.error(path + "." + k, "must be a number (USD)");
      } else if (number(v).signum() < 0) {
        problems.error(path + "." + k, "must be zero or more");
      }
    });
  }

  private static BigDecimal number(JsonNode v) {
    if (v.isNumber()) {
      return v.decimalValue();
    }
    try {
      return v.isTextual() ? new BigDecimal(v.asText().trim()) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Map<String, JsonNode> copy(Map<String, JsonNode> other) {
    return other == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(other));
  }

  /** @param other every other key, for the price keys (LiteLLM's others may hold secrets: never printed) */
  @ExtraKeys(PriceKeys.class)
  @Ignored({"api_version", "organization", "timeout", "stream_timeout", "max_retries", "rpm", "tpm", "temperature",
      "max_tokens", "top_p", "seed", "drop_params", "additional_drop_params", "custom_llm_provider", "aws_access_key_id",
      "aws_secret_access_key", "aws_region_name", "aws_session_name", "aws_profile_name", "aws_role_name",
      "aws_session_token", "vertex_project", "vertex_location", "vertex_credentials", "region_name", "extra_headers",
      "headers", "use_in_pass_through", "merge_reasoning_content_in_choices", "input_cost_per_second",
      "output_cost_per_second", "tags", "weight", "order", "base_model", "mock_response", "litellm_credential_name",
      "configurable_clientside_auth_params", "budget_duration", "max_budget", "azure_ad_token", "tenant_id",
      "client_id", "client_secret", "reasoning_effort", "thinking", "auto_router_config", "use_litellm_proxy"})
  public record LitellmParams(String model, String apiKey, String apiBase, @JsonAnySetter Map<String, JsonNode> other) {
    public LitellmParams {
      other = copy(other);
    }

    @Override
    public String toString() {
      return "LitellmParams[" + model + " @ " + apiBase + ", key=" + (apiKey == null ? "(none)" : "****") + "]";
    }
  }

  /** @param other every key, for the price keys */
  @ExtraKeys(PriceKeys.class)
  @Ignored({"id", "mode", "base_model", "max_tokens", "max_input_tokens", "max_output_tokens", "litellm_provider",
      "supports_function_calling", "supports_parallel_function_calling", "supports_vision", "supports_prompt_caching",
      "supports_reasoning", "supports_response_schema", "supports_system_messages", "supports_tool_choice",
      "supports_audio_input", "supports_audio_output", "supports_pdf_input", "supports_web_search",
      "supports_computer_use", "supports_assistant_prefill", "access_groups", "db_model", "team_id",
      "team_public_model_name", "description", "tier", "output_cost_per_reasoning_token", "input_cost_per_image",
      "tpm", "rpm"})
  public record ModelInfo(@JsonAnySetter Map<String, JsonNode> other) {
    public ModelInfo {
      other = copy(other);
    }

    @Override
    public String toString() {
      return "ModelInfo[" + other.keySet() + "]";
    }
  }
}
