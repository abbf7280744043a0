package io.tollgate.schemas.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigFileTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static ConfigFile bind(String yaml) throws Exception {
    return ConfigFile.of(YAML.readTree(yaml));
  }

  @Test
  void everyUnknownOrUnimplementedKeyIsAWarningWithItsPath() throws Exception {
    ConfigFile f = bind("""
        model_list:
          - model_name: m
            litellm_params: {model: openai/gpt-5, rpm: 100, frobnicate: 1}
            model_info: {mode: chat}
        litellm_settings:
          success_callback: [langfuse]
          cache: true
          model_group_settings: {forward_client_headers_to_llm_api: [m]}
        general_settings: {database_url: os.environ/DB, master_kye: sk-typo}
        router_settings: {routing_strategy: simple-shuffle}
        tollgate:
          kafka: {bootstrap_servers: "k:9092", properties: {security.protocol: SASL_SSL}, extra: 1}
          alerts: {thresholds: [{id: t, amount_usd: 5, colour: red}]}
        """);
    assertThat(f.problems().errors()).isEmpty();
    assertThat(f.problems().warnings()).containsExactlyInAnyOrder(
        "model_list[0].litellm_params.rpm: not implemented by Tollgate, ignored",
        "model_list[0].litellm_params.frobnicate: unknown key, ignored",
        "model_list[0].model_info.mode: not implemented by Tollgate, ignored",
        "litellm_settings.success_callback: not implemented by Tollgate, ignored",
        "litellm_settings.cache: not implemented by Tollgate, ignored",
        "general_settings.database_url: not implemented by Tollgate, ignored",
        "general_settings.master_kye: unknown key, ignored",
        "router_settings: not implemented by Tollgate, ignored",
        "tollgate.kafka.extra: unknown key, ignored",
        "tollgate.alerts.thresholds[0].colour: unknown key, ignored");
    assertThat(f.root().litellmSettings().modelGroupSettings().forwardClientHeadersToLlmApi()).containsExactly("m");
    assertThat(f.root().tollgate().kafka().properties()).containsEntry("security.protocol", "SASL_SSL");
    assertThat(f.root().tollgate().alerts().thresholds().get(0).amountUsd()).isEqualByComparingTo("5");
  }

  @Test
  void scalarsOfTheWrongTypeAreErrorsNotCoercionsAllAtOnce() throws Exception {
    ConfigFile f = bind("""
        general_settings: {forward_client_headers_to_llm_api: sometimes}
        tollgate:
          port: "5x87"
          max_request_body_mb: 1.5
          upstream_timeout_s: [1]
          keys: {key: sk-a}
          alerts:
            email: {host: h, port: "5x87", from: a@b.c, to: [x@y.z]}
            anomalies: [{id: a, z_warning: abc, min_ratio: "2.5", min_baseline_periods: "7"}]
        """);
    assertThat(f.problems().errors()).containsExactlyInAnyOrder(
        "general_settings.forward_client_headers_to_llm_api must be true or false",
        "tollgate.port must be a whole number",
        "tollgate.max_request_body_mb must be a whole number",
        "tollgate.upstream_timeout_s must be a whole number",
        "tollgate.keys must be a list",
        "tollgate.alerts.email.port must be a whole number",
        "tollgate.alerts.anomalies[0].z_warning must be a number");
    // Quoted numbers are numbers, as in LiteLLM.
    assertThat(f.root().tollgate().alerts().anomalies().get(0).minRatio()).isEqualTo(2.5);
    assertThat(f.root().tollgate().alerts().anomalies().get(0).minBaselinePeriods()).isEqualTo(7);
    assertThat(f.root().tollgate().alerts().anomalies().get(0).zWarning()).isNull();
  }

  @Test
  void pricesAreExactAndNamedAsInLiteLlm() throws Exception {
    JsonNode tree = ConfigTree.read(write("""
        model_list:
          - model_name: m
            litellm_params: {model: openai/x, input_cost_per_token: 0.000000123456789, cache_creation_input_token_cost_above_1hr: 1e-6}
            model_info: {output_cost_per_token_above_200k_tokens: "0.00002"}
        """));
    ConfigFile f = ConfigFile.of(tree);
    assertThat(f.problems().warnings()).isEmpty();
    assertThat(f.root().modelList().get(0).priceOverrides())
        .containsEntry("input_cost_per_token", new BigDecimal("0.000000123456789"))
        .containsEntry("output_cost_per_token_above_200k_tokens", new BigDecimal("0.00002"))
        .containsKeys("cache_creation_input_token_cost_above_1hr");
  }

  @Test
  void tierAndWebSearchPricesAreReadAndChecked() throws Exception {
    ConfigFile f = bind("""
        model_list:
          - model_name: m
            litellm_params: {model: openai/x, input_cost_per_token_flex: 1e-6, rpm: 5,
                             search_context_cost_per_query: {search_context_size_medium: 0.01}}
            model_info: {output_cost_per_token_priority: "0.00002", cache_read_input_token_cost_batches: cheap,
                         input_cost_per_token: -1, search_context_cost_per_query: {search_context_size_low: free}}
        """);
    assertThat(f.problems().errors()).containsExactlyInAnyOrder(
        "model_list[0].model_info.cache_read_input_token_cost_batches must be a number (USD)",
        "model_list[0].model_info.input_cost_per_token must be zero or more",
        "model_list[0].model_info.search_context_cost_per_query.search_context_size_low must be a number (USD)");
    assertThat(f.problems().warnings()).containsExactly("model_list[0].litellm_params.rpm: not implemented by Tollgate, ignored");
    assertThat(f.root().modelList().get(0).priceOverrides()).containsKeys("input_cost_per_token_flex",
        "search_context_cost_per_query", "output_cost_per_token_priority").doesNotContainKey("rpm");
  }

  @Test
  void aFileThatIsNotYamlIsReportedWithoutQuotingIt() throws Exception {
    Path file = write("general_settings: {master_key: sk-s3cr3t\n");
    assertThatThrownBy(() -> ConfigFile.load(file)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("is not valid YAML").satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
    assertThatThrownBy(() -> ConfigFile.load(write("tollgate: {port: 1}\ntollgate: {port: 2}\n")))
        .hasMessageContaining("is not valid YAML");
    assertThat(ConfigFile.load(write("")).problems().errors()).isEmpty();
  }

  private static Path write(String text) throws Exception {
    Path file = Files.createTempFile("tollgate", ".yaml");
    Files.writeString(file, text);
    return file;
  }
}
