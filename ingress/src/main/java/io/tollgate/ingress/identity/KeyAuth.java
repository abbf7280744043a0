package io.tollgate.ingress.identity;

import io.tollgate.ingress.config.IngressConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Finds and checks the virtual key as LiteLLM does: {@code x-litellm-api-key} first, then
 * {@code Authorization: Bearer …}, then {@code x-api-key}. Keys are compared and emitted only as
 * SHA-256 hashes; the key itself is never stored or logged.
 */
public final class KeyAuth {
  public static final String LITELLM_KEY_HEADER = "x-litellm-api-key";

  /** Where the key came from; decides whether the client's Authorization may go upstream. */
  public enum Source { LITELLM_HEADER, AUTHORIZATION, X_API_KEY }

  /**
   * An accepted key.
   *
   * @param hash            hex SHA-256 of the key
   * @param alias           configured alias, or null ({@code master} for the master key)
   * @param defaultCustomer customer to use when the request names none, or null
   * @param source          the header it came in
   */
  public record Identity(String hash, String alias, String defaultCustomer, Source source) {
  }

  private final Map<String, IngressConfig.KeyEntry> byHash;
  private final String masterHash;

  public KeyAuth(IngressConfig config) {
    this.masterHash = config.masterKey() == null ? null : sha256(config.masterKey());
    this.byHash = new java.util.HashMap<>();
    config.virtualKeys().forEach((key, entry) -> byHash.put(sha256(key), entry));
  }

  /** True when no key is configured at all: the gateway is open (local mock set-ups). */
  public boolean open() {
    return masterHash == null && byHash.isEmpty();
  }

  /**
   * The identity of a request's key; null when a key is required and missing or unknown.
   *
   * @param header case-insensitive header lookup
   */
  public Identity authenticate(Function<String, String> header) {
    Source source = Source.LITELLM_HEADER;
    String key = strip(header.apply(LITELLM_KEY_HEADER));
    if (key == null) {
      String auth = header.apply("authorization");
      if (auth != null && auth.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
        key = strip(auth.substring(7));
        source = Source.AUTHORIZATION;
      }
    }
    if (key == null) {
      key = strip(header.apply("x-api-key"));
      source = Source.X_API_KEY;
    }
    if (key == null) {
      return open() ? new Identity(null, null, null, Source.X_API_KEY) : null;
    }
    String hash = sha256(key);
    if (hash.equals(masterHash)) {
      return new Identity(hash, "master", null, source);
    }
    IngressConfig.KeyEntry entry = byHash.get(hash);
    if (entry != null) {
      return new Identity(hash, entry.alias(), entry.defaultCustomer(), source);
    }
    // An open gateway still meters whatever key the client sent (by hash only).
    return open() ? new Identity(hash, null, null, source) : null;
  }

  private static String strip(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  public static String sha256(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
