package io.tollgate.schemas.clickhouse;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to reach ClickHouse over HTTP.
 *
 * @param url           base HTTP URL, e.g. {@code http://127.0.0.1:8123}
 * @param database      database the client works in (created by {@link ClickHouseClient#createDatabaseIfNotExists})
 * @param user          user name
 * @param password      password (never printed: see {@link #toString()})
 * @param socketTimeout how long one request may take (bulk inserts included)
 */
public record ClickHouseSettings(String url, String database, String user, String password,
                                 Duration socketTimeout) {
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
    return new ClickHouseSettings(url, other, user, password, socketTimeout);
  }

  String host() {
    return URI.create(url).getHost();
  }

  int port() {
    int port = URI.create(url).getPort();
    return port > 0 ? port : (url.startsWith("https") ? 8443 : 8123);
  }

  /** Never shows the password. */
  @Override
  public String toString() {
    return "ClickHouseSettings[url=" + url + ", database=" + database + ", user=" + user
        + ", password=" + (password.isEmpty() ? "(none)" : "****") + ", socketTimeout=" + socketTimeout + "]";
  }
}
