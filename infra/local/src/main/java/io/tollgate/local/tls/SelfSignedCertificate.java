package io.tollgate.local.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A certificate for {@code 127.0.0.1} / {@code localhost}, made at run time with the JDK's
 * {@code keytool} (so nothing secret is checked in): a PKCS12 key store with the key pair, a PKCS12
 * trust store with the certificate, and the same as PEM files (certificate, PKCS#8 private key)
 * for servers that take PEM (Vert.x, ClickHouse). Valid for two days; one random password protects
 * both stores and the key.
 *
 * @param keyStore   PKCS12 key store (alias {@code server})
 * @param trustStore PKCS12 trust store holding the certificate
 * @param certPem    the certificate, PEM
 * @param keyPem     the private key, unencrypted PKCS#8 PEM (file readable by the owner only)
 * @param password   of both stores and the key
 */
public record SelfSignedCertificate(Path keyStore, Path trustStore, Path certPem, Path keyPem, String password) {
  private static final String ALIAS = "server";

  /** Never shows the password. */
  @Override
  public String toString() {
    return "SelfSignedCertificate[" + certPem + "]";
  }

  /** Generates the files under {@code dir} (created if missing); takes a second or two. */
  public static SelfSignedCertificate generate(Path dir) {
    byte[] random = new byte[12];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    try {
      Files.createDirectories(dir);
      Path keyStore = dir.resolve("server.p12");
      Path trustStore = dir.resolve("trust.p12");
      Path certPem = dir.resolve("server.crt");
      Path keyPem = dir.resolve("server.key");
      for (Path p : List.of(keyStore, trustStore, certPem, keyPem)) {
        Files.deleteIfExists(p);
      }
      keytool(password, "-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
          "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
          "-keystore", keyStore.toString(), "-storepass:env", "TOLLGATE_KEYTOOL_PW", "-keypass:env", "TOLLGATE_KEYTOOL_PW");
      keytool(password, "-exportcert", "-rfc", "-alias", ALIAS, "-keystore", keyStore.toString(),
          "-storepass:env", "TOLLGATE_KEYTOOL_PW", "-file", certPem.toString());
      keytool(password, "-importcert", "-noprompt", "-alias", ALIAS, "-file", certPem.toString(), "-storetype",
          "PKCS12", "-keystore", trustStore.toString(), "-storepass:env", "TOLLGATE_KEYTOOL_PW");
      writeKeyPem(keyStore, password, keyPem);
      return new SelfSignedCertificate(keyStore, trustStore, certPem, keyPem, password);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write certificate files under " + dir, e);
    }
  }

  /** The password goes through the environment, not the command line (visible to {@code ps}). */
  private static void keytool(String password, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("TOLLGATE_KEYTOOL_PW", password);
    Process process = pb.start();
    try {
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("keytool " + args[0] + " failed: " + new String(output, StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while running keytool", e);
    }
  }

  private static void writeKeyPem(Path keyStore, String password, Path keyPem) throws IOException {
    try (InputStream in = Files.newInputStream(keyStore)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password.toCharArray());
      Key key = ks.getKey(ALIAS, password.toCharArray());
      String pem = "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
      Files.writeString(keyPem, pem);
      keyPem.toFile().setReadable(false, false);
      keyPem.toFile().setReadable(true, true);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the generated key store: " + e.getMessage(), e);
    }
  }

  /** Kafka client properties that trust this certificate over {@code SSL}. */
  public Map<String, String> kafkaSslClient() {
    return Map.of("security.protocol", "SSL", "ssl.truststore.location", trustStore.toString(),
        "ssl.truststore.type", "PKCS12", "ssl.truststore.password", password);
  }
}
