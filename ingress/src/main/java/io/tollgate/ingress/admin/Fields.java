package io.tollgate.ingress.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of one management request body, each read with its type and its bounds checked; a
 * wrong one is a 400 naming the field ({@link ApiError}). {@link #has} tells an update which fields
 * were given at all: only those change. A JSON null clears a limit.
 */
final class Fields {
  static final int MAX_ID = 256;
  static final int MAX_LIST = 100;
  static final int MAX_METADATA = 64;
  static final int MAX_METADATA_VALUE = 4096;
  /** Requests or tokens per minute: anything above is a typo. */
  static final long MAX_RATE = 1_000_000_000_000L;
  static final int MAX_PARALLEL = 1_000_000;

  private final ObjectNode body;

  Fields(ObjectNode body) {
    this.body = body == null ? JsonNodeFactory.instance.objectNode() : body;
  }

  /**
   * The budget and rate-limit fields every management record has ({@code max_budget},
   * {@code soft_budget}, {@code budget_duration}, {@code rpm_limit}, {@code tpm_limit},
   * {@code max_parallel_requests}), each passed on only when the request names it.
   */
  <B> void limits(java.util.function.Function<Long, B> maxBudget, java.util.function.Function<Long, B> softBudget,
                  java.util.function.Function<String, B> duration, java.util.function.Function<Long, B> rpm,
                  java.util.function.Function<Long, B> tpm, java.util.function.Function<Integer, B> parallel) {
    if (has("max_budget")) {
      maxBudget.apply(usdNanos("max_budget"));
    }
    if (has("soft_budget")) {
      softBudget.apply(usdNanos("soft_budget"));
    }
    if (has("budget_duration")) {
      duration.apply(duration("budget_duration"));
    }
    if (has("rpm_limit")) {
      rpm.apply(count("rpm_limit", MAX_RATE));
    }
    if (has("tpm_limit")) {
      tpm.apply(count("tpm_limit", MAX_RATE));
    }
    if (has("max_parallel_requests")) {
      parallel.apply(parallel("max_parallel_requests"));
    }
  }

  /** Whether the field was sent (a JSON null counts: it clears). */
  boolean has(String name) {
    return body.has(name);
  }

  private JsonNode value(String name) {
    JsonNode v = body.get(name);
    return v == null || v.isNull() ? null : v;
  }

  String string(String name, int maxLength) {
    JsonNode v = value(name);
    if (v == null) {
      return null;
    }
    if (!v.isTextual()) {
      throw ApiError.badRequest(name, name + " must be a string");
    }
    String s = v.asText();
    if (s.length() > maxLength) {
      throw ApiError.badRequest(name, name + " must be at most " + maxLength + " characters");
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        throw ApiError.badRequest(name, name + " must not contain control characters");
      }
    }
    return s;
  }

  String required(String name, int maxLength) {
    String s = string(name, maxLength);
    if (s == null || s.isBlank()) {
      throw ApiError.badRequest(name, name + " is required");
    }
    return s;
  }

  List<String> strings(String name, int maxItems, int maxLength) {
    JsonNode v = value(name);
    if (v == null) {
      return null;
    }
    if (!v.isArray()) {
      throw ApiError.badRequest(name, name + " must be a list of strings");
    }
    if (v.size() > maxItems) {
      throw ApiError.badRequest(name, name + " must have at most " + maxItems + " entries");
    }
    List<String> out = new ArrayList<>(v.size());
    for (JsonNode e : v) {
      if (!e.isTextual() || e.asText().isEmpty() || e.asText().length() > maxLength) {
        throw ApiError.badRequest(name, name + " must be a list of non-empty strings of at most " + maxLength
            + " characters");
      }
      out.add(e.asText());
    }
    return out;
  }

  Long usdNanos(String name) {
    JsonNode v = value(name);
    return v == null ? null : Money.nanos(name, v);
  }

  Long count(String name, long max) {
    JsonNode v = value(name);
    if (v == null) {
      return null;
    }
    if (!v.isIntegralNumber() && !(v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0)) {
      throw ApiError.badRequest(name, name + " must be a whole number");
    }
    if (v.decimalValue().signum() < 0 || v.decimalValue().compareTo(java.math.BigDecimal.valueOf(max)) > 0) {
      throw ApiError.badRequest(name, name + " must be between 0 and " + max);
    }
    return v.decimalValue().longValueExact();
  }

  Integer parallel(String name) {
    Long n = count(name, MAX_PARALLEL);
    return n == null ? null : n.intValue();
  }

  Boolean bool(String name) {
    JsonNode v = value(name);
    if (v == null) {
      return null;
    }
    if (!v.isBoolean()) {
      throw ApiError.badRequest(name, name + " must be true or false");
    }
    return v.booleanValue();
  }

  String duration(String name) {
    String s = string(name, 32);
    return s == null ? null : Durations.normalize(name, s);
  }

  /** LiteLLM's metadata is any JSON object; stored as strings (non-strings as their JSON text). */
  Map<String, String> metadata(String name) {
    JsonNode v = value(name);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      throw ApiError.badRequest(name, name + " must be an object");
    }
    if (v.size() > MAX_METADATA) {
      throw ApiError.badRequest(name, name + " must have at most " + MAX_METADATA + " entries");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (var it = v.fields(); it.hasNext(); ) {
      var e = it.next();
      String text = e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString();
      if (e.getKey().length() > MAX_ID || text.length() > MAX_METADATA_VALUE) {
        throw ApiError.badRequest(name, name + " keys must be at most " + MAX_ID + " and values at most "
            + MAX_METADATA_VALUE + " characters");
      }
      out.put(e.getKey(), text);
    }
    return out;
  }
}
