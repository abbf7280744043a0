package io.tollgate.ingress.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Claude Code's session id from the request's {@code metadata.user_id}: newer versions send a JSON
 * string ({@code {"device_id":…,"account_uuid":…,"session_id":…}}), older ones
 * {@code user_<hash>_account_<uuid>_session_<uuid>}. Anything else has no session.
 */
public final class ClaudeCodeSession {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LEGACY = Pattern.compile("_session_([0-9a-fA-F-]{8,64})$");
  private static final int MAX = 128;

  private ClaudeCodeSession() {
  }

  /** The session id in {@code metadataUserId}, or null. */
  public static String sessionId(String metadataUserId) {
    if (metadataUserId == null || metadataUserId.isBlank()) {
      return null;
    }
    String s = metadataUserId.strip();
    if (s.startsWith("{")) {
      try {
        JsonNode node = JSON.readTree(s);
        JsonNode session = node.get("session_id");
        return session != null && session.isTextual() && !session.asText().isBlank() ? cap(session.asText()) : null;
      } catch (IOException e) {
        return null;
      }
    }
    Matcher m = LEGACY.matcher(s);
    return m.find() ? cap(m.group(1)) : null;
  }

  private static String cap(String s) {
    return s.length() > MAX ? s.substring(0, MAX) : s;
  }
}
