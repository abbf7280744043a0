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
        .hasMessageContaining("tollgate.port must be a number")
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
  void gatewayIdFromConfigElseTheHostName() throws Exception {
    assertThat(load("tollgate: {gateway_id: gw-eu-1}", Map.of("HOSTNAME", "pod-7")).gatewayId()).isEqualTo("gw-eu-1");
    assertThat(load("tollgate: {port: 4100}", Map.of("HOSTNAME", "pod-7")).gatewayId()).isEqualTo("pod-7");
    assertThat(load("tollgate: {port: 4100}", Map.of()).gatewayId()).isEqualTo("gateway-1");
  }
}
