package io.tollgate.ingress.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.ingress.identity.ClaudeCodeSession;
import io.tollgate.ingress.identity.CustomerResolver;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.identity.Tool;
import io.tollgate.ingress.identity.ToolDetector;
import io.tollgate.ingress.pricing.Cost;
import io.tollgate.ingress.usage.Api;
import io.tollgate.ingress.usage.SseFramer;
import io.tollgate.ingress.usage.StreamUsageTap;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.ingress.usage.UsageJson;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * One proxied call, on the event loop from request to usage event: read and check the request,
 * pick a deployment, stream the answer back chunk by chunk while a tap reads its usage, then price
 * it and publish one event — also when upstream fails or the client goes away.
 */
final class Exchange {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final GatewayServer gw;
  private final HttpServerRequest req;
  private final HttpServerResponse resp;
  private final Api api;
  private final Instant ts;
  private final long startNanos = System.nanoTime();
  private Buffer rawBody = Buffer.buffer();
  private JsonNode json;
  private KeyAuth.Identity key;
  private CustomerResolver.Customer customer = CustomerResolver.Customer.NONE;
  private Tool tool;
  private String sessionId;
  private String model;
  private boolean streamed;
  private boolean clientAskedUsage;
  private List<Router.Target> targets;
  private Router.Target target;
  private HttpClientRequest upstreamReq;
  private StreamUsageTap tap;
  private Buffer jsonCopy;
  private Long ttftMs;
  private String upstreamRequestId;
  private boolean finished;
  private long bytesToClient;
  private long promisedLength = -1;

  Exchange(GatewayServer gw, HttpServerRequest req, Api api) {
    this.gw = gw;
    this.req = req;
    this.resp = req.response();
    this.api = api;
    this.ts = gw.clock().instant();
    this.tool = ToolDetector.detect(req.getHeader("user-agent"));
  }

  void run() {
    String length = req.getHeader("content-length");
    if (length != null && parseLong(length) > gw.config().maxBodyBytes()) {
      reject(413, "request body is larger than the gateway's limit of " + gw.config().maxBodyBytes() + " bytes", "body_too_large");
      return;
    }
    req.handler(chunk -> {
      if (rawBody.length() + chunk.length() > gw.config().maxBodyBytes()) {
        req.pause();
        reject(413, "request body is larger than the gateway's limit of " + gw.config().maxBodyBytes() + " bytes", "body_too_large");
      } else if (!finished) {
        rawBody.appendBuffer(chunk);
      }
    });
    req.exceptionHandler(e -> finish(499, Usage.NONE, "client_error", true));
    req.endHandler(v -> {
      if (!finished) {
        onRequest();
      }
    });
  }

  private void onRequest() {
    key = gw.keyAuth().authenticate(req::getHeader);
    if (key == null) {
      reject(401, "missing or invalid API key (send it as x-api-key, Authorization: Bearer, or x-litellm-api-key)", "auth");
      return;
    }
    try {
      json = JSON.readTree(rawBody.getBytes());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      reject(400, "request body is not valid JSON: " + e.getOriginalMessage(), "bad_json");
      return;
    } catch (IOException e) {
      reject(400, "request body cannot be read", "bad_json");
      return;
    }
    if (json == null || !json.isObject()) {
      reject(400, "request body must be a JSON object", "bad_json");
      return;
    }
    model = json.path("model").isTextual() ? json.path("model").asText() : null;
    customer = gw.customers().resolve(req::getHeader, json, key.defaultCustomer());
    sessionId = ClaudeCodeSession.sessionId(json.path("metadata").path("user_id").asText(null));
    if (model == null || model.isBlank()) {
      reject(400, "'model' is required", "no_model");
      return;
    }
    streamed = json.path("stream").asBoolean(false);
    clientAskedUsage = json.path("stream_options").path("include_usage").asBoolean(false);
    targets = gw.router().route(model, api);
    if (targets.isEmpty()) {
      reject(404, "model '" + model + "' is not configured on this gateway", "unknown_model");
      return;
    }
    resp.closeHandler(v -> onClientGone());
    attempt(0);
  }

  private void attempt(int index) {
    target = targets.get(index);
    Buffer body = UpstreamCall.body(rawBody, json, target.upstreamModel(), api, streamed, clientAskedUsage);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI(UpstreamCall.url(target.deployment(), api, req.query()))
        .setHeaders(UpstreamHeaders.build(req.headers(), target.deployment(), key, gw.config().forwardProviderAuthHeaders()))
        .setIdleTimeout(gw.config().upstreamTimeoutMs());
    gw.client().request(options)
        .compose(r -> {
          upstreamReq = r;
          return r.send(body);
        })
        .onSuccess(upstream -> onResponse(upstream, index))
        .onFailure(error -> {
          if (finished) {
            return;
          }
          if (index + 1 < targets.size()) {
            attempt(index + 1); // connection failed before any byte: the next deployment may serve it
          } else {
            boolean timeout = error.getClass().getSimpleName().contains("Timeout");
            reject(timeout ? 504 : 502, timeout ? "upstream did not answer in time" : "upstream unreachable",
                timeout ? "upstream_timeout" : "upstream_unreachable");
          }
        });
  }

  private void onResponse(HttpClientResponse upstream, int index) {
    if (finished) {
      upstream.request().reset();
      return;
    }
    int status = upstream.statusCode();
    if (status >= 500 && index + 1 < targets.size()) {
      upstream.body().onComplete(ignored -> attempt(index + 1));
      return;
    }
    ttftMs = (System.nanoTime() - startNanos) / 1_000_000;
    upstreamRequestId = firstNonNull(upstream.getHeader("request-id"), upstream.getHeader("x-request-id"));
    String contentType = String.valueOf(upstream.getHeader("content-type"));
    boolean sse = contentType.startsWith("text/event-stream");
    boolean dropUsageChunk = sse && api == Api.CHAT_COMPLETIONS && streamed && !clientAskedUsage;
    resp.setStatusCode(status);
    UpstreamCall.copyResponseHeaders(upstream.headers(), resp.headers(), !dropUsageChunk);
    if (!resp.headers().contains("content-length")) {
      resp.setChunked(true);
    } else {
      promisedLength = parseLong(resp.headers().get("content-length"));
    }
    SseFramer rewriter = null;
    if (sse) {
      tap = new StreamUsageTap(api);
      if (dropUsageChunk) {
        rewriter = new SseFramer((event, data, raw) -> {
          tap.onEvent(event, data, raw);
          if (!StreamUsageTap.isUsageOnlyChatChunk(data)) {
            write(upstream, Buffer.buffer(raw));
          }
        }, true);
      }
    } else if (status < 300) {
      jsonCopy = Buffer.buffer();
    }
    SseFramer framer = rewriter;
    upstream.handler(chunk -> {
      if (framer != null) {
        framer.feed(chunk.getBytes());
        return;
      }
      if (tap != null) {
        tap.onBytes(chunk.getBytes());
      } else if (jsonCopy != null) {
        jsonCopy.appendBuffer(chunk);
      }
      write(upstream, chunk);
    });
    upstream.exceptionHandler(error -> {
      if (finished) {
        return;
      }
      req.connection().close(); // the client must see the cut too, not a clean end
      finish(status, usageSoFar(), "upstream_reset", false);
    });
    upstream.endHandler(v -> {
      if (finished) {
        return;
      }
      if (framer != null) {
        byte[] rest = framer.pendingRaw();
        if (rest.length > 0) {
          resp.write(Buffer.buffer(rest));
        }
      }
      if (!resp.closed()) {
        resp.end();
      }
      finish(status, usageSoFar(), status >= 400 ? "upstream_" + status : null, false);
    });
  }

  private void write(HttpClientResponse upstream, Buffer chunk) {
    if (resp.closed()) {
      return;
    }
    resp.write(chunk);
    bytesToClient += chunk.length();
    if (resp.writeQueueFull()) {
      upstream.pause();
      resp.drainHandler(v -> upstream.resume());
    }
  }

  private Usage usageSoFar() {
    if (tap != null) {
      return tap.usage();
    }
    return jsonCopy != null ? UsageJson.fromBody(api, jsonCopy.getBytes()) : Usage.NONE;
  }

  private void onClientGone() {
    if (finished || (promisedLength >= 0 && bytesToClient >= promisedLength)) {
      return; // the client had the whole answer; upstream's end event will finish the call
    }
    // Record first: resetting upstream fires its exception handler synchronously.
    finish(499, usageSoFar(), "client_abort", true);
    if (upstreamReq != null) {
      upstreamReq.reset(); // stop paying for tokens nobody reads
    }
  }

  private void reject(int status, String message, String reason) {
    gw.metrics().rejected(reason);
    if (!resp.headWritten() && !resp.closed()) {
      resp.setStatusCode(status).putHeader("content-type", "application/json");
      if (status == 413) {
        resp.putHeader("connection", "close");
      }
      resp.end(ApiErrors.body(api.anthropic(), status, message));
    }
    finish(status, Usage.NONE, reason, false);
  }

  private void finish(int status, Usage usage, String errorType, boolean aborted) {
    if (finished) {
      return;
    }
    finished = true;
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    gw.metrics().request(api.wireName(), status, streamed, seconds);
    if (key == null) {
      return; // rejected before anyone was identified (401, 413): counted in metrics, nothing to meter
    }
    Cost cost = gw.prices().costFirstKnown(usage, model, usage.model(), target == null ? null : target.upstreamModel());
    String provider = target != null ? target.deployment().provider() : api.family();
    CallFacts facts = new CallFacts(ts, (long) (seconds * 1000), ttftMs, gw.config().gatewayId(), key, customer,
        tool, sessionId, provider, api, model, usage, status, errorType, streamed, aborted, cost, upstreamRequestId);
    gw.metrics().usage(usage.model() != null ? usage.model() : model, tool.name(), usage.inputTokens(),
        usage.outputTokens(), usage.cacheReadTokens(), usage.cacheWrite5mTokens() + usage.cacheWrite1hTokens(),
        cost.nanos(), cost.priceKnown() || usage.equals(Usage.NONE));
    gw.publisher().publish(facts.toEvent());
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String firstNonNull(String a, String b) {
    return a != null ? a : b;
  }
}
