package io.tollgate.schemas.config;

import java.util.List;
import java.util.Map;

/**
 * The {@code tollgate:} section: what LiteLLM's format has no place for. Defaults live with the
 * apps' typed configs ({@code IngressConfig}); here a missing key is null.
 *
 * @param upstreamTimeoutS      seconds without an upstream answer before 504
 * @param idleTimeoutS          seconds a client connection may stay silent
 * @param requestReadTimeoutS   seconds for a request's headers and body to arrive (else 408)
 * @param streamIdleTimeoutS    seconds an upstream answer may stall mid-body
 */
public record TollgateSection(Integer port, String host, String gatewayId, Kafka kafka, String spillDir,
                              Integer maxRequestBodyMb, Integer upstreamTimeoutS, Integer idleTimeoutS,
                              Integer requestReadTimeoutS, Integer streamIdleTimeoutS, Cors cors, Tls tls,
                              List<Key> keys, AlertsSection alerts) {
  static final TollgateSection EMPTY = new TollgateSection(null, null, null, null, null, null, null, null, null, null,
      null, null, null, null);

  public TollgateSection {
    kafka = kafka == null ? new Kafka(null, null) : kafka;
    keys = ConfigTree.list(keys);
  }

  /**
   * @param bootstrapServers Kafka bootstrap servers
   * @param properties       extra client properties (SSL, SASL, …) for every Kafka client; values
   *                         may be {@code os.environ/NAME} and are never logged
   */
  public record Kafka(String bootstrapServers, Map<String, String> properties) {
    public Kafka {
      properties = ConfigTree.map(properties);
    }

    @Override
    public String toString() {
      return "Kafka[" + bootstrapServers + ", properties " + properties.keySet() + "]";
    }
  }

  /** @param allowedOrigins origins CORS allows ({@code *} = any) */
  public record Cors(List<String> allowedOrigins) {
  }

  /** PEM certificate chain and private key for TLS on the gateway port. */
  public record Tls(String certPath, String keyPath) {
  }

  /** A virtual key until the key store exists; {@code key} may be {@code os.environ/NAME}. */
  public record Key(String key, String alias, String customerId) {
    @Override
    public String toString() {
      return "Key[" + alias + ", customer " + customerId + "]";
    }
  }

  /** The checks that need no environment. */
  public void validate(Problems problems, String path) {
    if (port != null && (port < 0 || port > 65535)) {
      problems.error(path + ".port", "must be a port number (0-65535)");
    }
    atLeastOne(problems, path + ".max_request_body_mb", maxRequestBodyMb);
    atLeastOne(problems, path + ".upstream_timeout_s", upstreamTimeoutS);
    atLeastOne(problems, path + ".idle_timeout_s", idleTimeoutS);
    atLeastOne(problems, path + ".request_read_timeout_s", requestReadTimeoutS);
    atLeastOne(problems, path + ".stream_idle_timeout_s", streamIdleTimeoutS);
    if (tls != null && (blank(tls.certPath()) || blank(tls.keyPath()))) {
      problems.error(path + ".tls", "needs both cert_path and key_path");
    }
    if (cors != null && cors.allowedOrigins() != null && cors.allowedOrigins().isEmpty()) {
      problems.error(path + ".cors.allowed_origins", "must name at least one origin (\"*\" = any)");
    }
    for (int i = 0; i < keys.size(); i++) {
      if (blank(keys.get(i).key())) {
        problems.error(path + ".keys[" + i + "].key", "is required");
      }
    }
  }

  private static void atLeastOne(Problems problems, String path, Integer value) {
    if (value != null && value < 1) {
      problems.error(path, "must be at least 1");
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
