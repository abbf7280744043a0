package io.tollgate.ingress.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code tollgate.clickhouse}: where the spend API reads. */
class SpendStoreConfigTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static IngressConfig load(String yaml, Map<String, String> env) throws Exception {
    return ConfigLoader.fromTree(YAML.readTree(yaml), env);
  }

  @Test
  void noneUnlessConfigured() throws Exception {
    assertThat(load("{}", Map.of()).clickhouse()).isNull();
  }

  @Test
  void theFileNamesItTheEnvironmentWinsAndCarriesTheCredentials() throws Exception {
    String yaml = "tollgate: {clickhouse: {url: 'http://ch:8123', database: spend}}";
    IngressConfig fromFile = load(yaml, Map.of());
    assertThat(fromFile.clickhouse().url()).isEqualTo("http://ch:8123");
    assertThat(fromFile.clickhouse().database()).isEqualTo("spend");
    IngressConfig fromEnv = load(yaml, Map.of("CLICKHOUSE_URL", "https://other:8443", "CLICKHOUSE_USER", "reader",
        "CLICKHOUSE_PASSWORD", "pw-secret"));
    assertThat(fromEnv.clickhouse().url()).isEqualTo("https://other:8443");
    assertThat(fromEnv.clickhouse().user()).isEqualTo("reader");
    assertThat(fromEnv.clickhouse().password()).isEqualTo("pw-secret");
    assertThat(fromEnv.toString()).doesNotContain("pw-secret");
    assertThat(load("{}", Map.of("CLICKHOUSE_URL", "http://ch:8123")).clickhouse().database()).isEqualTo("tollgate");
  }

  @Test
  void aBadUrlOrAnUnknownKeyIsReported() throws Exception {
    assertThatThrownBy(() -> load("tollgate: {clickhouse: {url: 'ch:8123'}}", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("tollgate.clickhouse");
    assertThat(load("tollgate: {clickhouse: {url: 'http://ch:8123', pasword: x}}", Map.of()).warnings())
        .anyMatch(w -> w.contains("pasword"));
  }
}
