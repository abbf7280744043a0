package io.tollgate.ingress.provider;

import io.tollgate.ingress.admin.DirectoryStore;
import io.tollgate.ingress.identity.AccessChecks;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.metrics.GatewayMetrics;
import io.tollgate.ingress.publish.HandoffStatus;
import io.tollgate.ingress.publish.UsagePublisher;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;

/** The {@link GatewayServer}'s own answers that are no call: its readiness and the model list. */
final class GatewayEndpoints {
  private final UsagePublisher publisher;
  /** The management state, or null when the gateway has none. */
  private final DirectoryStore store;
  private final KeyAuth keyAuth;
  /** Expired/blocked keys and model allowlists; null without a key store. */
  private final AccessChecks access;
  private final Router router;
  private final GatewayMetrics metrics;
  private final Clock clock;

  GatewayEndpoints(UsagePublisher publisher, DirectoryStore store, KeyAuth keyAuth, AccessChecks access, Router router,
                   GatewayMetrics metrics, Clock clock) {
    this.publisher = publisher;
    this.store = store;
    this.keyAuth = keyAuth;
    this.access = access;
    this.router = router;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Ready while every answered call can be recorded durably: the hand-off log is writable and its
   * backlog under the limit. Kafka being down does not make the gateway unready (it answers and
   * keeps the events on disk; taking every gateway out of the load balancer would turn a Kafka
   * outage into a full outage); its state is in the body and in the metrics.
   */
  void readiness(HttpServerRequest req) {
    HandoffStatus s = publisher.status();
    // Ready only with the management state (from Kafka or the snapshot): without it every key would be refused.
    boolean keys = store == null || store.ready();
    String kafka = s.kafkaReachable() ? "connected"
        : "unreachable (events wait in the hand-off log and are sent when Kafka answers)";
    JsonObject body = new JsonObject().put("status", s.ready() ? "healthy" : "unhealthy").put("kafka", kafka)
        .put("handoff", new JsonObject().put("writable", s.writable()).put("fsync", s.fsync())
            .put("backlog_records", s.backlogRecords()).put("backlog_bytes", s.backlogBytes())
            .put("oldest_unacked_seconds", s.oldestUnackedSeconds()).put("last_ack_seconds", s.lastAckSeconds())
            .put("over_backlog_limit", s.overBacklogLimit()));
    if (store != null) {
      body.put("management_state", store.source().name().toLowerCase(java.util.Locale.ROOT));
      body.put("status", s.ready() && keys ? "healthy" : "unhealthy");
    }
    req.response().setStatusCode(s.ready() && keys ? 200 : 503).putHeader("content-type", "application/json")
        .end(body.encode());
  }

  private static void error(HttpServerRequest req, boolean anthropic, int status, String message) {
    req.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(ApiErrors.body(anthropic, status, message));
  }

  /** OpenAI's model list, for a valid key only (as LiteLLM): the configured names. */
  void models(HttpServerRequest req) {
    KeyAuth.Identity caller = keyAuth.authenticate(req::getHeader);
    if (caller == null) {
      metrics.rejected("auth");
      error(req, false, 401, "missing or invalid API key (send it as x-api-key, Authorization: Bearer, or x-litellm-api-key)");
      return;
    }
    AccessChecks.Refusal refusal = access == null ? null : access.check(caller.hash(), null, null);
    if (refusal != null) {
      metrics.rejected(refusal.reason());
      error(req, false, refusal.status(), refusal.message());
      return;
    }
    JsonArray data = new JsonArray();
    long created = clock.instant().getEpochSecond();
    // As LiteLLM: a key restricted by its (or its team's) models sees only those.
    List<String> names = access == null ? router.modelNames() : access.visibleModels(caller.hash(), router.modelNames());
    names.forEach(n -> data.add(new JsonObject().put("id", n).put("object", "model")
        .put("created", created).put("owned_by", "tollgate")));
    req.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("object", "list").put("data", data).encode());
  }
}
