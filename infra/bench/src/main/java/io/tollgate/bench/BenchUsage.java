package io.tollgate.bench;

import io.tollgate.schemas.UsageEvent;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;

/** Synthetic usage events of the aggregator benchmark: two models, two tools, small random counters. */
final class BenchUsage {
  private BenchUsage() {
  }

  static UsageEvent event(Random random, String customer, Instant ts) {
    return UsageEvent.newBuilder().setEventId(new UUID(random.nextLong(), random.nextLong()).toString()).setTs(ts)
        .setDurationMs(5).setTtftMs(null)
        .setGatewayId("bench").setKeyHash("k").setKeyAlias(null).setCustomerId(customer).setCustomerSource("header_customer_id")
        .setTool(random.nextBoolean() ? "claude-code" : "codex").setToolVersion(null).setUserAgent(null).setSessionId(null)
        .setProvider("anthropic").setApi("messages").setModelRequested(random.nextBoolean() ? "claude-sonnet-4-5" : "gpt-5")
        .setModel(null).setStatusCode(200).setErrorType(null).setInputTokens(random.nextInt(5000))
        .setOutputTokens(random.nextInt(500)).setCostNanos(1 + random.nextInt(1_000_000)).setPriceKnown(true)
        .setUpstreamRequestId(null).build();
  }
}
