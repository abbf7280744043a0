package io.tollgate.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ingress --validate}: OK only for a config without errors and warnings. */
class MainValidateTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int validate(String yaml, Map<String, String> env) throws Exception {
    Path file = Files.createTempFile("tollgate", ".yaml");
    Files.writeString(file, yaml);
    return Main.validate(file, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void unimplementedLiteLlmSettingsFailValidation() throws Exception {
    int status = validate("""
        model_list: [{model_name: m, litellm_params: {model: openai/gpt-5}}]
        general_settings: {master_key: sk-1234}
        litellm_settings: {success_callback: [langfuse], model_group_settings: {forward_client_headers_to_llm_api: [m]}}
        """, Map.of());
    assertThat(status).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("warning: litellm_settings.success_callback: not implemented by Tollgate, ignored")
        .doesNotContain("configuration OK");
  }

  @Test
  void errorsAndWarningsAreListedTogetherWithoutSecrets() throws Exception {
    int status = validate("""
        general_settings: {master_key: not-sk-s3cr3t, frobnicate: 1}
        tollgate: {port: "5x87"}
        """, Map.of());
    assertThat(status).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("error: general_settings.master_key must start with 'sk-'")
        .contains("error: tollgate.port must be a whole number")
        .contains("warning: general_settings.frobnicate: unknown key, ignored")
        .doesNotContain("s3cr3t");
  }

  @Test
  void aCleanConfigIsOk() throws Exception {
    int status = validate("""
        model_list: [{model_name: m, litellm_params: {model: openai/gpt-5, api_key: os.environ/K}}]
        general_settings: {master_key: sk-1234}
        """, Map.of("K", "sk-provider"));
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(status).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("configuration OK").doesNotContain("sk-provider");
  }
}
