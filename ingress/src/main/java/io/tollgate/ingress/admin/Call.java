package io.tollgate.ingress.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.ingress.identity.KeyAuth;
import java.util.Map;

/**
 * One management request as the endpoints see it.
 *
 * @param query    query parameters (first value of each)
 * @param body     the JSON body of a POST (an empty object for a GET)
 * @param pathKey  the {@code {key}} of {@code /key/{key}/regenerate}, else null
 * @param caller   the authenticated caller
 * @param master   whether the caller is the master key
 */
record Call(Map<String, String> query, ObjectNode body, String pathKey, KeyAuth.Identity caller, boolean master) {
  Fields fields() {
    return new Fields(body);
  }

  /** Only the master key administers; a virtual key gets 403 (LiteLLM: only a proxy admin may). */
  void requireMaster(String route) {
    if (!master) {
      throw new ApiError(403, "auth_error", null, "forbidden", "Authentication Error, only the master key (proxy "
          + "admin) can call " + route + "; this key may only read its own /key/info");
    }
  }
}
