package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.alerting.config.AlertingConfig;
import io.tollgate.ingress.config.IngressConfig;
import io.tollgate.schemas.config.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ./tollgate run --config FILE}: one file read once, its warnings reach both apps' configs. */
class LauncherConfigTest {
  @Test
  void theWarningsOfTheUsersFileReachTheGatewayAndAlerting() throws Exception {
    Path file = Files.createTempFile("tollgate", ".yaml");
    Files.writeString(file, """
        model_list: [{model_name: m, litellm_params: {model: openai/gpt-5}}]
        general_settings: {master_key: sk-1234}
        litellm_settings: {cache: true}
        tollgate:
          alerts: {thresholds: [{id: t, scope: customer, period: day, amount_usd: 5, channels: [log]}]}
        """);
    LauncherOptions o = LauncherOptions.parse(new String[] {"--config", file.toString()}, Map.of());
    ConfigFile parsed = ConfigFile.load(file);
    IngressConfig gateway = GatewayConfigs.build(o, parsed, "127.0.0.1:9092", null, Map.of());
    AlertingConfig alerting = AlertingConfigs.build(parsed, Map.of());
    String warning = "litellm_settings.cache: not implemented by Tollgate, ignored";
    assertThat(gateway.warnings()).containsExactly(warning);
    assertThat(alerting.warnings()).containsExactly(warning);
    assertThat(gateway.host()).isEqualTo("127.0.0.1");
  }

  @Test
  void theBuiltInConfigIsOpenOnLoopbackAndSaysSo() {
    LauncherOptions o = LauncherOptions.parse(new String[0], Map.of());
    IngressConfig gateway = GatewayConfigs.build(o, null, "127.0.0.1:9092", "http://127.0.0.1:4010", Map.of());
    assertThat(gateway.host()).isEqualTo("127.0.0.1");
    assertThat(gateway.warnings()).singleElement().asString().contains("OPEN");
    assertThat(gateway.deployments()).anySatisfy(d -> {
      assertThat(d.modelName()).isEqualTo("gemini-*");
      assertThat(d.provider()).isEqualTo("gemini");
      assertThat(d.apiBase()).isEqualTo("http://127.0.0.1:4010");
    });
    assertThat(AlertingConfigs.build((ConfigFile) null, Map.of()).warnings()).isEmpty();
  }
}
