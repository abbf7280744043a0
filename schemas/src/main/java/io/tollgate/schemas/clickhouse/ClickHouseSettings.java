package io.tollgate.schemas.clickhouse;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to reach ClickHouse over HTTP or HTTPS. An {@code https://} URL turns TLS on
 * (port 8443 unless given); the server's certificate is checked against {@code sslRootCertificate}
 * (a PEM or DER CA certificate file) or, when that is null, the JVM's default trust store, and its
 * host name must match unless {@code sslMode} is {@code none} (no checks at all: tests only).
 * User and password go in an HTTP Basic {@code Authorization} header on every request, so over
 * HTTPS they are encrypted; over plain HTTP they are not — use HTTPS whenever ClickHouse is not on
 * the same host.
 *
 * @param url                base URL, e.g. {@code http://127.0.0.1:8123} or {@code https://ch.example.com:8443}
 * @param database           database the client works in (created by {@link ClickHouseClient#createDatabaseIfNotExists})
 * @param user               user name
 * @param password           password (never printed: see {@link #toString()})
 * @param socketTimeout      how long one request may take (bulk inserts included)
 * @param sslRootCertificate CA certificate file that signed the server's certificate, or null for the JVM's trust store
 * @param sslMode            {@code strict} (default: certificate and host name checked) or {@code none}
 */
public record ClickHouseSettings(String url, String database, String user, String password,
                                 Duration socketTimeout, String sslRootCertificate, String sslMode) {
  /** Environment variables {@link #fromEnvironment} reads. */
  public static final String USER_ENV = "CLICKHOUSE_USER";
  public static final String PASSWORD_ENV = "CLICKHOUSE_PASSWORD";
  public static final String SSL_ROOT_CERT_ENV = "CLICKHOUSE_SSL_ROOT_CERT";
  public static final String SSL_MODE_ENV = "CLICKHOUSE_SSL_MODE";

  /** Plain settings: the JVM's trust store and strict checks when the URL is https. */
  public ClickHouseSettings(String url, String database, String user, String password, Duration socketTimeout) {
    this(url, database, user, password, socketTimeout, null, null);
  }

  public ClickHouseSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(database, "database");
    user = user == null || user.isBlank() ? "default" : user;
    password = password == null ? "" : password;
    socketTimeout = socketTimeout == null ? Duration.ofMinutes(5) : socketTimeout;
    if (!(url.startsWith("http://") || url.startsWith("https://")) || hostOf(url) == null) {
      throw new IllegalArgumentException("ClickHouse URL must look like http://host:8123, got '" + url + "'");
    }
    if (!database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException("database name must be an identifier, got '" + database + "'");
    }
    sslRootCertificate = sslRootCertificate == null || sslRootCertificate.isBlank() ? null : sslRootCertificate;
    sslMode = sslMode == null || sslMode.isBlank() ? "strict" : sslMode.trim().toLowerCase(java.util.Locale.ROOT);
    if (!sslMode.equals("strict") && !sslMode.equals("none")) {
      throw new IllegalArgumentException("ClickHouse SSL mode must be strict or none, got '" + sslMode + "'");
    }
  }

  /**
   * Settings for {@code url} and {@code database} with user, password, CA certificate and SSL mode
   * from {@value #USER_ENV}, {@value #PASSWORD_ENV}, {@value #SSL_ROOT_CERT_ENV} and {@value #SSL_MODE_ENV}.
   */
  public static ClickHouseSettings fromEnvironment(String url, String database, java.util.Map<String, String> env) {
    return new ClickHouseSettings(url, database, env.get(USER_ENV), env.get(PASSWORD_ENV), null,
        env.get(SSL_ROOT_CERT_ENV), env.get(SSL_MODE_ENV));
  }

  /** True for an {@code https://} URL. */
  public boolean tls() {
    return url.startsWith("https://");
  }

  private static String hostOf(String url) {
    try {
      return URI.create(url).getHost();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The default user without a password, five-minute timeout. */
  public static ClickHouseSettings of(String url, String database) {
    return new ClickHouseSettings(url, database, "default", "", null);
  }

  public ClickHouseSettings withDatabase(String other) {
    return new ClickHouseSettings(url, other, user, password, socketTimeout, sslRootCertificate, sslMode);
  }

  String host() {
    return URI.create(url).getHost();
  }

  int port() {
    int port = URI.create(url).getPort();
    return port > 0 ? port : (tls() ? 8443 : 8123);
  }

  /** Never shows the password. */
  @Override
  public String toString() {
    return "ClickHouseSettings[url=" + url + ", database=" + database + ", user=" + user
        + ", password=" + (password.isEmpty() ? "(none)" : "****") + ", socketTimeout=" + socketTimeout
        + (tls() ? ", ssl " + sslMode + ", root certificate " + (sslRootCertificate == null ? "(JVM trust store)"
        : sslRootCertificate) : "") + "]";
  }
}
