package io.tollgate.launcher.litellm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * LiteLLM's {@code DATABASE_URL} ({@code postgresql://user:password@host:port/db?schema=…}, the
 * libpq / Prisma form; {@code postgres://} and {@code jdbc:postgresql://} too) as a JDBC URL plus
 * connection properties. User and password are percent-decoded and go as properties, never into the
 * URL, so nothing that prints the URL can show the password. Prisma's {@code schema} becomes
 * pgjdbc's {@code currentSchema}; Prisma's pool options are dropped. The connection is read-only:
 * the import never changes LiteLLM's database.
 */
record DatabaseUrl(String jdbcUrl, String user, String password, String database, Map<String, String> parameters) {
  private static final Set<String> PRISMA_ONLY = Set.of("connection_limit", "pool_timeout", "pgbouncer",
      "statement_cache_size", "socket_timeout", "connect_timeout", "schema");

  static DatabaseUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("--database-url is empty (expected postgresql://user:password@host:port/database)");
    }
    String u = url.strip();
    String rest = null;
    for (String scheme : new String[] {"jdbc:postgresql://", "postgresql://", "postgres://"}) {
      if (u.regionMatches(true, 0, scheme, 0, scheme.length())) {
        rest = u.substring(scheme.length());
        break;
      }
    }
    if (rest == null) {
      throw new IllegalArgumentException("--database-url must start with postgresql:// (LiteLLM's DATABASE_URL), got "
          + schemeOf(u));
    }
    String user = null;
    String password = null;
    int at = rest.lastIndexOf('@'); // a password with an unencoded '@' still splits at the host
    if (at >= 0) {
      String info = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int colon = info.indexOf(':');
      user = decode(colon >= 0 ? info.substring(0, colon) : info);
      password = colon >= 0 ? decode(info.substring(colon + 1)) : null;
    }
    String query = "";
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    int slash = rest.indexOf('/');
    String hosts = slash >= 0 ? rest.substring(0, slash) : rest;
    String database = slash >= 0 ? decode(rest.substring(slash + 1)) : "";
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("--database-url names no host (expected postgresql://user:password@host:port/database)");
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      params.put(decode(eq >= 0 ? pair.substring(0, eq) : pair), eq >= 0 ? decode(pair.substring(eq + 1)) : "");
    }
    if (database.isEmpty()) {
      database = user != null ? user : "postgres"; // libpq's default: the user's name
    }
    String jdbc = "jdbc:postgresql://" + hosts + "/" + encodePath(database);
    return new DatabaseUrl(jdbc, user, password, database, Map.copyOf(params));
  }

  /** The JDBC connection properties: user, password, schema, TLS options; read-only. */
  Properties properties() {
    Properties p = new Properties();
    parameters.forEach((name, value) -> {
      if (!PRISMA_ONLY.contains(name.toLowerCase(Locale.ROOT))) {
        p.setProperty(name, value);
      }
    });
    String schema = parameters.get("schema");
    if (schema != null && !schema.isBlank()) {
      p.setProperty("currentSchema", schema);
    }
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    p.setProperty("readOnly", "true");
    p.setProperty("ApplicationName", "tollgate-import-litellm");
    p.setProperty("connectTimeout", "15");
    return p;
  }

  /** For logs and reports: no password. */
  String redacted() {
    return jdbcUrl.replaceFirst("^jdbc:", "") + (user == null ? "" : " as " + user)
        + (parameters.containsKey("schema") ? " (schema " + parameters.get("schema") + ")" : "");
  }

  @Override
  public String toString() {
    return redacted();
  }

  private static String schemeOf(String u) {
    int i = u.indexOf("://");
    return i >= 0 && i < 20 ? "'" + u.substring(0, i) + "://…'" : "something else";
  }

  /** Percent-decoding as in URIs ('+' stays '+', unlike form decoding). */
  private static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0
          && hex(s.charAt(i + 2)) >= 0) {
        out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 2;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }

  private static String encodePath(String database) {
    StringBuilder b = new StringBuilder();
    for (byte x : database.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' || c == '.') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return b.toString();
  }
}
