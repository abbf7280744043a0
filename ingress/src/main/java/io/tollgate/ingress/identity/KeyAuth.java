package io.tollgate.ingress.identity;

import io.tollgate.ingress.config.IngressConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;

/**
 * Finds and checks the virtual key as LiteLLM does: {@code x-litellm-api-key} (a {@code Bearer }
 * prefix stripped, as in LiteLLM's Claude Max recipe), then {@code Authorization: Bearer …}, then
 * {@code x-api-key}, then Gemini's {@code x-goog-api-key} and {@code ?key=}. The first whose value
 * is a known key authenticates; the others may carry the client's own provider credentials (a
 * Claude Max OAuth token, a BYOK {@code x-api-key}), which is why the identity records which
 * header it was: exactly that one must never go upstream.
 * Keys are compared and emitted only as SHA-256 hashes; the key itself is never stored or logged.
 */
public final class KeyAuth {
  public static final String LITELLM_KEY_HEADER = "x-litellm-api-key";
  /**
   * The name under which a Gemini route's lookup answers the {@code ?key=} query parameter (not a
   * valid header name: {@code ?} is no token character; Gemini routes answer it from the query only).
   */
  public static final String QUERY_KEY = "?key";

  /** The header a key came in, in the order they are looked at. */
  public enum Source {
    LITELLM_HEADER(LITELLM_KEY_HEADER), AUTHORIZATION("authorization"), X_API_KEY("x-api-key"),
    /** Gemini's header (the Google GenAI SDKs, Gemini CLI). */
    X_GOOG_API_KEY("x-goog-api-key"),
    /** Gemini's {@code ?key=} query parameter, offered only by Gemini routes' lookups. */
    QUERY_KEY(KeyAuth.QUERY_KEY);

    private final String header;

    Source(String header) {
      this.header = header;
    }

    /** The (lower-case) header name. */
    public String header() {
      return header;
    }

    /** The key this header carries, or null (Authorization counts only with the Bearer scheme). */
    String keyIn(Function<String, String> headers) {
      String v = strip(headers.apply(header));
      if (v == null || this == X_API_KEY || this == X_GOOG_API_KEY || this == QUERY_KEY) {
        return v;
      }
      boolean bearer = v.regionMatches(true, 0, "bearer ", 0, 7);
      if (this == AUTHORIZATION) {
        return bearer ? strip(v.substring(7)) : null;
      }
      return bearer ? strip(v.substring(7)) : v;
    }
  }

  /**
   * An accepted key.
   *
   * @param hash            hex SHA-256 of the key, or null (open gateway, no key sent)
   * @param alias           configured alias, or null ({@code master} for the master key)
   * @param defaultCustomer customer to use when the request names none, or null
   * @param source          the header that authenticated, or null when no key was sent (open gateway)
   */
  public record Identity(String hash, String alias, String defaultCustomer, Source source, String teamId, String userId) {
    /** A key without a team or an internal user (config keys, the master key). */
    public Identity(String hash, String alias, String defaultCustomer, Source source) {
      this(hash, alias, defaultCustomer, source, null, null);
    }

    /** Whether {@code value} (a header value, {@code Bearer } prefix allowed) is the key that authenticated. */
    public boolean isKey(String value) {
      if (hash == null || value == null || value.isBlank()) {
        return false;
      }
      String v = value.strip();
      if (v.regionMatches(true, 0, "bearer ", 0, 7)) {
        v = v.substring(7).strip();
      }
      return hash.equals(sha256(v)) || hash.equals(sha256(value.strip()));
    }
  }

  private final Map<String, IngressConfig.KeyEntry> byHash;
  private final byte[] masterDigest;
  private final Directory directory;

  public KeyAuth(IngressConfig config) {
    this(config, Directory.EMPTY);
  }

  /** Keys of the config and of the management state ({@code directory}). */
  public KeyAuth(IngressConfig config, Directory directory) {
    this.masterDigest = config.masterKey() == null ? null : digest(config.masterKey());
    this.byHash = new HashMap<>();
    this.directory = java.util.Objects.requireNonNull(directory, "directory");
    config.virtualKeys().forEach((key, entry) -> byHash.put(sha256(key), entry));
  }

  /** True when no key is configured at all and no key store runs: the gateway is open (local mock set-ups). */
  public boolean open() {
    return masterDigest == null && byHash.isEmpty() && directory == Directory.EMPTY;
  }

  /** Whether this identity is the master key's (its hash compared in constant time). */
  public boolean isMaster(Identity identity) {
    if (masterDigest == null || identity == null || identity.hash() == null || identity.hash().length() != 64) {
      return false;
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(identity.hash());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(given, masterDigest);
  }

  /**
   * The identity of a request's key; null when a key is required and none of the three headers
   * carries a known one.
   *
   * @param header case-insensitive header lookup
   */
  public Identity authenticate(Function<String, String> header) {
    for (Source source : Source.values()) {
      String key = source.keyIn(header);
      if (key == null) {
        continue;
      }
      byte[] digest = digest(key);
      String hash = HexFormat.of().formatHex(digest);
      if (open()) {
        // An open gateway meters whatever key the client sent first (by hash only).
        return new Identity(hash, null, null, source);
      }
      // Constant time: how much of the master key a guess got right must not show in the timing.
      if (masterDigest != null && MessageDigest.isEqual(digest, masterDigest)) {
        return new Identity(hash, "master", null, source);
      }
      IngressConfig.KeyEntry entry = byHash.get(hash);
      if (entry != null) {
        return new Identity(hash, entry.alias(), entry.defaultCustomer(), source);
      }
      // Expired or blocked keys are identified too: admission refuses them with LiteLLM's own words.
      io.tollgate.schemas.VirtualKey stored = directory.key(hash);
      if (stored != null) {
        return new Identity(hash, stored.getKeyAlias() != null ? stored.getKeyAlias() : stored.getKeyName(),
            stored.getDefaultCustomerId(), source, stored.getTeamId(), stored.getUserId());
      }
    }
    return open() ? new Identity(null, null, null, null) : null;
  }

  /**
   * {@code found} (from {@link #authenticate}) as it stands now, without hashing the key again: a
   * key of the management API deleted since (while a body was uploading) is null, its team or alias
   * as stored now.
   */
  public Identity current(Identity found) {
    if (found == null || found.hash() == null || open() || byHash.containsKey(found.hash()) || isMaster(found)) {
      return found;
    }
    io.tollgate.schemas.VirtualKey stored = directory.key(found.hash());
    return stored == null ? null : new Identity(found.hash(),
        stored.getKeyAlias() != null ? stored.getKeyAlias() : stored.getKeyName(), stored.getDefaultCustomerId(),
        found.source(), stored.getTeamId(), stored.getUserId());
  }

  private static String strip(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  public static String sha256(String key) {
    return HexFormat.of().formatHex(digest(key));
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
