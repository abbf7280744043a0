package io.tollgate.ingress.provider;

import io.tollgate.ingress.identity.CustomerResolver;
import io.tollgate.ingress.identity.KeyAuth;
import io.tollgate.ingress.identity.Tool;
import io.tollgate.ingress.pricing.Cost;
import io.tollgate.ingress.usage.Api;
import io.tollgate.ingress.usage.Usage;
import io.tollgate.schemas.UsageEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything known about a finished call, turned into the one {@link UsageEvent} it produces.
 *
 * <p>Every string a client controls is capped here, once, before it enters the event: an event
 * must always fit Kafka's record limit whatever the client sent (a 1.2 MB model name once stopped
 * metering for everyone). Limits: ids and names {@value #MAX_NAME} chars, error types
 * {@value #MAX_ERROR}, at most {@value #MAX_TAGS} request tags of {@value #MAX_TAG} chars.
 */
record CallFacts(String eventId, Instant ts, long durationMs, Long ttftMs, String gatewayId, KeyAuth.Identity key,
                 CustomerResolver.Customer customer, Tool tool, String sessionId, Api api, String modelRequested,
                 Router.Target target, Usage usage, String usageSource, int status, String errorType,
                 boolean streamed, boolean aborted, String upstreamRequestId, List<String> requestTags) {
  static final int MAX_NAME = 256;
  static final int MAX_ERROR = 128;
  static final int MAX_TAGS = io.tollgate.schemas.RequestTagLimits.MAX_TAGS;
  static final int MAX_TAG = io.tollgate.schemas.RequestTagLimits.MAX_TAG_LENGTH;

  /**
   * The event, with the call's cost and the budget periods it counts against. Every field is set
   * here: the builder deep-copies the schema default of any field left unset.
   */
  UsageEvent toEvent(Cost cost, List<io.tollgate.schemas.BudgetPeriodRef> budgetPeriods) {
    String provider = target != null ? target.deployment().provider() : api.family();
    String modelGroup = target != null ? target.deployment().modelName() : null;
    List<String> tags = requestTags.stream().limit(MAX_TAGS).map(t -> cap(t, MAX_TAG)).toList();
    return UsageEvent.newBuilder()
        .setEventId(eventId)
        .setTs(ts)
        .setDurationMs(Math.max(0, durationMs))
        .setTtftMs(ttftMs)
        .setGatewayId(cap(gatewayId, MAX_NAME))
        .setKeyHash(key == null ? null : key.hash())
        .setKeyAlias(key == null ? null : cap(key.alias(), MAX_NAME))
        .setCustomerId(cap(customer.id(), MAX_NAME))
        .setTeamId(key == null ? null : cap(key.teamId(), MAX_NAME))
        .setUserId(key == null ? null : cap(key.userId(), MAX_NAME))
        .setCustomerSource(customer.source())
        .setTool(tool.name())
        .setToolVersion(cap(tool.version(), MAX_NAME))
        .setUserAgent(cap(tool.userAgent(), 2 * MAX_NAME))
        .setSessionId(cap(sessionId, MAX_NAME))
        .setProvider(provider)
        .setApi(api.wireName())
        .setModelRequested(modelRequested == null ? "" : cap(modelRequested, MAX_NAME))
        .setModel(cap(usage.model(), MAX_NAME))
        .setStatusCode(status)
        .setErrorType(cap(errorType, MAX_ERROR))
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
        .setUpstreamRequestId(cap(upstreamRequestId != null ? upstreamRequestId : usage.upstreamId(), MAX_NAME))
        .setTags(Map.of())
        .setRequestTags(tags)
        .setUsageSource(usageSource)
        .setUsageClamped(usage.clamped())
        .setWebSearchRequests(usage.webSearchRequests())
        .setServiceTier(cap(usage.serviceTier(), MAX_ERROR))
        .setModelGroup(cap(modelGroup, MAX_NAME))
        .setBudgetPeriods(budgetPeriods)
        .build();
  }

  /** {@code s} cut to {@code max} chars, never inside a surrogate pair; null stays null. */
  static String cap(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end);
  }
}
