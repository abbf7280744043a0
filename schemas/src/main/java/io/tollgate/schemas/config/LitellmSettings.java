package io.tollgate.schemas.config;

import java.util.List;

/**
 * LiteLLM's {@code litellm_settings}: the keys Tollgate implements; LiteLLM's others are
 * {@link Ignored} (a warning each).
 *
 * @param modelGroupSettings            per model group settings (LiteLLM's place for them)
 * @param forwardLlmProviderAuthHeaders BYOK: the client's own provider key header goes upstream
 * @param forwardClientHeadersToLlmApi  accepted here too, as older Tollgate configs put it here
 * @param maxEndUserBudgetId            the budget ({@code /budget/new}) customers get that have none of their
 *                                      own (LiteLLM's {@code max_end_user_budget_id})
 */
@Ignored({"success_callback", "failure_callback", "callbacks", "service_callback", "cache", "cache_params",
    "drop_params", "modify_params", "num_retries", "request_timeout", "set_verbose", "json_logs", "default_fallbacks",
    "context_window_fallbacks", "content_policy_fallbacks", "fallbacks", "allowed_fails", "max_budget",
    "budget_duration", "default_team_settings", "default_key_generate_params", "default_internal_user_params",
    "upperbound_key_generate_params", "key_generation_settings", "turn_off_message_logging",
    "redact_user_api_key_info", "redact_messages_in_exceptions", "langfuse_default_tags", "enable_preview_features",
    "disable_end_user_cost_tracking", "disable_end_user_cost_tracking_prometheus_only", "extra_spend_tag_headers",
    "force_ipv4", "ssl_verify", "enable_json_schema_validation", "disable_add_transform_inline_image_block",
    "return_response_headers", "public_model_groups", "public_model_groups_links", "custom_provider_map",
    "guardrails", "callback_settings", "telemetry", "max_internal_user_budget", "internal_user_budget_duration",
    "max_end_user_budget", "mcp_aliases", "prometheus_initialize_budget_metrics", "global_disable_no_log_param",
    "use_chat_completions_url_for_anthropic_messages", "default_max_tokens", "cost_discount_config",
    "enable_azure_ad_token_refresh", "disable_token_counter", "s3_callback_params", "generic_logger_settings"})
public record LitellmSettings(ModelGroupSettings modelGroupSettings, Boolean forwardLlmProviderAuthHeaders,
                              Boolean forwardClientHeadersToLlmApi, String maxEndUserBudgetId) {
  public LitellmSettings {
    modelGroupSettings = modelGroupSettings == null ? ModelGroupSettings.EMPTY : modelGroupSettings;
  }

  /**
   * {@code model_group_settings}: {@code forward_client_headers_to_llm_api: [model names]} turns
   * forwarding on for those model groups only.
   */
  public record ModelGroupSettings(List<String> forwardClientHeadersToLlmApi) {
    public static final ModelGroupSettings EMPTY = new ModelGroupSettings(null);

    public ModelGroupSettings {
      forwardClientHeadersToLlmApi = ConfigTree.list(forwardClientHeadersToLlmApi);
    }
  }
}
