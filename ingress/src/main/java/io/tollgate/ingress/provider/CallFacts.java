package io.tollgate.ingress.provider;

import io.tollgate.ingress.identity.CustomerResolver;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.identity.Tool;
import io.tollgate.ingress.pricing.Cost;
import io.tollgate.ingress.usage.Api;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.schemas.UsageEvent;
import java.time.Instant;
import java.util.Map;

/** Everything known about a finished call, turned into the one {@link UsageEvent} it produces. */
record CallFacts(Instant ts, long durationMs, Long ttftMs, String gatewayId, KeyAuth.Identity key,
                 CustomerResolver.Customer customer, Tool tool, String sessionId, String provider, Api api,
                 String modelRequested, Usage usage, int status, String errorType, boolean streamed,
                 boolean aborted, Cost cost, String upstreamRequestId) {

  UsageEvent toEvent() {
    return UsageEvent.newBuilder()
        .setEventId(UuidV7.at(ts.toEpochMilli()).toString())
        .setTs(ts)
        .setDurationMs(durationMs)
        .setTtftMs(ttftMs)
        .setGatewayId(gatewayId)
        .setKeyHash(key == null ? null : key.hash())
        .setKeyAlias(key == null ? null : key.alias())
        .setCustomerId(customer.id())
        .setCustomerSource(customer.source())
        .setTool(tool.name())
        .setToolVersion(tool.version())
        .setUserAgent(tool.userAgent())
        .setSessionId(sessionId)
        .setProvider(provider)
        .setApi(api.wireName())
        .setModelRequested(modelRequested == null ? "" : modelRequested)
        .setModel(usage.model())
        .setStatusCode(status)
        .setErrorType(errorType)
        .setStreamed(streamed)
        .setAborted(aborted)
        .setInputTokens(usage.inputTokens())
        .setOutputTokens(usage.outputTokens())
        .setCacheReadTokens(usage.cacheReadTokens())
        .setCacheWrite5mTokens(usage.cacheWrite5mTokens())
        .setCacheWrite1hTokens(usage.cacheWrite1hTokens())
        .setReasoningTokens(usage.reasoningTokens())
        .setCostNanos(cost.nanos())
        .setPriceKnown(cost.priceKnown())
        .setUpstreamRequestId(upstreamRequestId != null ? upstreamRequestId : usage.upstreamId())
        .setTags(Map.of())
        .setUsageSource(usage.complete() ? (streamed ? "stream" : "response") : "none")
        .build();
  }
}
