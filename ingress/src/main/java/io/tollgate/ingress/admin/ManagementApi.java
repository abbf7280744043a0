package io.tollgate.ingress.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.ingress.budget.SpendView;
import io.tollgate.ingress.identity.AccessChecks;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.provider.LingeringClose;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LiteLLM's management API on the gateway port: {@code /key/*}, {@code /team/*},
 * {@code /customer/*} (and {@code /end_user/*}), {@code /budget/*}. Every route needs the master
 * key (401 without a known key, 403 for a virtual key), except {@code GET /key/info} of the
 * caller's own key (refused, as in LiteLLM, once that key is expired or blocked). Bodies are capped at {@value #MAX_BODY_BYTES} bytes; writes answer once Kafka
 * acknowledged them (503 when it does not). Every answer is counted by route and outcome.
 */
public final class ManagementApi {
  static final int MAX_BODY_BYTES = 64 * 1024;
  static final long BODY_TIMEOUT_MS = 10_000;
  private static final Pattern REGENERATE = Pattern.compile("/key/([^/]{1,300})/regenerate");
  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Counts answers: {@code route} is a route template or {@code other}. */
  public interface Outcomes {
    void count(String route, String outcome);
  }

  private record Route(String method, Function<Call, CompletionStage<JsonNode>> handler) {
  }

  private final DirectoryStore store;
  private final KeyAuth keyAuth;
  private final Vertx vertx;
  private final Outcomes outcomes;
  private final Map<String, Route> routes = new HashMap<>();
  private final SerialWrites serial = new SerialWrites();
  private final AccessChecks access;

  /**
   * @param store   the management state, or null when the gateway has no master key (every route then answers 401)
   * @param spend   spend per key, team, customer for the info routes
   */
  public ManagementApi(DirectoryStore store, KeyAuth keyAuth, SpendView spend, Vertx vertx, Clock clock,
                       Outcomes outcomes) {
    this.store = store;
    this.keyAuth = keyAuth;
    this.vertx = vertx;
    this.outcomes = outcomes;
    this.access = store == null ? null : new AccessChecks(store, clock);
    if (store != null) {
      Views views = new Views(store, spend, clock);
      KeyEndpoints keys = new KeyEndpoints(store, views, clock);
      TeamEndpoints teams = new TeamEndpoints(store, views, clock);
      CustomerEndpoints customers = new CustomerEndpoints(store, views, clock);
      BudgetEndpoints budgets = new BudgetEndpoints(store, views, clock);
      post("/key/generate", keys::generate);
      post("/key/update", keys::update);
      post("/key/delete", keys::delete);
      get("/key/info", keys::info);
      get("/key/list", keys::list);
      post("/key/regenerate", keys::regenerate);
      post("/key/block", c -> keys.setBlocked(c, true));
      post("/key/unblock", c -> keys.setBlocked(c, false));
      post("/team/new", teams::create);
      post("/team/update", teams::update);
      post("/team/delete", teams::delete);
      get("/team/info", teams::info);
      get("/team/list", teams::list);
      post("/team/block", c -> teams.setBlocked(c, true));
      post("/team/unblock", c -> teams.setBlocked(c, false));
      post("/customer/new", customers::create);
      post("/customer/update", customers::update);
      post("/customer/delete", customers::delete);
      get("/customer/info", customers::info);
      get("/customer/list", customers::list);
      post("/customer/block", c -> customers.setBlocked(c, true));
      post("/customer/unblock", c -> customers.setBlocked(c, false));
      post("/budget/new", budgets::create);
      post("/budget/update", budgets::update);
      post("/budget/delete", budgets::delete);
      post("/budget/info", budgets::info);
      get("/budget/list", budgets::list);
    }
  }

  private void post(String path, Function<Call, CompletionStage<JsonNode>> h) {
    routes.put(path, new Route("POST", h));
  }

  private void get(String path, Function<Call, CompletionStage<JsonNode>> h) {
    routes.put(path, new Route("GET", h));
  }

  /** Whether {@code path} belongs to the management API. */
  public static boolean handles(String path) {
    return path.startsWith("/key/") || path.startsWith("/team/") || path.startsWith("/customer/")
        || path.startsWith("/end_user/") || path.startsWith("/budget/");
  }

  public void handle(HttpServerRequest req) {
    String path = req.path().startsWith("/end_user/") ? "/customer/" + req.path().substring("/end_user/".length())
        : req.path();
    String pathKey = null;
    Matcher m = REGENERATE.matcher(path);
    if (m.matches()) {
      pathKey = m.group(1);
      path = "/key/regenerate";
    }
    Route route = routes.get(path);
    String label = route == null ? "other" : path;
    if (store == null) {
      fail(req, label, new ApiError(401, "auth_error", null, "unauthorized", "Authentication Error, the management "
          + "API needs a master key: set general_settings.master_key (or LITELLM_MASTER_KEY)"));
      return;
    }
    if (route == null) {
      fail(req, label, ApiError.notFound(null, "no management route " + TeamEndpoints.cap(req.path())));
      return;
    }
    if (!route.method().equals(req.method().name())) {
      req.response().putHeader("allow", route.method());
      fail(req, label, new ApiError(405, "bad_request_error", null, "invalid", "method " + req.method().name()
          + " is not allowed on " + path + "; use " + route.method()));
      return;
    }
    KeyAuth.Identity caller = keyAuth.authenticate(req::getHeader);
    if (caller == null || caller.hash() == null) {
      boolean sent = req.getHeader("authorization") != null || req.getHeader("x-api-key") != null
          || req.getHeader(KeyAuth.LITELLM_KEY_HEADER) != null;
      fail(req, label, new ApiError(401, "auth_error", null, "unauthorized", sent
          ? "Authentication Error, Invalid proxy server token passed. Valid keys are the master key and keys from "
          + "/key/generate." : "Authentication Error, No api key passed in."));
      return;
    }
    boolean master = keyAuth.isMaster(caller);
    // As LiteLLM's user_api_key_auth on every route: an expired or blocked key (or team) reads nothing either.
    AccessChecks.Refusal refusal = master ? null : access.check(caller.hash(), null, null);
    if (refusal != null) {
      fail(req, label, new ApiError(refusal.status(), "auth_error", null, "unauthorized", refusal.message()));
      return;
    }
    Map<String, String> query = new HashMap<>();
    req.params().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
    String key = pathKey;
    if (route.method().equals("GET")) {
      dispatch(req, label, route, new Call(query, JsonNodeFactory.instance.objectNode(), key, caller, master));
      return;
    }
    readBody(req, label, body -> dispatch(req, label, route, new Call(query, body, key, caller, master)));
  }

  private void readBody(HttpServerRequest req, String label, java.util.function.Consumer<ObjectNode> then) {
    String length = req.getHeader("content-length");
    if (length != null && length.strip().length() > 7) {
      tooLarge(req, label);
      return;
    }
    if (length != null) {
      try {
        if (Long.parseLong(length.strip()) > MAX_BODY_BYTES) {
          tooLarge(req, label);
          return;
        }
      } catch (NumberFormatException e) {
        fail(req, label, ApiError.badRequest(null, "content-length is not a number"));
        return;
      }
    }
    Buffer body = Buffer.buffer();
    boolean[] done = {false};
    // A body trickling in byte by byte must not hold a connection (and its buffer) for long.
    long timer = vertx.setTimer(BODY_TIMEOUT_MS, id -> {
      if (!done[0]) {
        done[0] = true;
        fail(req, label, new ApiError(408, "bad_request_error", null, "invalid",
            "request body was not received within " + BODY_TIMEOUT_MS / 1000 + " s"));
      }
    });
    req.handler(chunk -> {
      if (done[0]) {
        return;
      }
      if (body.length() + chunk.length() > MAX_BODY_BYTES) {
        done[0] = true;
        tooLarge(req, label);
      } else {
        body.appendBuffer(chunk);
      }
    });
    req.endHandler(v -> {
      vertx.cancelTimer(timer);
      if (done[0]) {
        return;
      }
      done[0] = true;
      ObjectNode parsed;
      try {
        JsonNode root = body.length() == 0 ? JsonNodeFactory.instance.objectNode() : JSON.readTree(body.getBytes());
        if (!(root instanceof ObjectNode o)) {
          fail(req, label, ApiError.badRequest(null, "request body must be a JSON object"));
          return;
        }
        parsed = o;
      } catch (IOException e) {
        fail(req, label, ApiError.badRequest(null, "request body is not valid JSON"));
        return;
      }
      then.accept(parsed);
    });
  }

  private void tooLarge(HttpServerRequest req, String label) {
    req.response().putHeader("connection", "close");
    fail(req, label, new ApiError(413, "bad_request_error", null, "too_large",
        "request body is larger than the management API's limit of " + MAX_BODY_BYTES + " bytes"));
  }

  private void dispatch(HttpServerRequest req, String label, Route route, Call call) {
    // A write reads its records and writes them back: one at a time per record (SerialWrites).
    Set<String> records = route.method().equals("POST")
        ? SerialWrites.records(label, call.body(), call.pathKey(), store) : Set.of();
    CompletionStage<JsonNode> answer = records.isEmpty() ? apply(route, call)
        : serial.run(records, () -> apply(route, call));
    Context loop = vertx.getOrCreateContext();
    answer.whenComplete((json, error) -> loop.runOnContext(v -> {
      if (error == null) {
        outcomes.count(label, "ok");
        if (!req.response().closed()) {
          req.response().putHeader("content-type", "application/json").end(json.toString());
        }
        return;
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      fail(req, label, cause instanceof ApiError a ? a : new ApiError(503, "internal_server_error", null, "unavailable",
          "the change was not saved: Kafka did not acknowledge it (" + cause.getClass().getSimpleName()
              + "); it may be saved in part: read it back with the info or list route, then retry"));
    }));
  }

  /** The route's answer; what it throws becomes a failed stage (an ApiError as such, anything else a 500). */
  private static CompletionStage<JsonNode> apply(Route route, Call call) {
    try {
      return route.handler().apply(call);
    } catch (ApiError e) {
      return CompletableFuture.failedFuture(e);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new ApiError(500, "internal_server_error", null, "error",
          "internal error (" + e.getClass().getSimpleName() + ")"));
    }
  }

  private void fail(HttpServerRequest req, String label, ApiError e) {
    outcomes.count(label, e.outcome);
    if (req.response().closed() || req.response().ended()) {
      return;
    }
    req.response().setStatusCode(e.status).putHeader("content-type", "application/json");
    if (!req.isEnded()) {
      LingeringClose.end(vertx, req, e.body().toString()); // refused before its body was read
      return;
    }
    req.response().end(e.body().toString());
  }
}
