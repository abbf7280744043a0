package io.tollgate.ingress.provider;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.ingress.identity.AccessChecks;
import io.tollgate.ingress.identity.ClaudeCodeSession;
import io.tollgate.ingress.identity.CustomerResolver;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.identity.RequestTags;
import io.tollgate.ingress.usage.Api;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The first step of a call, pure: headers and body in, either an admitted call (key, parsed body,
 * customer, session, the deployments to try) or a rejection with its status — no I/O, no Vert.x.
 *
 * <p>The body is parsed strictly: duplicate keys and trailing bytes are rejected, because the raw
 * bytes go upstream while the parsed {@code model} routes and prices — two readings of one body
 * could bill one model and call another. Strings may be as long as the body limit allows (a
 * base64 PDF of 25 MB is valid JSON; Jackson's default would refuse it).
 */
final class Admission {
  /** What admission decided. */
  sealed interface Result permits Admitted, Rejected {
  }

  /**
   * A call to relay.
   *
   * @param key              the authenticated key
   * @param json             the parsed body
   * @param model            the model the client asked for (capped for the event by {@link CallFacts})
   * @param customer         the end customer, first found wins
   * @param sessionId        the client session (Claude Code), or null
   * @param streamed         {@code stream: true}
   * @param clientAskedUsage the client set {@code stream_options.include_usage} itself
   * @param targets          the deployments to try, in order (never empty)
   * @param tags             the call's tags ({@link RequestTags}), capped
   */
  record Admitted(KeyAuth.Identity key, ObjectNode json, String model, CustomerResolver.Customer customer,
                  String sessionId, boolean streamed, boolean clientAskedUsage, List<Router.Target> targets,
                  List<String> tags)
      implements Result {
  }

  /**
   * A call the gateway answers itself.
   *
   * @param key      the authenticated key, or null when it was not (nothing is metered then)
   * @param model    the model asked for, when the body named one
   * @param customer the customer, when known
   * @param tags     the call's tags as far as they are known (a refused call is metered with them too)
   */
  record Rejected(int status, String message, String reason, KeyAuth.Identity key, String model,
                  CustomerResolver.Customer customer, String sessionId, List<String> tags) implements Result {
    static Rejected unauthenticated(int status, String message, String reason) {
      return new Rejected(status, message, reason, null, null, CustomerResolver.Customer.NONE, null, List.of());
    }
  }

  static final int MAX_ROUTABLE_MODEL = 512;
  private final KeyAuth keyAuth;
  private final CustomerResolver customers;
  private final Router router;
  private final ObjectMapper json;
  private final AccessChecks access;
  private final RequestTags tagging;
  private final boolean rejectClientTags;

  Admission(KeyAuth keyAuth, CustomerResolver customers, Router router, long maxBodyBytes) {
    this(keyAuth, customers, router, maxBodyBytes, null);
  }

  /** @param access what the management state forbids (expired, blocked, models), or null when there is none */
  Admission(KeyAuth keyAuth, CustomerResolver customers, Router router, long maxBodyBytes, AccessChecks access) {
    this(keyAuth, customers, router, maxBodyBytes, access,
        new RequestTags(io.tollgate.ingress.identity.Directory.EMPTY, RequestTags.DroppedTags.NONE), false);
  }

  /**
   * @param tagging          where a call's tags come from
   * @param rejectClientTags LiteLLM's {@code reject_clientside_metadata_tags}: a call whose client sent
   *                         tags is refused (400); the key's and team's tags still apply
   */
  Admission(KeyAuth keyAuth, CustomerResolver customers, Router router, long maxBodyBytes, AccessChecks access,
            RequestTags tagging, boolean rejectClientTags) {
    this.keyAuth = Objects.requireNonNull(keyAuth, "keyAuth");
    this.customers = Objects.requireNonNull(customers, "customers");
    this.router = Objects.requireNonNull(router, "router");
    this.json = strictMapper(maxBodyBytes);
    this.access = access;
    this.tagging = Objects.requireNonNull(tagging, "tagging");
    this.rejectClientTags = rejectClientTags;
  }

  static ObjectMapper strictMapper(long maxBodyBytes) {
    int maxString = (int) Math.min(Integer.MAX_VALUE, Math.max(maxBodyBytes, 1));
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(maxString).build())
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    return new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** The key of a request's headers alone, or null (checked before its body is read). */
  KeyAuth.Identity authenticate(Function<String, String> header) {
    return keyAuth.authenticate(header);
  }

  /** The 401 message of a route: where its clients can put the key. */
  static String missingKey(Api api) {
    return api.gemini()
        ? "missing or invalid API key (send it as x-goog-api-key, ?key=, or Authorization: Bearer)"
        : "missing or invalid API key (send it as x-api-key, Authorization: Bearer, or x-litellm-api-key)";
  }

  Result admit(Api api, Function<String, String> header, byte[] body) {
    return admit(api, null, header, body);
  }

  /**
   * @param pathModel the model a Gemini route names in its path (null elsewhere): it routes instead of
   *                  the body's {@code model}, and the stream flag comes from the route too
   */
  Result admit(Api api, String pathModel, Function<String, String> header, byte[] body) {
    return admit(api, pathModel, keyAuth.authenticate(header), header, body);
  }

  /**
   * Same, for a request whose headers were authenticated already ({@link #authenticate}): the key is
   * hashed once per call, not twice.
   *
   * @param found what {@link #authenticate} found for these headers (null: rejected), looked up again
   *              by its hash (the key may have been deleted while the body uploaded)
   */
  Result admit(Api api, String pathModel, KeyAuth.Identity found, Function<String, String> header, byte[] body) {
    KeyAuth.Identity key = keyAuth.current(found);
    if (key == null) {
      return Rejected.unauthenticated(401, missingKey(api), "auth");
    }
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return rejected(400, "request body is not valid JSON: " + firstLine(e.getOriginalMessage()), "bad_json", key,
          header);
    } catch (IOException e) {
      return rejected(400, "request body cannot be read", "bad_json", key, header);
    }
    if (!(root instanceof ObjectNode object)) {
      return rejected(400, "request body must be a JSON object", "bad_json", key, header);
    }
    JsonNode modelNode = object.get("model");
    String model = api.gemini() ? pathModel
        : modelNode != null && modelNode.isTextual() ? modelNode.asText() : null;
    CustomerResolver.Customer customer = customers.resolve(header, object, key.defaultCustomer());
    String session = ClaudeCodeSession.sessionId(object.path("metadata").path("user_id").asText(null));
    String clientTags = rejectClientTags ? RequestTags.clientSource(header, object) : null;
    if (clientTags != null) {
      // Metered with the key's and team's tags only: those the client sent are what was refused.
      return new Rejected(400, RequestTags.rejection(clientTags), "client_tags_rejected", key, model, customer,
          session, tagging.resolve(h -> null, null, key.hash()).tags());
    }
    List<String> tags = tagging.resolve(header, object, key.hash()).tags();
    if (model == null || model.isBlank()) {
      return new Rejected(400, "'model' is required", "no_model", key, null, customer, session, tags);
    }
    AccessChecks.Refusal refusal = access == null ? null : access.check(key.hash(), model, customer.id());
    if (refusal != null) {
      return new Rejected(refusal.status(), refusal.message(), refusal.reason(), key, model, customer, session,
          tags);
    }
    // No configured name is this long; routing one (wildcards can be quadratic) would only cost time.
    List<Router.Target> targets = model.length() > MAX_ROUTABLE_MODEL ? List.of() : router.route(model, api);
    if (targets.isEmpty()) {
      // The name is the client's: shown back capped, so an error body cannot be made huge.
      return new Rejected(404, "model '" + CallFacts.cap(model, 200) + "' is not configured on this gateway",
          "unknown_model", key, model, customer, session, tags);
    }
    boolean streamed = api.gemini() ? api == Api.STREAM_GENERATE_CONTENT : object.path("stream").asBoolean(false);
    // Only a JSON true counts: for "true" or 1 the gateway sets it itself, or an upstream that reads
    // them otherwise would send no usage and the call would cost $0.
    JsonNode include = object.path("stream_options").path("include_usage");
    boolean askedUsage = include.isBoolean() && include.booleanValue();
    return new Admitted(key, object, model, customer, session, streamed, askedUsage, targets, tags);
  }

  /** A body that cannot be read: the header's and the key's tags still count. */
  private Rejected rejected(int status, String message, String reason, KeyAuth.Identity key,
                            Function<String, String> header) {
    List<String> tags = rejectClientTags ? tagging.resolve(h -> null, null, key.hash()).tags()
        : tagging.resolve(header, null, key.hash()).tags();
    return new Rejected(status, message, reason, key, null, CustomerResolver.Customer.NONE, null, tags);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "malformed";
    }
    String line = message.lines().findFirst().orElse("malformed");
    return CallFacts.cap(line, 300);
  }
}
