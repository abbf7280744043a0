package io.tollgate.reconciler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.tollgate.schemas.config.ConfigException;
import io.tollgate.schemas.config.ConfigFile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ReconcilerConfigLoaderTest {
  private static final String SECRET = "sk-ant-admin01-do-not-print";

  private static ConfigFile file(String yaml) throws Exception {
    JsonNode tree = new YAMLMapper().readTree(yaml);
    return ConfigFile.of(tree);
  }

  @Test
  void bindsEverySettingWithDefaults() throws Exception {
    ReconcilerConfig c = ReconcilerConfigLoader.from(file("""
        tollgate:
          reconciliation:
            drift_percent: 2.5
            channels: [slack]
            anthropic: {admin_key: os.environ/ANTHROPIC_ADMIN_KEY, api_key_ids: [apikey_01], workspace_ids: [wrkspc_01]}
            openai: {admin_key: os.environ/OPENAI_ADMIN_KEY, project_ids: [proj_1], base_url: "http://127.0.0.1:9/"}
        """), Map.of("ANTHROPIC_ADMIN_KEY", SECRET, "OPENAI_ADMIN_KEY", "sk-admin-x"));
    assertThat(c.lookbackDays()).isEqualTo(7);
    assertThat(c.pollInterval()).isEqualTo(Duration.ofHours(24));
    assertThat(c.settle()).isEqualTo(Duration.ofHours(48));
    assertThat(c.drift()).isEqualTo(new ReconcilerConfig.Drift(250, 1_000_000_000L, 50_000_000L));
    assertThat(c.anthropic().adminKey()).isEqualTo(SECRET);
    assertThat(c.anthropic().baseUrl().toString()).isEqualTo("https://api.anthropic.com");
    assertThat(c.openai().baseUrl().toString()).isEqualTo("http://127.0.0.1:9");
    assertThat(c.enabled()).isTrue();
    assertThat(c.toString()).doesNotContain(SECRET).doesNotContain("sk-admin-x");
    assertThat(c.warnings()).isEmpty();
  }

  @Test
  void everyProblemIsReportedAtOnceWithoutTheSecret() throws Exception {
    assertThatThrownBy(() -> ReconcilerConfigLoader.from(file("""
        tollgate:
          reconciliation:
            lookback_days: 0
            settle_hours: -1
            drift_percent: -2
            channels: [pager]
            anthropic: {admin_key: %s, base_url: "ftp://x"}
            openai: {admin_key: os.environ/UNSET_ADMIN_KEY}
        """.formatted(SECRET)), Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> {
          ConfigException ce = (ConfigException) e;
          assertThat(ce.problems()).hasSize(7).allSatisfy(p -> assertThat(p).doesNotContain(SECRET));
          assertThat(String.join("\n", ce.problems())).contains("lookback_days", "settle_hours", "drift_percent",
              "'pager'", "anthropic.admin_key must be os.environ/NAME", "anthropic.base_url", "UNSET_ADMIN_KEY");
        });
  }

  @Test
  void unknownKeysAreWarnings() throws Exception {
    ReconcilerConfig c = ReconcilerConfigLoader.from(file("""
        tollgate:
          reconciliation:
            lookback: 3
            openai: {admin_key: os.environ/K, projects: [p]}
        """), Map.of("K", "v"));
    assertThat(c.warnings()).anySatisfy(w -> assertThat(w).contains("tollgate.reconciliation.lookback"))
        .anySatisfy(w -> assertThat(w).contains("tollgate.reconciliation.openai.projects"));
  }

  @Test
  void withoutTheSectionNothingIsEnabled() throws Exception {
    assertThat(ReconcilerConfigLoader.from(file("model_list: []"), Map.of()).enabled()).isFalse();
  }
}
