package io.tollgate.ingress.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.ingress.config.IngressConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class GatewayTlsTest {

  @Test
  void withoutTlsThePortStaysPlainHttp() {
    assertThat(GatewayTls.apply(new HttpServerOptions(), null).isSsl()).isFalse();
  }

  @Test
  void thePemFilesBecomeTheServersKeyAndCertificate(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("c.pem"), "x");
    Path key = Files.writeString(dir.resolve("k.pem"), "x");
    HttpServerOptions options = GatewayTls.apply(new HttpServerOptions(), new IngressConfig.Tls(cert.toString(),
        key.toString()));
    assertThat(options.isSsl()).isTrue();
    assertThat(options.isUseAlpn()).isFalse();
    PemKeyCertOptions pem = (PemKeyCertOptions) options.getKeyCertOptions();
    assertThat(pem.getCertPaths()).containsExactly(cert.toString());
    assertThat(pem.getKeyPaths()).containsExactly(key.toString());
  }

  @Test
  void anUnreadableFileIsNamedAtStart(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("c.pem"), "x");
    assertThatThrownBy(() -> GatewayTls.apply(new HttpServerOptions(),
        new IngressConfig.Tls(cert.toString(), dir.resolve("missing.key").toString())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("private key").hasMessageContaining("missing.key");
  }
}
