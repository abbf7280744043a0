package io.tollgate.local.kafka;

import io.tollgate.local.tls.SelfSignedCertificate;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Secured listeners of an {@link EmbeddedKafka}, next to its PLAINTEXT one (which the broker, the
 * admin client and topic setup keep using): {@code SSL://127.0.0.1:<port>} with the certificate's
 * key store, and, when users are given, {@code SASL_SSL://127.0.0.1:<port>} with SASL/PLAIN over the
 * same TLS. No client certificates ({@code ssl.client.auth=none}).
 *
 * @param certificate the broker's key pair
 * @param plainUsers  SASL/PLAIN user name to password; empty for no SASL_SSL listener
 */
public record BrokerTls(SelfSignedCertificate certificate, Map<String, String> plainUsers) {
  public BrokerTls {
    Objects.requireNonNull(certificate, "certificate");
    plainUsers = Map.copyOf(plainUsers);
    if (plainUsers.keySet().stream().anyMatch(u -> !u.matches("[A-Za-z0-9_-]+"))) {
      throw new IllegalArgumentException("SASL user names must be plain words");
    }
  }

  /** Never shows the passwords. */
  @Override
  public String toString() {
    return "BrokerTls[" + certificate + ", users " + plainUsers.keySet() + "]";
  }

  boolean sasl() {
    return !plainUsers.isEmpty();
  }

  /** Adds the listeners to broker properties already holding PLAINTEXT and CONTROLLER. */
  void addTo(Properties p, int sslPort, int saslPort) {
    String listeners = "SSL://127.0.0.1:" + sslPort + (sasl() ? ",SASL_SSL://127.0.0.1:" + saslPort : "");
    p.put("listeners", p.getProperty("listeners") + "," + listeners);
    p.put("advertised.listeners", p.getProperty("advertised.listeners") + "," + listeners);
    p.put("listener.security.protocol.map", p.getProperty("listener.security.protocol.map")
        + ",SSL:SSL" + (sasl() ? ",SASL_SSL:SASL_SSL" : ""));
    p.put("ssl.keystore.location", certificate.keyStore().toString());
    p.put("ssl.keystore.type", "PKCS12");
    p.put("ssl.keystore.password", certificate.password());
    p.put("ssl.key.password", certificate.password());
    p.put("ssl.client.auth", "none");
    if (sasl()) {
      p.put("sasl.enabled.mechanisms", "PLAIN");
      p.put("listener.name.sasl_ssl.plain.sasl.jaas.config",
          "org.apache.kafka.common.security.plain.PlainLoginModule required "
              + plainUsers.entrySet().stream().map(e -> "user_" + e.getKey() + "=\"" + e.getValue() + "\"")
              .collect(Collectors.joining(" ")) + ";");
    }
  }

  /** Client properties for the SASL_SSL listener as {@code user}, trusting the certificate. */
  public Map<String, String> saslSslClient(String user, String password) {
    return Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
        "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
            + "\" password=\"" + password + "\";",
        "ssl.truststore.location", certificate.trustStore().toString(), "ssl.truststore.type", "PKCS12",
        "ssl.truststore.password", certificate.password());
  }
}
