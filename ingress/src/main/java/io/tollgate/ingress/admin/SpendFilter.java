package io.tollgate.ingress.admin;

import java.time.Instant;

/**
 * Which spend rows a request asks for; null = not filtered. Every non-null field must match
 * (an empty string matches rows where that field is empty). A virtual key's requests are narrowed
 * to its own key hash by {@link #onlyKey}.
 *
 * @param keyHash    hex SHA-256 of the key ({@code api_key}: the key itself or its hash)
 * @param userId     the key's internal user ({@code user_id})
 * @param requestId  the call's id: Tollgate's event id or the provider's response id
 * @param teamId     the key's team
 * @param customerId the end user ({@code end_user} / {@code customer_id})
 * @param model      the model asked for, the model group or the model that answered
 * @param keyAlias   the key's alias (exact)
 * @param sessionId  the client's session (Claude Code's session id)
 * @param tool       the client tool (Tollgate's {@code claude-code}, {@code codex}, …)
 * @param success    true: HTTP status below 400; false: 400 and above
 * @param statusCode the HTTP status answered
 * @param minNanos   spend of the call at least this, nano-USD
 * @param maxNanos   spend of the call at most this, nano-USD
 * @param start      calls from this instant on
 * @param end        calls before this instant
 */
public record SpendFilter(String keyHash, String userId, String requestId, String teamId, String customerId,
                          String model, String keyAlias, String sessionId, String tool, Boolean success,
                          Integer statusCode, Long minNanos, Long maxNanos, Instant start, Instant end) {
  /** The same filter, narrowed to one key. */
  public SpendFilter onlyKey(String hash) {
    return new SpendFilter(hash, userId, requestId, teamId, customerId, model, keyAlias, sessionId, tool, success,
        statusCode, minNanos, maxNanos, start, end);
  }

  /** A client's value as shown in an error message: at most 64 characters. */
  static String cap(String value) {
    return value.length() <= 64 ? value : value.substring(0, 64) + "…";
  }
}
