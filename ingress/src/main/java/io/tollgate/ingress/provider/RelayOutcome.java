package io.tollgate.ingress.provider;

import io.tollgate.ingress.usage.Usage;

/**
 * What relaying a call produced.
 *
 * @param status            the status the client got (499 when it went away first); for an answer cut
 *                          after its headers the failure instead ({@link Relay#CUT}, {@link Relay#STALLED})
 * @param usage             the usage read from the answer ({@link Usage#NONE} when none)
 * @param usageSource       {@code response | stream | partial | none}
 * @param errorType         why the call failed, or null
 * @param aborted           the client went away before the answer ended
 * @param ttftMs            time to the first content (token) event, or null
 * @param upstreamRequestId the provider's request id header, or null
 * @param target            the deployment that answered (or was tried last)
 * @param endPending        the answer was relayed whole but the response is not ended yet: the
 *                          caller ends it once the call's event is durable
 * @param tail              for {@code endPending}: bytes the caller's end must write (the held-back last
 *                          byte of an answer with a content-length), or null
 */
record RelayOutcome(int status, Usage usage, String usageSource, String errorType, boolean aborted, Long ttftMs,
                    String upstreamRequestId, Router.Target target, boolean endPending,
                    io.vertx.core.buffer.Buffer tail) {
}
