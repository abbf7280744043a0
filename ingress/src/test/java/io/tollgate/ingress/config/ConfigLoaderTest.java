package io.tollgate.ingress.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static IngressConfig load(String yaml, Map<String, String> env) throws Exception {
    return ConfigLoader.fromTree(YAML.readTree(yaml), env);
  }

  @Test
  void readsALiteLlmConfigWithEnvironmentReferences() throws Exception {
    IngressConfig c = load("""
        model_list:
          - model_name: claude-sonnet-4-5
            litellm_params:
              model: anthropic/claude-sonnet-4-5-20250929
              api_key: os.environ/ANTHROPIC_API_KEY
              input_cost_per_token: 0.000002
          - model_name: gpt-5
            litellm_params: {model: openai/gpt-5, api_base: "http://127.0.0.1:9/v1/"}
            model_info: {output_cost_per_token: 0.00001}
        general_settings:
          master_key: os.environ/MASTER
          forward_client_headers_to_llm_api: true
          user_header_mappings: [{header_name: X-OpenWebUI-User-Id, litellm_user_role: customer}]
        tollgate:
          port: 4100
          keys: [{key: sk-a, alias: a, customer_id: acme}]
        """, Map.of("ANTHROPIC_API_KEY", "sk-ant-secret", "MASTER", "sk-master"));
    assertThat(c.port()).isEqualTo(4100);
    assertThat(c.masterKey()).isEqualTo("sk-master");
    assertThat(c.deployments()).hasSize(2);
    Deployment claude = c.deployments().get(0);
    assertThat(claude.provider()).isEqualTo("anthropic");
    assertThat(claude.upstreamModel()).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(claude.apiBase()).isEqualTo("https://api.anthropic.com");
    assertThat(claude.apiKey()).isEqualTo("sk-ant-secret");
    assertThat(claude.forwardClientHeaders()).isTrue();
    assertThat(claude.priceOverrides()).containsKey("input_cost_per_token");
    assertThat(c.deployments().get(1).apiBase()).isEqualTo("http://127.0.0.1:9/v1");
    assertThat(c.deployments().get(1).priceOverrides()).containsKey("output_cost_per_token");
    assertThat(c.userHeaderMappings()).containsExactly("x-openwebui-user-id");
    assertThat(c.virtualKeys()).containsKey("sk-a");
    assertThat(c.toString()).doesNotContain("sk-master").doesNotContain("sk-a");
    assertThat(claude.toString()).doesNotContain("sk-ant-secret");
  }

  @Test
  void everyProblemIsReportedAtOnceWithoutSecrets() {
    assertThatThrownBy(() -> load("""
        model_list:
          - model_name: a
            litellm_params: {model: claude-without-provider}
          - model_name: b
            litellm_params: {model: cohere/command, api_key: os.environ/MISSING}
          - litellm_params: {model: openai/gpt-5, api_key: os.environ/ALSO_MISSING, api_base: ftp://x}
        general_settings: {master_key: not-sk}
        tollgate: {port: abc, keys: [{alias: nokey}]}
        """, Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSizeGreaterThanOrEqualTo(7))
        .hasMessageContaining("model_list[0].litellm_params.model must look like anthropic/<model>")
        .hasMessageContaining("provider 'cohere' is not supported")
        .hasMessageContaining("model_list[2].model_name is required")
        .hasMessageContaining("environment variable ALSO_MISSING, which is not set")
        .hasMessageContaining("api_base must be an http(s) URL")
        .hasMessageContaining("master_key must start with 'sk-'")
        .hasMessageContaining("tollgate.port must be a whole number")
        .hasMessageContaining("tollgate.keys[0].key is required")
        .hasMessageNotContaining("not-sk");
  }

  @Test
  void environmentOverridesTheFile() throws Exception {
    IngressConfig c = load("tollgate: {port: 4100, kafka: {bootstrap_servers: a:1}}",
        Map.of("TOLLGATE_PORT", "4200", "TOLLGATE_KAFKA", "b:2", "LITELLM_MASTER_KEY", "sk-env"));
    assertThat(c.port()).isEqualTo(4200);
    assertThat(c.kafkaBootstrap()).isEqualTo("b:2");
    assertThat(c.masterKey()).isEqualTo("sk-env");
  }

  @Test
  void theMasterKeyAsLiteLlmConfigsWriteItAndWhichSourceWins() throws Exception {
    // LiteLLM's own config line: the key named through the environment.
    assertThat(load("general_settings: {master_key: os.environ/LITELLM_MASTER_KEY}",
        Map.of("LITELLM_MASTER_KEY", "sk-from-env")).masterKey()).isEqualTo("sk-from-env");
    assertThat(load("general_settings: {master_key: sk-in-file}", Map.of()).masterKey()).isEqualTo("sk-in-file");
    // Both set and different: LITELLM_MASTER_KEY wins (so ./tollgate run --master-key overrides a config file);
    // LiteLLM itself prefers the file here (docs/management-api.md, "The master key").
    IngressConfig both = load("general_settings: {master_key: sk-in-file}", Map.of("LITELLM_MASTER_KEY", "sk-env-wins"));
    assertThat(both.masterKey()).isEqualTo("sk-env-wins");
    assertThat(both.toString()).doesNotContain("sk-env-wins").doesNotContain("sk-in-file");
    assertThatThrownBy(() -> load("general_settings: {master_key: os.environ/NOT_SET_ANYWHERE}", Map.of()))
        .hasMessageContaining("NOT_SET_ANYWHERE");
  }

  @Test
  void gatewayIdFromConfigElseTheHostName() throws Exception {
    assertThat(load("tollgate: {gateway_id: gw-eu-1}", Map.of("HOSTNAME", "pod-7")).gatewayId()).isEqualTo("gw-eu-1");
    assertThat(load("tollgate: {port: 4100}", Map.of("HOSTNAME", "pod-7")).gatewayId()).isEqualTo("pod-7");
    assertThat(load("tollgate: {port: 4100}", Map.of()).gatewayId()).isEqualTo("gateway-1");
  }

  @Test
  void aLiteLlmConfigFullOfUnimplementedSettingsStartsAndListsEachAsAWarning() throws Exception {
    IngressConfig c = load("""
        model_list:
          - model_name: gpt-5
            litellm_params: {model: openai/gpt-5, api_key: os.environ/OPENAI_API_KEY, rpm: 60, timeout: 30}
            model_info: {mode: chat}
        litellm_settings:
          drop_params: true
          num_retries: 3
          request_timeout: 600
          success_callback: [langfuse]
          callbacks: [my_module.handler]
          cache: true
        general_settings:
          master_key: sk-1234
          database_url: os.environ/DATABASE_URL
          store_model_in_db: true
          alerting: [slack]
          proxy_batch_write_at: 60
          master_kee: sk-typo
        router_settings: {routing_strategy: usage-based-routing-v2}
        environment_variables: {REDIS_HOST: redis}
        """, Map.of("OPENAI_API_KEY", "sk-openai"));
    assertThat(c.deployments()).hasSize(1);
    String ignored = ": not implemented by Tollgate, ignored";
    assertThat(c.warnings()).containsExactlyInAnyOrder(
        "model_list[0].litellm_params.rpm" + ignored,
        "model_list[0].litellm_params.timeout" + ignored,
        "model_list[0].model_info.mode" + ignored,
        "litellm_settings.drop_params" + ignored,
        "litellm_settings.num_retries" + ignored,
        "litellm_settings.request_timeout" + ignored,
        "litellm_settings.success_callback" + ignored,
        "litellm_settings.callbacks" + ignored,
        "litellm_settings.cache" + ignored,
        "general_settings.database_url" + ignored,
        "general_settings.store_model_in_db" + ignored,
        "general_settings.alerting" + ignored,
        "general_settings.proxy_batch_write_at" + ignored,
        "general_settings.master_kee: unknown key, ignored",
        "router_settings" + ignored,
        "environment_variables" + ignored);
  }

  @Test
  void forwardingPerModelGroupIsReadWhereLiteLlmPutsItAndAtTheRoot() throws Exception {
    IngressConfig c = load("""
        model_list:
          - {model_name: m, litellm_params: {model: anthropic/claude-sonnet-4-5}}
          - {model_name: legacy, litellm_params: {model: anthropic/claude-opus-4-1}}
          - {model_name: other, litellm_params: {model: anthropic/claude-haiku-4-5}}
        litellm_settings:
          model_group_settings: {forward_client_headers_to_llm_api: [m, missing]}
        model_group_settings: {forward_client_headers_to_llm_api: [legacy]}
        general_settings: {master_key: sk-m}
        """, Map.of());
    assertThat(c.deployments()).extracting(Deployment::modelName, Deployment::forwardClientHeaders)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("m", true), org.assertj.core.groups.Tuple.tuple("legacy", true),
            org.assertj.core.groups.Tuple.tuple("other", false));
    assertThat(c.forwardClientHeaders()).isFalse();
    assertThat(c.warnings()).containsExactly("litellm_settings.model_group_settings.forward_client_headers_to_llm_api: "
        + "'missing' is no model_name of model_list, ignored");
  }

  @Test
  void onlyTheCustomerRoleNamesTheCustomer() throws Exception {
    IngressConfig c = load("""
        general_settings:
          master_key: sk-m
          user_header_mappings:
            - {header_name: X-OpenWebUI-User-Id, litellm_user_role: internal_user}
            - {header_name: X-OpenWebUI-User-Email, litellm_user_role: customer}
        """, Map.of());
    assertThat(c.userHeaderMappings()).containsExactly("x-openwebui-user-email");
    assertThat(c.internalUserHeaders()).containsExactly("x-openwebui-user-id");
    assertThat(c.warnings()).isEmpty();
    assertThatThrownBy(() -> load("""
        general_settings:
          user_header_mappings: [{header_name: X-A, litellm_user_role: boss}, {litellm_user_role: customer}, {header_name: X-B}]
        """, Map.of()))
        .hasMessageContaining("user_header_mappings[0].litellm_user_role must be customer or internal_user")
        .hasMessageContaining("user_header_mappings[1].header_name is required")
        .hasMessageContaining("user_header_mappings[2].litellm_user_role is required");
  }

  @Test
  void valuesOfTheWrongTypeAreErrorsNotDefaultsAllAtOnce() {
    assertThatThrownBy(() -> load("""
        general_settings: {master_key: sk-m, forward_client_headers_to_llm_api: sometimes}
        litellm_settings: {forward_llm_provider_auth_headers: 1}
        tollgate: {upstream_timeout_s: [1], idle_timeout_s: 1.5, stream_idle_timeout_s: soon, port: 70000,
                   kafka: {bootstrap_servers: {host: k}}}
        """, Map.of("TOLLGATE_GATEWAY_ID", "gw")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
            "general_settings.forward_client_headers_to_llm_api must be true or false",
            "litellm_settings.forward_llm_provider_auth_headers must be true or false",
            "tollgate.upstream_timeout_s must be a whole number",
            "tollgate.idle_timeout_s must be a whole number",
            "tollgate.stream_idle_timeout_s must be a whole number",
            "tollgate.port must be a port number (0-65535)",
            "tollgate.kafka.bootstrap_servers must be a text value, not a mapping"));
    assertThatThrownBy(() -> load("tollgate: {port: 4100}", Map.of("TOLLGATE_PORT", "40x0")))
        .hasMessageContaining("environment variable TOLLGATE_PORT must be a whole number");
  }

  @Test
  void theNewerSettingsWithTheirDefaults() throws Exception {
    IngressConfig defaults = load("general_settings: {master_key: sk-m}", Map.of());
    assertThat(defaults.host()).isEqualTo("127.0.0.1");
    assertThat(defaults.port()).isEqualTo(4000);
    assertThat(defaults.idleTimeoutMs()).isEqualTo(IngressConfig.DEFAULT_IDLE_TIMEOUT_MS);
    assertThat(defaults.requestReadTimeoutMs()).isEqualTo(IngressConfig.DEFAULT_REQUEST_READ_TIMEOUT_MS);
    assertThat(defaults.streamIdleTimeoutMs()).isEqualTo(IngressConfig.DEFAULT_STREAM_IDLE_TIMEOUT_MS);
    assertThat(defaults.upstreamTimeoutMs()).isEqualTo(600_000);
    assertThat(defaults.maxBodyBytes()).isEqualTo(32L * 1024 * 1024);
    assertThat(defaults.corsAllowedOrigins()).containsExactly("*");
    assertThat(defaults.kafkaProperties()).isEmpty();
    assertThat(defaults.tls()).isNull();
    assertThat(defaults.forwardProviderAuthHeaders()).isFalse();

    IngressConfig c = load("""
        litellm_settings: {forward_llm_provider_auth_headers: true}
        tollgate:
          host: 0.0.0.0
          idle_timeout_s: 30
          request_read_timeout_s: 10
          stream_idle_timeout_s: 90
          cors: {allowed_origins: ["https://app.example.com"]}
          tls: {cert_path: /etc/tls/cert.pem, key_path: /etc/tls/key.pem}
          kafka: {bootstrap_servers: "k:9093", properties: {security.protocol: SASL_SSL, sasl.jaas.config: os.environ/JAAS}}
          keys: [{key: os.environ/TEAM_KEY, alias: team}]
        """, Map.of("JAAS", "org.apache.kafka...PlainLoginModule required password=\"s3cr3t\";", "TEAM_KEY", "sk-team"));
    assertThat(c.forwardProviderAuthHeaders()).isTrue();
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.idleTimeoutMs()).isEqualTo(30_000);
    assertThat(c.requestReadTimeoutMs()).isEqualTo(10_000);
    assertThat(c.streamIdleTimeoutMs()).isEqualTo(90_000);
    assertThat(c.corsAllowedOrigins()).containsExactly("https://app.example.com");
    assertThat(c.tls()).isEqualTo(new IngressConfig.Tls("/etc/tls/cert.pem", "/etc/tls/key.pem"));
    assertThat(c.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL")
        .hasEntrySatisfying("sasl.jaas.config", v -> assertThat(v).contains("s3cr3t"));
    assertThat(c.virtualKeys()).containsKey("sk-team");
    assertThat(c.toString()).doesNotContain("s3cr3t").doesNotContain("sk-team");

    assertThatThrownBy(() -> load("tollgate: {tls: {cert_path: /c.pem}, kafka: {properties: {sasl.jaas.config: os.environ/NOPE}}}",
        Map.of()))
        .hasMessageContaining("tollgate.tls needs both cert_path and key_path")
        .hasMessageContaining("tollgate.kafka.properties.sasl.jaas.config refers to environment variable NOPE");
  }

  @Test
  void anOpenGatewayIsAWarningAndLoopbackByDefault() throws Exception {
    IngressConfig open = load("model_list: []", Map.of());
    assertThat(open.host()).isEqualTo("127.0.0.1");
    assertThat(open.open()).isTrue();
    assertThat(open.warnings()).singleElement().asString().contains("OPEN").doesNotContain("listens on");
    assertThat(load("tollgate: {host: 0.0.0.0}", Map.of()).warnings()).singleElement().asString()
        .contains("OPEN").contains("listens on 0.0.0.0");
    assertThat(load("tollgate: {keys: [{key: sk-a}]}", Map.of()).warnings()).isEmpty();
  }

  @Test
  void theHandoffLogIsConfiguredUnderTollgateHandoffAndBadValuesAreReportedTogether() throws Exception {
    assertThat(load("", Map.of()).handoff()).isEqualTo(io.tollgate.ingress.publish.HandoffOptions.DEFAULTS);
    IngressConfig c = load("""
        tollgate:
          handoff: {fsync: interval_ms, fsync_interval_ms: 25, segment_mb: 4, memory_mb: 8, backlog_limit_mb: 0,
                    preallocate: false}
        """, Map.of());
    assertThat(c.handoff().preallocate()).isFalse();
    assertThat(load("", Map.of()).handoff().preallocate()).as("on by default").isTrue();
    assertThat(c.handoff().fsync()).isEqualTo(io.tollgate.ingress.publish.HandoffOptions.Fsync.INTERVAL_MS);
    assertThat(c.handoff().fsyncIntervalMs()).isEqualTo(25);
    assertThat(c.handoff().segmentBytes()).isEqualTo(4L << 20);
    assertThat(c.handoff().memoryBytes()).isEqualTo(8L << 20);
    assertThat(c.handoff().backlogLimitBytes()).isZero();
    assertThat(load("tollgate: {handoff: {fsync: none, fsyn_interval: 3}}", Map.of()).warnings())
        .anySatisfy(w -> assertThat(w).contains("tollgate.handoff.fsyn_interval"));
    assertThatThrownBy(() -> load("tollgate: {handoff: {fsync: always, memory_mb: 0}}", Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2)
            .anySatisfy(p -> assertThat(p).contains("tollgate.handoff.fsync").contains("group, interval_ms, none"))
            .anySatisfy(p -> assertThat(p).contains("tollgate.handoff.memory_mb")));
  }

  @Test
  void budgetsAreConfiguredUnderTollgateBudgetsAndBadValuesAreReportedTogether() throws Exception {
    assertThat(load("", Map.of()).budgets()).isEqualTo(io.tollgate.ingress.budget.BudgetSettings.DEFAULTS);
    assertThat(load("", Map.of()).budgets().failClosed()).isFalse();
    IngressConfig c = load("""
        tollgate:
          budgets: {on_stale_totals: closed, max_staleness_s: 15, soft_budget_channels: [slack, email],
                    default_max_output_tokens: 8192, enabled: true}
        """, Map.of());
    assertThat(c.budgets().failClosed()).isTrue();
    assertThat(c.budgets().maxStalenessMs()).isEqualTo(15_000);
    assertThat(c.budgets().softBudgetChannels()).containsExactly("slack", "email");
    assertThat(c.budgets().defaultMaxOutputTokens()).isEqualTo(8192);
    assertThat(load("tollgate: {alerts: {slack: {webhook_url: https://hooks.example/x}}}", Map.of()).budgets()
        .softBudgetChannels()).containsExactly("log", "slack");
    assertThat(load("tollgate: {budgets: {on_stale: closed}}", Map.of()).warnings())
        .anySatisfy(w -> assertThat(w).contains("tollgate.budgets.on_stale").contains("unknown key"));
    assertThatThrownBy(() -> load("tollgate: {budgets: {on_stale_totals: sometimes, max_staleness_s: 0, "
        + "soft_budget_channels: [pager]}}", Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(3)
            .anySatisfy(p -> assertThat(p).contains("tollgate.budgets.on_stale_totals").contains("open or closed"))
            .anySatisfy(p -> assertThat(p).contains("tollgate.budgets.max_staleness_s"))
            .anySatisfy(p -> assertThat(p).contains("tollgate.budgets.soft_budget_channels").contains("pager")));
  }

  @Test
  void rateLimitOptionsHaveDefaultsAndRefuseLessThanOne() throws Exception {
    assertThat(load("", Map.of()).rateLimits()).isEqualTo(IngressConfig.RateLimits.DEFAULTS);
    IngressConfig c = load("tollgate: {rate_limits: {instances: 3, max_tracked_scopes: 1000}}", Map.of());
    assertThat(c.rateLimits()).isEqualTo(new IngressConfig.RateLimits(3, 1000));
    assertThat(load("tollgate: {rate_limits: {instance: 3}}", Map.of()).warnings())
        .anySatisfy(w -> assertThat(w).contains("tollgate.rate_limits.instance"));
    assertThatThrownBy(() -> load("tollgate: {rate_limits: {instances: 0, max_tracked_scopes: 0}}", Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).problems()).hasSize(2)
            .anySatisfy(p -> assertThat(p).contains("tollgate.rate_limits.instances"))
            .anySatisfy(p -> assertThat(p).contains("tollgate.rate_limits.max_tracked_scopes")));
  }

  @Test
  void litellmsMaxEndUserBudgetIdNamesTheBudgetOfCustomersWithoutOne() throws Exception {
    assertThat(load("", Map.of()).budgets().defaultEndUserBudgetId()).isNull();
    assertThat(load("litellm_settings: {max_end_user_budget_id: free-tier}", Map.of()).budgets()
        .defaultEndUserBudgetId()).isEqualTo("free-tier");
    assertThat(load("litellm_settings: {max_end_user_budget_id: free-tier}", Map.of()).warnings())
        .noneSatisfy(w -> assertThat(w).contains("max_end_user_budget_id"));
  }
}
