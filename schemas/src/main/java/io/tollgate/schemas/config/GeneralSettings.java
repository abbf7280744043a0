package io.tollgate.schemas.config;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * LiteLLM's {@code general_settings}: the keys Tollgate implements; the rest of LiteLLM's are
 * {@link Ignored} (a warning each).
 *
 * @param masterKey                     administers the gateway; {@code os.environ/NAME} allowed
 * @param forwardClientHeadersToLlmApi  forward client headers (and Claude Max / OAuth auth) for every model
 * @param userHeaderMappings            headers naming the caller, by LiteLLM role
 * @param userHeaderName                LiteLLM's older single customer header
 * @param rejectClientsideMetadataTags  refuse calls whose client sent tags (tags only from keys and teams)
 */
@Ignored({"database_url", "database_connection_pool_limit", "database_connection_timeout", "database_args",
    "allow_requests_on_db_unavailable", "store_model_in_db", "store_prompts_in_spend_logs", "disable_spend_logs",
    "disable_master_key_return", "disable_reset_budget", "disable_adding_master_key_hash_to_db",
    "disable_retry_on_max_parallel_request_limit_error", "disable_prisma_schema_update", "enable_jwt_auth",
    "litellm_jwtauth", "enforce_user_param", "allowed_routes", "admin_only_routes", "public_routes",
    "key_management_system", "key_management_settings", "use_azure_key_vault", "use_google_kms", "custom_auth",
    "custom_auth_settings", "custom_key_generate", "custom_sso", "alerting", "alerting_threshold", "alerting_args",
    "alert_types", "alert_to_webhook_url", "spend_report_frequency", "proxy_batch_write_at",
    "proxy_budget_rescheduler_min_time", "proxy_budget_rescheduler_max_time", "max_parallel_requests",
    "global_max_parallel_requests", "infer_model_from_keys", "background_health_checks", "health_check_interval",
    "health_check_details", "allow_user_auth", "ui_access_mode", "service_account_settings", "pass_through_endpoints",
    "enable_oauth2_auth", "enable_oauth2_proxy_auth", "use_x_forwarded_for", "maximum_spend_logs_retention_period",
    "maximum_spend_logs_retention_interval", "user_api_key_cache_ttl", "enable_public_model_hub", "max_request_size_mb",
    "max_response_size_mb", "otel", "use_redis_transaction_buffer", "image_generation_model", "embedding_model",
    "moderation_model", "completion_model", "disable_responses_id_security", "store_audit_logs"})
public record GeneralSettings(String masterKey, Boolean forwardClientHeadersToLlmApi,
                              List<UserHeaderMapping> userHeaderMappings, String userHeaderName,
                              Boolean rejectClientsideMetadataTags) {
  public static final String CUSTOMER = "customer";
  public static final String INTERNAL_USER = "internal_user";
  /** LiteLLM's other roles: valid there, meaningless for a header mapping here. */
  private static final Set<String> OTHER_ROLES = Set.of("proxy_admin", "proxy_admin_viewer", "org_admin",
      "internal_user_viewer", "team");

  public GeneralSettings {
    userHeaderMappings = ConfigTree.list(userHeaderMappings);
  }

  /**
   * {@code {header_name: X-OpenWebUI-User-Id, litellm_user_role: customer}}: in LiteLLM, role
   * {@code customer} names the end user (the customer); {@code internal_user} the internal user.
   */
  public record UserHeaderMapping(String headerName, String litellmUserRole) {
    public String role() {
      return litellmUserRole == null ? null : litellmUserRole.trim().toLowerCase(Locale.ROOT);
    }
  }

  public void validate(Problems problems, String path) {
    for (int i = 0; i < userHeaderMappings.size(); i++) {
      UserHeaderMapping m = userHeaderMappings.get(i);
      String where = path + ".user_header_mappings[" + i + "]";
      if (m.headerName() == null || m.headerName().isBlank()) {
        problems.error(where + ".header_name", "is required");
      }
      String role = m.role();
      if (role == null) {
        problems.error(where + ".litellm_user_role", "is required (customer or internal_user)");
      } else if (OTHER_ROLES.contains(role)) {
        problems.warn(where + ".litellm_user_role", "role '" + role + "' is not implemented by Tollgate, ignored");
      } else if (!role.equals(CUSTOMER) && !role.equals(INTERNAL_USER)) {
        problems.error(where + ".litellm_user_role", "must be customer or internal_user");
      }
    }
  }

  /** The headers of mappings with {@code role}, lower-cased, in order. */
  public List<String> headersWithRole(String role) {
    return userHeaderMappings.stream()
        .filter(m -> role.equals(m.role()) && m.headerName() != null && !m.headerName().isBlank())
        .map(m -> m.headerName().trim().toLowerCase(Locale.ROOT)).toList();
  }
}
