package io.tollgate.ingress.provider;

import io.tollgate.ingress.usage.Api;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.util.Objects;

/**
 * The second step of a call: send it upstream (next deployment when one cannot be reached or
 * answers 5xx before any byte went to the client), stream the answer back chunk by chunk while
 * {@link ResponseTap} reads its usage, and complete with what happened — also when upstream
 * fails, stalls mid-body, or the client goes away. A complete answer is relayed up to its last
 * write; ending it is left to the caller ({@link RelayOutcome#endPending()}), which first makes the
 * call's event durable (a small JSON answer is held whole for that end, one write; a longer one
 * and every stream pass through at once). Upstream's bytes reach the client unchanged,
 * except the usage chunk the gateway itself asked OpenAI for. All failures become a status in
 * {@link #failureStatus}; nothing throws across the event loop.
 */
final class Relay {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Relay.class);
  /** How long an answer is still read after its client left, to learn its final usage. */
  static final long ABORT_DRAIN_MS = 60_000;
  /** Recorded status of an answer upstream cut after its headers (a reset, a cut JSON body). */
  static final int CUT = 502;
  /** Recorded status of an answer that stalled mid-body past the stream idle timeout. */
  static final int STALLED = 504;
  /**
   * A JSON answer with a content-length up to this size is held whole and written with the end
   * (one write to the client, after the event is durable); a longer one streams through with only
   * its last byte held. Nothing of a held answer is usable before its last byte anyway.
   */
  static final int HOLD_WHOLE_MAX_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final HttpClient client;
  private final long upstreamTimeoutMs;
  private final long streamIdleTimeoutMs;
  private final boolean forwardProviderAuth;

  Relay(Vertx vertx, HttpClient client, long upstreamTimeoutMs, long streamIdleTimeoutMs, boolean forwardProviderAuth) {
    this.forwardProviderAuth = forwardProviderAuth;
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.client = Objects.requireNonNull(client, "client");
    this.upstreamTimeoutMs = upstreamTimeoutMs;
    this.streamIdleTimeoutMs = streamIdleTimeoutMs;
  }

  /**
   * Relays one admitted call.
   *
   * @param extraHeaders response headers the gateway adds (call id, model group, CORS)
   */
  Future<RelayOutcome> relay(HttpServerRequest req, Api api, Admission.Admitted call, Buffer rawBody,
                             long startNanos, MultiMap extraHeaders) {
    Run run = new Run(req, api, call, rawBody, startNanos, extraHeaders);
    run.attempt(0);
    return run.done.future();
  }

  /** The status and error type the gateway answers when no upstream answered at all. */
  static int failureStatus(Throwable error) {
    return isTimeout(error) ? 504 : 502;
  }

  private static boolean isTimeout(Throwable error) {
    return error != null && (error.getClass().getSimpleName().contains("Timeout")
        || (error.getMessage() != null && error.getMessage().toLowerCase(java.util.Locale.ROOT).contains("timeout")));
  }

  private final class Run {
    private final HttpServerRequest req;
    private final HttpServerResponse resp;
    private final Api api;
    private final Admission.Admitted call;
    private final Buffer rawBody;
    private final long startNanos;
    private final MultiMap extraHeaders;
    private final Promise<RelayOutcome> done = Promise.promise();
    private HttpClientRequest upstreamReq;
    private Router.Target target;
    private ResponseTap tap;
    private int status;
    private long promisedLength = -1;
    private long bytesToClient;
    /**
     * What is written only with the end (see {@link #write}): the last byte of an answer with a
     * content-length, or the whole of a small JSON one.
     */
    private Buffer heldTail;
    /** The answer is held whole until its end ({@link #HOLD_WHOLE_MAX_BYTES}). */
    private boolean holdWhole;
    private Long ttftMs;
    private String upstreamRequestId;
    private long lastChunkNanos;
    private long idleTimer = -1;
    private long abortTimer = -1;
    private HttpClientResponse upstreamResp;
    private boolean paused;
    private boolean clientGone;
    private boolean endPending;

    Run(HttpServerRequest req, Api api, Admission.Admitted call, Buffer rawBody, long startNanos, MultiMap extraHeaders) {
      this.req = req;
      this.resp = req.response();
      this.api = api;
      this.call = call;
      this.rawBody = rawBody;
      this.startNanos = startNanos;
      this.extraHeaders = extraHeaders;
      resp.closeHandler(v -> onClientGone());
    }

    void attempt(int index) {
      if (done.future().isComplete()) {
        return; // the client left while a failed deployment's answer was drained
      }
      try {
        send(index);
      } catch (RuntimeException e) {
        // A bug of ours, before anything went upstream: the client gets an error, never a hang.
        StackTraceElement[] where = e.getStackTrace();
        LOG.error("cannot send a call upstream: {} at {}", e.getClass().getName(), where.length > 0 ? where[0] : "?");
        answer(500, "the gateway could not send the call upstream");
        complete("gateway_error", false);
      }
    }

    private void send(int index) {
      target = call.targets().get(index);
      Buffer body = UpstreamCall.body(rawBody, call.json(), target.upstreamModel(), api, call.streamed(),
          call.clientAskedUsage());
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
          .setAbsoluteURI(UpstreamCall.parsed(UpstreamCall.url(target, api, req.query()),
              UpstreamCall.fixedModel(target.deployment())))
          .setHeaders(UpstreamHeaders.build(req.headers(), target.deployment(), call.key(), forwardProviderAuth))
          .setIdleTimeout(upstreamTimeoutMs);
      client.request(options)
          .compose(r -> {
            upstreamReq = r;
            return r.send(body);
          })
          .onSuccess(upstream -> onResponse(upstream, index))
          .onFailure(error -> {
            if (done.future().isComplete()) {
              return;
            }
            if (index + 1 < call.targets().size()) {
              attempt(index + 1); // nothing reached the client yet: the next deployment may serve it
            } else {
              int failure = failureStatus(error);
              answer(failure, failure == 504 ? "upstream did not answer in time" : "upstream unreachable");
              complete(failure == 504 ? "upstream_timeout" : "upstream_unreachable", false);
            }
          });
    }

    private void onResponse(HttpClientResponse upstream, int index) {
      if (done.future().isComplete()) {
        upstream.request().reset();
        return;
      }
      status = upstream.statusCode();
      if (status >= 500 && index + 1 < call.targets().size()) {
        upstream.handler(ignored -> { }).exceptionHandler(ignored -> attempt(index + 1))
            .endHandler(ignored -> attempt(index + 1)); // drained, never buffered
        return;
      }
      upstreamRequestId = firstNonNull(upstream.getHeader("request-id"), upstream.getHeader("x-request-id"));
      tap = ResponseTap.of(api, status, upstream.getHeader("content-type"), upstream.getHeader("content-encoding"),
          call.streamed() && !call.clientAskedUsage());
      resp.setStatusCode(status);
      UpstreamCall.copyResponseHeaders(upstream.headers(), resp.headers(), !tap.rewrites());
      if (tap.decodesForClient()) {
        resp.headers().remove("content-encoding");
      }
      resp.headers().addAll(extraHeaders);
      if (!resp.headers().contains("content-length")) {
        resp.setChunked(true);
      } else {
        promisedLength = parseLong(resp.headers().get("content-length"));
        holdWhole = !call.streamed() && promisedLength >= 0 && promisedLength <= HOLD_WHOLE_MAX_BYTES
            && !isEventStream(upstream.getHeader("content-type"));
      }
      lastChunkNanos = System.nanoTime();
      upstreamResp = upstream;
      armIdleTimer(upstream, streamIdleTimeoutMs);
      upstream.handler(chunk -> {
        lastChunkNanos = System.nanoTime();
        Buffer out = tap.onChunk(chunk);
        if (ttftMs == null && tap.sawFirstContent()) {
          ttftMs = (System.nanoTime() - startNanos) / 1_000_000;
        }
        if (out != null && out.length() > 0) {
          write(upstream, out);
        }
      });
      upstream.exceptionHandler(error -> {
        if (done.future().isComplete()) {
          return;
        }
        if (nothingSent()) {
          answerInstead(CUT, "upstream cut its answer short"); // held: the client gets an error in its API's shape
        } else {
          req.connection().close(); // the client must see the cut too, not a clean end
        }
        status = CUT; // recorded as the failure it is, not as the 200 its headers said
        complete("upstream_reset", false);
      });
      upstream.endHandler(v -> {
        if (done.future().isComplete()) {
          return;
        }
        if (clientGone) {
          complete("client_abort", true); // drained after the client left: the final usage is known
          return;
        }
        Buffer rest = tap.onEnd();
        if (rest != null && rest.length() > 0 && !resp.closed()) {
          if (holdWhole) {
            hold(rest);
          } else {
            resp.write(rest);
          }
        }
        // The last write waits for the caller: it ends the response once the call's event is durable.
        endPending = true;
        complete(status >= 400 ? "upstream_" + status : null, false);
      });
    }

    /** Cuts an answer that stops sending mid-body for longer than the stream idle timeout. */
    private void armIdleTimer(HttpClientResponse upstream, long delayMs) {
      idleTimer = vertx.setTimer(Math.max(1, delayMs), id -> {
        if (done.future().isComplete()) {
          return;
        }
        long idleMs = (System.nanoTime() - lastChunkNanos) / 1_000_000;
        if (paused || idleMs < streamIdleTimeoutMs) {
          // Paused for a slow client is not an upstream stall; re-check later either way.
          armIdleTimer(upstream, streamIdleTimeoutMs - idleMs); // one timer per call, re-armed rarely
          return;
        }
        boolean held = nothingSent();
        if (held) {
          answerInstead(STALLED, "upstream stalled mid-answer");
        }
        status = STALLED;
        complete("upstream_stalled", false);
        upstream.request().reset();
        if (!held) {
          req.connection().close();
        }
      });
    }

    private void write(HttpClientResponse upstream, Buffer chunk) {
      if (resp.closed()) {
        return;
      }
      if (holdWhole) {
        hold(chunk);
        return;
      }
      if (promisedLength >= 0 && chunk.length() > 0 && bytesToClient + chunk.length() >= promisedLength) {
        // With a content-length the client has the whole answer once the last promised byte
        // arrives, whatever end() does later: hold that byte back, so the caller's end — after
        // the event is durable — is what completes the answer, as the terminating chunk does for
        // chunked answers.
        heldTail = chunk.getBuffer(chunk.length() - 1, chunk.length()); // a copy of that one byte, not of the chunk
        chunk = chunk.slice(0, chunk.length() - 1);
      }
      resp.write(chunk);
      bytesToClient += chunk.length();
      if (resp.writeQueueFull()) {
        upstream.pause();
        paused = true;
        resp.drainHandler(v -> {
          paused = false;
          lastChunkNanos = System.nanoTime();
          upstream.resume();
        });
      }
    }

    /** A held answer of which nothing went out yet: a failure can still be answered properly. */
    private boolean nothingSent() {
      return holdWhole && !resp.headWritten() && !resp.closed();
    }

    /**
     * An error answer in place of a held one: upstream's headers (its content-length among them)
     * go, but its request id stays, so the client can still quote it to the provider.
     */
    private void answerInstead(int failure, String message) {
      String anthropicId = resp.headers().get("request-id");
      String openAiId = resp.headers().get("x-request-id");
      resp.headers().clear();
      if (anthropicId != null) {
        resp.putHeader("request-id", anthropicId);
      }
      if (openAiId != null) {
        resp.putHeader("x-request-id", openAiId);
      }
      answer(failure, message);
    }

    /**
     * Keeps a chunk of a small JSON answer for the end: one write of head and body instead of the
     * body at once and its last byte later (two writes, two TCP segments per call).
     */
    private void hold(Buffer chunk) {
      if (heldTail == null) {
        heldTail = Buffer.buffer(chunk.length()); // grows as chunks come: a trickle pins only what arrived
      }
      heldTail.appendBuffer(chunk); // a copy: nothing keeps the connection's buffers past this handler
    }

    private void onClientGone() {
      if (done.future().isComplete() || (promisedLength >= 0 && bytesToClient >= promisedLength)) {
        return; // the client had the whole answer; upstream's end event completes the call
      }
      status = status == 0 ? 499 : status;
      clientGone = true;
      if (upstreamResp != null && api.usageAtEnd() && !tap.reading().usage().complete()) {
        // OpenAI reports usage only in a stream's last chunk: resetting now would record the call
        // as $0 while the provider bills its input. Read on (nothing more reaches the client),
        // bounded by the abort drain limit, then complete with the final usage.
        paused = false;
        upstreamResp.resume();
        abortTimer = vertx.setTimer(ABORT_DRAIN_MS, id -> {
          if (!done.future().isComplete()) {
            complete("client_abort", true);
            upstreamReq.reset();
          }
        });
        return;
      }
      // Complete first: resetting upstream fires its exception handler synchronously.
      complete("client_abort", true);
      if (upstreamReq != null) {
        upstreamReq.reset(); // Anthropic's usage is known from message_start: stop paying for tokens nobody reads
      }
    }

    private void answer(int failure, String message) {
      status = failure;
      if (!resp.headWritten() && !resp.closed()) {
        resp.setStatusCode(failure).putHeader("content-type", "application/json");
        resp.headers().addAll(extraHeaders);
        resp.end(ApiErrors.body(api, failure, message));
      }
    }

    private void complete(String errorType, boolean aborted) {
      if (idleTimer >= 0) {
        vertx.cancelTimer(idleTimer);
      }
      if (abortTimer >= 0) {
        vertx.cancelTimer(abortTimer);
      }
      ResponseTap.Reading reading = tap == null ? ResponseTap.Reading.NONE : tap.reading();
      done.tryComplete(new RelayOutcome(aborted && status == 0 ? 499 : status, reading.usage(), reading.source(),
          errorType, aborted, ttftMs, upstreamRequestId, target, endPending, endPending ? heldTail : null));
    }
  }

  private static boolean isEventStream(String contentType) {
    return contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).contains("text/event-stream");
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
