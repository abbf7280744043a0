package io.tollgate.ingress.provider;

import io.tollgate.ingress.budget.RateLimitPermit;
import io.tollgate.ingress.budget.RateLimitTokens;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.identity.Tool;
import io.tollgate.ingress.identity.ToolDetector;
import io.tollgate.ingress.usage.Api;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.ingress.publish.KillPoints;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * One proxied call on the event loop: read the body (bounded in size and time), then the three
 * steps of {@link CallPipeline} — {@link Admission} decides, {@link Relay} streams, {@link Metering}
 * publishes the one event, and only then the response ends. This class only reads the request and
 * hands values from step to step.
 */
final class Exchange {
  private final CallPipeline pipeline;
  private final HttpServerRequest req;
  private final HttpServerResponse resp;
  private final Api api;
  private final Instant ts;
  private final long startNanos = System.nanoTime();
  private final String eventId;
  private final Tool tool;
  private final MultiMap extraHeaders;
  /** Bodies above this size are parsed on a worker thread, not on the event loop. */
  static final int PARSE_ON_LOOP_BYTES = 256 * 1024;
  private Buffer rawBody = Buffer.buffer();
  private boolean ended;
  private long readTimer = -1;

  Exchange(CallPipeline pipeline, HttpServerRequest req, Api api, MultiMap extraHeaders) {
    this.pipeline = pipeline;
    this.req = req;
    this.resp = req.response();
    this.api = api;
    this.ts = pipeline.clock().instant();
    this.eventId = UuidV7.at(ts.toEpochMilli()).toString();
    this.tool = ToolDetector.fromHeaders(req::getHeader);
    this.extraHeaders = extraHeaders;
    // The client can look its call up in the spend log by this id (LiteLLM's header).
    extraHeaders.set("x-litellm-call-id", eventId);
  }

  void run() {
    long limit = pipeline.maxBodyBytes();
    String length = req.getHeader("content-length");
    if (length != null && parseLong(length) > limit) {
      unauthenticated(413, "request body is larger than the gateway's limit of " + limit + " bytes", "body_too_large");
      return;
    }
    // The key first, from the headers alone: nobody without one gets a body buffered (or a 100 Continue).
    KeyAuth.Identity key = pipeline.admission().authenticate(credentials(req::getHeader));
    if (key == null) {
      unauthenticated(401, Admission.missingKey(api), "auth");
      return;
    }
    if ("100-continue".equalsIgnoreCase(req.getHeader("expect"))) {
      resp.writeContinue(); // curl otherwise waits a second before sending any body over 1 KB
    }
    readTimer = pipeline.vertx().setTimer(pipeline.requestReadTimeoutMs(), id -> {
      if (!ended) {
        unauthenticated(408, "request was not received completely within "
            + pipeline.requestReadTimeoutMs() / 1000 + " s", "request_timeout");
        req.connection().close();
      }
    });
    req.handler(chunk -> {
      if (ended) {
        return;
      }
      if (rawBody.length() + chunk.length() > limit) {
        req.pause();
        rawBody = Buffer.buffer(); // what was read is not kept while the connection closes
        unauthenticated(413, "request body is larger than the gateway's limit of " + limit + " bytes", "body_too_large");
      } else {
        rawBody.appendBuffer(chunk);
      }
    });
    req.exceptionHandler(e -> {
      if (!ended) {
        end();
        pipeline.metrics().request(api.wireName(), 499, false, seconds());
      }
    });
    req.endHandler(v -> {
      if (!ended) {
        end();
        byte[] body = rawBody.getBytes();
        if (body.length <= PARSE_ON_LOOP_BYTES) {
          admitted(pipeline.admission().admit(api, pathModel(), key, credentials(req::getHeader), body));
        } else {
          // Parsing megabytes of JSON takes from tens of milliseconds to seconds: not on the event loop.
          MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
          String model = pathModel();
          java.util.function.Function<String, String> creds = credentials(headers::get);
          pipeline.vertx().executeBlocking(() -> pipeline.admission().admit(api, model, key, creds, body), false)
              .onComplete(done -> admitted(done.succeeded() ? done.result()
                  : Admission.Rejected.unauthenticated(400, "request body cannot be read", "bad_json")));
        }
      }
    });
  }

  private void admitted(Admission.Result result) {
    if (result instanceof Admission.Rejected r) {
      answer(r.status(), r.message(), r.reason());
      if (r.key() != null) {
        pipeline.metering().meter(new CallFacts(eventId, ts, millis(), null, pipeline.gatewayId(), r.key(),
            r.customer(), tool, r.sessionId(), api, r.model(), null, Usage.NONE, "none", r.status(), r.reason(),
            false, false, null, r.tags()));
      }
      return;
    }
    Admission.Admitted call = (Admission.Admitted) result;
    RateLimitPermit limit = pipeline.rateLimits().admit(api, call.key().hash(), call.customer().id(), call.json(),
        rawBody.length());
    if (limit.refusal() != null) {
      limit.refusal().writeHeaders(extraHeaders);
      admitted(new Admission.Rejected(429, limit.refusal().message(), "rate_limited", call.key(), call.model(),
          call.customer(), call.sessionId(), call.tags()));
      return;
    }
    limit.writeHeadersOnSuccess(resp);
    extraHeaders.set("x-litellm-model-group", call.targets().get(0).deployment().modelName());
    BudgetStep.Result budget;
    try {
      budget = pipeline.budget().admit(call, rawBody.length());
    } catch (RuntimeException e) {
      limit.release(-1); // the rate-limit slot is freed however admission ends
      throw e;
    }
    if (budget instanceof BudgetStep.Refused refused) {
      limit.release(-1);
      answer(refused.status(), refused.message(), refused.reason());
      pipeline.metering().meter(new CallFacts(eventId, ts, millis(), null, pipeline.gatewayId(), call.key(),
          call.customer(), tool, call.sessionId(), api, call.model(), null, Usage.NONE, "none", refused.status(),
          refused.reason(), call.streamed(), false, null, call.tags()));
      return;
    }
    io.tollgate.ingress.budget.Reservation hold = ((BudgetStep.Go) budget).reservation();
    Future<RelayOutcome> relayed;
    try {
      relayed = pipeline.relay().relay(req, api, call, rawBody, startNanos, extraHeaders);
    } catch (RuntimeException e) {
      limit.release(-1);
      hold.release();
      throw e;
    }
    // Every way a relay ends completes this future: the call's slots are freed on all of them.
    relayed.onComplete(done -> limit.release(done.succeeded() ? RateLimitTokens.used(done.result().usage()) : -1));
    relayed.onFailure(e -> hold.release());
    relayed.onSuccess(outcome -> {
      try {
        pipeline.metrics().request(api.wireName(), outcome.status(), call.streamed(), seconds());
        CompletionStage<Void> durable = pipeline.metering().meter(new CallFacts(eventId, ts, millis(),
            outcome.ttftMs(), pipeline.gatewayId(), call.key(), call.customer(), tool, call.sessionId(), api,
            call.model(), outcome.target(), outcome.usage(), outcome.usageSource(), outcome.status(),
            outcome.errorType(), call.streamed(), outcome.aborted(), outcome.upstreamRequestId(), call.tags()), hold);
        if (outcome.endPending()) {
          // The answer's last byte waits until its event is on disk: an answered call is never unbilled.
          Context loop = pipeline.vertx().getOrCreateContext();
          durable.whenComplete((ok, error) -> loop.runOnContext(v -> finish(outcome.tail())));
        }
      } finally {
        hold.release(); // a no-op once metering settled it; frees the hold if anything above threw
      }
    });
  }

  private void finish(io.vertx.core.buffer.Buffer tail) {
    if (!resp.closed()) {
      (tail == null ? resp.end() : resp.end(tail)).onSuccess(v -> KillPoints.responseCompleted());
    }
  }

  /** A rejection before anyone was identified (413, 408): counted in metrics, nothing to meter. */
  private void unauthenticated(int status, String message, String reason) {
    end();
    answer(status, message, reason);
  }

  private void answer(int status, String message, String reason) {
    pipeline.metrics().rejected(reason);
    pipeline.metrics().request(api.wireName(), status, false, seconds());
    if (!resp.headWritten() && !resp.closed()) {
      resp.setStatusCode(status).putHeader("content-type", "application/json");
      resp.headers().addAll(extraHeaders);
      boolean unread = status == 413 || status == 408 || (status == 401 && rawBody.length() == 0);
      if (unread) {
        LingeringClose.end(pipeline.vertx(), req, ApiErrors.body(api, status, message, reason));
        return;
      }
      resp.end(ApiErrors.body(api, status, message, reason));
    }
  }

  /** The request's credential lookup: its headers, and on Gemini routes the {@code ?key=} parameter too. */
  private java.util.function.Function<String, String> credentials(java.util.function.Function<String, String> headers) {
    return api.gemini() ? GeminiRoutes.credentials(headers, req.query()) : headers;
  }

  /** The model a Gemini route names in its path, or null on other routes (their body names it). */
  private String pathModel() {
    return api.gemini() ? GeminiRoutes.model(req.path()) : null;
  }

  private void end() {
    ended = true;
    if (readTimer >= 0) {
      pipeline.vertx().cancelTimer(readTimer);
      readTimer = -1;
    }
  }

  private double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private long millis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
