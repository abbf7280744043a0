package io.tollgate.schemas.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import ru.yandex.clickhouse.settings.ClickHouseProperties;

/** How settings become the driver's properties: TLS from the URL, credentials, no secret in text. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ClickHouseSettingsTest {

  @Test
  void anHttpsUrlTurnsOnStrictTlsWithTheGivenRootCertificate() {
    ClickHouseSettings s = ClickHouseSettings.fromEnvironment("https://ch.example.com", "tollgate", Map.of(
        "CLICKHOUSE_USER", "sink", "CLICKHOUSE_PASSWORD", "hunter2", "CLICKHOUSE_SSL_ROOT_CERT", "/etc/ch-ca.pem"));
    assertThat(s.port()).isEqualTo(8443);
    ClickHouseProperties p = ClickHouseClient.driverProperties(s, "tollgate");
    assertThat(p.getSsl()).isTrue();
    assertThat(p.getSslMode()).isEqualTo("strict");
    assertThat(p.getSslRootCertificate()).isEqualTo("/etc/ch-ca.pem");
    assertThat(p.getUser()).isEqualTo("sink");
    assertThat(p.getHttpAuthorization()).isEqualTo("Basic "
        + Base64.getEncoder().encodeToString("sink:hunter2".getBytes(StandardCharsets.UTF_8)));
    assertThat(s.toString()).contains("ssl strict", "/etc/ch-ca.pem", "user=sink").doesNotContain("hunter2");
  }

  @Test
  void withoutARootCertificateTheJvmTrustStoreDecides() {
    ClickHouseProperties p = ClickHouseClient.driverProperties(
        new ClickHouseSettings("https://ch:8443", "db", "u", "p", null), "db");
    assertThat(p.getSsl()).isTrue();
    assertThat(p.getSslRootCertificate()).isEmpty();
    assertThat(p.getSslMode()).isEqualTo("strict");
  }

  @Test
  void plainHttpHasNoTlsAndTheDefaultUserNoAuthorizationHeader() {
    ClickHouseSettings s = ClickHouseSettings.of("http://127.0.0.1:8123", "db");
    ClickHouseProperties p = ClickHouseClient.driverProperties(s, "db");
    assertThat(p.getSsl()).isFalse();
    assertThat(p.getHttpAuthorization()).isNull();
    assertThat(s.toString()).doesNotContain("ssl");
  }

  @Test
  void anUnknownSslModeIsRefused() {
    assertThatThrownBy(() -> new ClickHouseSettings("https://ch:8443", "db", "u", "p", null, null, "verify-ca"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strict or none");
    assertThat(new ClickHouseSettings("https://ch:8443", "db", "u", "p", null, null, "NONE").sslMode()).isEqualTo("none");
  }
}
