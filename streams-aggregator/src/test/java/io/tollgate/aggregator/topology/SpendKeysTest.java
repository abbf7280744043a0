package io.tollgate.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.schemas.UsageEvent;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SpendKeysTest {
  @Test
  void keysAreLengthPrefixedAndSplitBack() {
    String key = SpendKeys.group("1m", "1732435200000", "acme|x", null, "a".repeat(1234));
    assertThat(key).startsWith("2:1m|13:1732435200000|6:acme|x|0:|1234:a");
    assertThat(SpendKeys.split(key, 5)).containsExactly("1m", "1732435200000", "acme|x", "", "a".repeat(1234));
    assertThat(SpendKeys.group()).isEmpty();
    assertThat(SpendKeys.group("")).isEqualTo("0:");
  }

  @Test
  void theUtcDayOfAnEventIsItsCalendarDayInUtc() {
    for (String ts : List.of("2026-12-04T00:00:00Z", "2026-12-04T23:59:59.999Z", "1969-12-31T23:59:59Z",
        "1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "2400-02-29T12:00:00Z")) {
      Instant t = Instant.parse(ts);
      assertThat(SpendAggregates.day(event(t))).as(ts).isEqualTo(t.atZone(ZoneOffset.UTC).toLocalDate());
    }
  }

  private static UsageEvent event(Instant ts) {
    return UsageEvent.newBuilder().setEventId("e").setTs(ts).setDurationMs(1).setTtftMs(null).setGatewayId("gw")
        .setKeyHash("k").setKeyAlias(null).setCustomerId("c").setCustomerSource("header_customer_id")
        .setTool("claude-code").setToolVersion(null).setUserAgent(null).setSessionId(null).setProvider("anthropic")
        .setApi("messages").setModelRequested("m").setModel(null).setStatusCode(200).setAborted(false)
        .setErrorType(null).setInputTokens(1).setOutputTokens(1).setCacheReadTokens(0).setCacheWrite5mTokens(0)
        .setCacheWrite1hTokens(0).setReasoningTokens(0).setCostNanos(1).setPriceKnown(true).setUpstreamRequestId(null)
        .setRequestTags(List.of()).setBudgetPeriods(List.of()).build();
  }
}
