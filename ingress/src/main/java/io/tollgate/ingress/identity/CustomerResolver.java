package io.tollgate.ingress.identity;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Function;

/**
 * The end customer of a request, first found wins (LiteLLM's precedence): header
 * {@code x-litellm-customer-id}, header {@code x-litellm-end-user-id}, configured user headers,
 * body {@code user}, body {@code litellm_metadata.user}, body {@code metadata.user}; else the
 * key's default customer; else none — never guessed.
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
    v = text(body.get("user"));
    if (v != null) {
      return new Customer(v, "body_user");
    }
    v = text(body.path("litellm_metadata").get("user"));
    if (v != null) {
      return new Customer(v, "body_litellm_metadata_user");
    }
    v = text(body.path("metadata").get("user"));
    if (v != null) {
      return new Customer(v, "body_metadata_user");
    }
    v = clean(keyDefault);
    return v != null ? new Customer(v, "key_default") : Customer.NONE;
  }

  private static String text(JsonNode node) {
    return node != null && node.isTextual() ? clean(node.asText()) : null;
  }

  private static String clean(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    String t = s.strip();
    return t.length() > MAX_ID ? t.substring(0, MAX_ID) : t;
  }
}
