package io.tollgate.ingress.admin;

import io.tollgate.ingress.identity.AccessChecks;
import io.tollgate.ingress.identity.KeyAuth;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.function.Function;

/**
 * Who calls an admin route (spend, management): the master key, or a virtual key (which may read
 * only its own data). The key is looked for where LiteLLM looks: {@code x-litellm-api-key} (a
 * {@code Bearer } prefix stripped), {@code Authorization: Bearer …}, {@code x-api-key}.
 *
 * <p>The master key is compared in constant time: both sides are hashed to SHA-256 first and the
 * digests compared with {@link MessageDigest#isEqual}, so neither the content nor the length of a
 * wrong guess changes the time taken. Virtual keys go through {@link KeyAuth}, which knows only
 * their hashes. An expired or blocked virtual key is refused like a wrong one, with LiteLLM's
 * words for it: blocking a key stops it reading its own spend too. Nothing here keeps or logs a key.
 */
public final class AdminAuth {
  /**
   * An authenticated caller.
   *
   * @param master  whether it is the master key (may read and change everything)
   * @param keyHash hex SHA-256 of the key it sent (a virtual key reads only rows with this hash)
   * @param alias   the key's alias, or null
   */
  public record Caller(boolean master, String keyHash, String alias) {
    /** Whether this caller may read rows of the key with hash {@code keyHash}. */
    public boolean mayRead(String keyHash) {
      return master || this.keyHash.equals(keyHash);
    }
  }

  /** Why a request is refused before it reaches a route: 401 with a message in LiteLLM's words. */
  public static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private static final String[] HEADERS = {KeyAuth.LITELLM_KEY_HEADER, "authorization", "x-api-key"};
  private final byte[] masterDigest;
  private final KeyAuth keys;
  private final AccessChecks access;

  /**
   * @param masterKey LiteLLM's {@code general_settings.master_key}, or null (then only virtual keys
   *                  reading their own data get in)
   * @param keys      the gateway's virtual keys
   */
  public AdminAuth(String masterKey, KeyAuth keys) {
    this(masterKey, keys, null);
  }

  /**
   * @param access refuses an expired or blocked key (or a key of a blocked team) here too, as
   *               LiteLLM's {@code user_api_key_auth} does on every route; null: no key store
   */
  public AdminAuth(String masterKey, KeyAuth keys, AccessChecks access) {
    this.masterDigest = masterKey == null ? null : sha256(masterKey);
    this.keys = Objects.requireNonNull(keys, "keys");
    this.access = access;
  }

  /** Whether a master key is configured. */
  public boolean hasMasterKey() {
    return masterDigest != null;
  }

  /**
   * The caller of a request.
   *
   * @param header case-insensitive header lookup
   * @throws Refused when no header carries the master key or a known virtual key
   */
  public Caller authenticate(Function<String, String> header) {
    boolean sent = false;
    for (String name : HEADERS) {
      String key = keyIn(name, header.apply(name));
      if (key == null) {
        continue;
      }
      sent = true;
      if (masterDigest != null && MessageDigest.isEqual(sha256(key), masterDigest)) {
        return new Caller(true, KeyAuth.sha256(key), "master");
      }
    }
    if (!sent) {
      throw new Refused("Authentication Error, No api key passed in. Send the master key (or a virtual key, for "
          + "its own spend) as Authorization: Bearer <key>, x-litellm-api-key or x-api-key.");
    }
    KeyAuth.Identity identity = keys.authenticate(header);
    if (identity == null || identity.hash() == null) {
      throw new Refused("Authentication Error, Invalid proxy server token passed. "
          + (masterDigest == null ? "No master key is configured (general_settings.master_key or LITELLM_MASTER_KEY), "
              + "so only a virtual key reading its own spend gets in." : "Use the master key or a known virtual key."));
    }
    AccessChecks.Refusal refusal = access == null ? null : access.check(identity.hash(), null, null);
    if (refusal != null) {
      throw new Refused(refusal.message());
    }
    return new Caller(false, identity.hash(), identity.alias());
  }

  /** The key in one header, as {@link KeyAuth} reads it; null when the header carries none. */
  private static String keyIn(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.strip();
    boolean bearer = v.regionMatches(true, 0, "bearer ", 0, 7);
    if (name.equals("authorization")) {
      return bearer ? blankToNull(v.substring(7).strip()) : null;
    }
    return name.equals("x-api-key") || !bearer ? v : blankToNull(v.substring(7).strip());
  }

  private static String blankToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
