package io.tollgate.ingress.provider;

import io.tollgate.ingress.config.IngressConfig;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS on the gateway port ({@code IngressConfig.tls()}): a PEM certificate chain and its PEM
 * private key (PKCS#8 or PKCS#1), read by Vert.x when the server starts. HTTP/1.1 only, as without
 * TLS (no ALPN to h2). Without it the port speaks plain HTTP, for a TLS-terminating load balancer in
 * front (docs/security.md).
 */
public final class GatewayTls {
  private GatewayTls() {
  }

  /**
   * Turns TLS on in {@code options} when {@code tls} is set; returns {@code options} either way.
   *
   * @throws IllegalArgumentException naming a file that cannot be read (never its content)
   */
  public static HttpServerOptions apply(HttpServerOptions options, IngressConfig.Tls tls) {
    if (tls == null) {
      return options;
    }
    requireReadable(tls.certPath(), "certificate");
    requireReadable(tls.keyPath(), "private key");
    return options.setSsl(true).setUseAlpn(false)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certPath()).setKeyPath(tls.keyPath()));
  }

  private static void requireReadable(String path, String what) {
    if (path == null || path.isBlank() || !Files.isReadable(Path.of(path))) {
      throw new IllegalArgumentException("gateway TLS: cannot read the " + what + " file '" + path + "'");
    }
  }
}
