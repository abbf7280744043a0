package io.tollgate.ingress.identity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Function;

/**
 * The end customer of a request, first found wins, in LiteLLM's order
 * ({@code get_end_user_id_from_request_body}): header {@code x-litellm-customer-id}, header
 * {@code x-litellm-end-user-id}, configured customer headers ({@code user_header_mappings} with role
 * {@code customer}), body {@code user}, body {@code litellm_metadata.user}, body
 * {@code metadata.user_id} when it is a plain string, body {@code safety_identifier}; else the key's
 * default customer; else none — never guessed.
 */
public final class CustomerResolver {
  /** A customer id and where it came from (the {@code customer_source} of the event). */
  public record Customer(String id, String source) {
    public static final Customer NONE = new Customer(null, "none");
  }

  private static final int MAX_ID = 256;
  private final List<String> userHeaders;

  public CustomerResolver(List<String> userHeaders) {
    this.userHeaders = List.copyOf(userHeaders);
  }

  public Customer resolve(Function<String, String> header, JsonNode body, String keyDefault) {
    String v = clean(header.apply("x-litellm-customer-id"));
    if (v != null) {
      return new Customer(v, "header_customer_id");
    }
    v = clean(header.apply("x-litellm-end-user-id"));
    if (v != null) {
      return new Customer(v, "header_end_user_id");
    }
    for (String name : userHeaders) {
      v = clean(header.apply(name));
      if (v != null) {
        return new Customer(v, "user_header_mapping");
      }
    }
    // LiteLLM takes str() of a non-null user, so a numeric id counts as well.
    v = scalar(body.get("user"));
    if (v != null) {
      return new Customer(v, "body_user");
    }
    v = scalar(body.path("litellm_metadata").get("user"));
    if (v != null) {
      return new Customer(v, "body_litellm_metadata_user");
    }
    v = plainUserId(body.path("metadata").get("user_id"));
    if (v != null) {
      return new Customer(v, "body_metadata_user_id");
    }
    v = scalar(body.get("safety_identifier"));
    if (v != null) {
      return new Customer(v, "body_safety_identifier");
    }
    v = clean(keyDefault);
    return v != null ? new Customer(v, "key_default") : Customer.NONE;
  }

  /**
   * {@code metadata.user_id} as a customer, unless it is Claude Code's: its JSON blob (or the older
   * {@code user_…_session_<uuid>} form) changes with every session, so as a customer id it would
   * split one user into thousands; it yields only the session ({@link ClaudeCodeSession}).
   */
  private static String plainUserId(JsonNode node) {
    String v = scalar(node);
    if (v == null || v.startsWith("{") || ClaudeCodeSession.sessionId(v) != null) {
      return null;
    }
    return v;
  }

  private static String scalar(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isTextual()) {
      return clean(node.asText());
    }
    return node.isNumber() ? clean(node.asText()) : null;
  }

  private static String clean(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    String t = s.strip();
    return t.length() > MAX_ID ? t.substring(0, MAX_ID) : t;
  }
}
