package io.tollgate.schemas.serde;

import io.tollgate.schemas.Alert;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.VirtualKey;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** Fully populated sample records for serde tests. */
final class Events {
  static final Instant TS = Instant.parse("2026-11-24T12:34:56.789Z");

  private Events() {
  }

  static UsageEvent usage(String id) {
    return UsageEvent.newBuilder()
        .setEventId(id).setTs(TS).setDurationMs(1234).setTtftMs(321L).setGatewayId("gw-1")
        .setKeyHash("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08").setKeyAlias("team-a")
        .setCustomerId("acme").setCustomerSource("header_customer_id").setTool("claude-code")
        .setToolVersion("2.1.3").setUserAgent("claude-cli/2.1.3 (external, sdk-cli)").setSessionId("s-1")
        .setProvider("anthropic").setApi("messages").setModelRequested("claude-sonnet-4-5")
        .setModel("claude-sonnet-4-5-20250929").setStatusCode(200).setErrorType(null)
        .setStreamed(true).setAborted(false).setInputTokens(10).setOutputTokens(20)
        .setCacheReadTokens(30).setCacheWrite5mTokens(40).setCacheWrite1hTokens(50)
        .setReasoningTokens(0).setCostNanos(123_456_789L).setPriceKnown(true)
        .setUpstreamRequestId("req_1").setTags(Map.of("team", "platform"))
        .build();
  }

  static SpendWindow window() {
    return SpendWindow.newBuilder().setWindowSize("1m").setWindowStart(TS).setWindowEnd(TS.plusSeconds(60))
        .setCustomerId("acme").setModel("gpt-5").setTool("codex").setRequests(3).setErrors(1)
        .setAborted(0).setInputTokens(1).setOutputTokens(2).setCacheReadTokens(3)
        .setCacheWrite5mTokens(4).setCacheWrite1hTokens(5).setReasoningTokens(6)
        .setCostNanos(7_000_000_000L).setUnknownPriceRequests(0).setVersion(9).setUpdatedAt(TS).build();
  }

  static SpendTotal total() {
    return SpendTotal.newBuilder().setScope("customer").setScopeId("acme").setDay(LocalDate.of(2026, 11, 24))
        .setRequests(5).setInputTokens(6).setOutputTokens(7).setCostNanos(50_000_000_000L)
        .setVersion(3).setUpdatedAt(TS).build();
  }

  static Alert alert() {
    return Alert.newBuilder().setAlertId("a-1").setRuleId("daily-50").setKind("threshold")
        .setSeverity("warning").setScope("customer").setScopeId("acme").setPeriod("day")
        .setWindowStart(TS).setSpendNanos(51_000_000_000L).setThresholdNanos(50_000_000_000L)
        .setBaselineMeanNanos(null).setBaselineStddevNanos(null).setZScore(null)
        .setChannels(List.of("slack", "email")).setMessage("acme spent $51 today").setCreatedAt(TS)
        .setDetails(Map.of("top_model", "claude-opus-4-1")).build();
  }

  static VirtualKey key() {
    return VirtualKey.newBuilder().setKeyHash("abc").setKeyAlias("ci").setDefaultCustomerId("acme")
        .setTeamId(null).setModels(List.of("claude-sonnet-4-5")).setMaxBudgetNanos(10_000_000_000L)
        .setBudgetDuration("30d").setBlocked(false).setCreatedAt(TS).setExpiresAt(null)
        .setMetadata(Map.of()).build();
  }

  static Customer customer() {
    return Customer.newBuilder().setCustomerId("acme").setAlias("ACME Corp").setMaxBudgetNanos(null)
        .setBudgetDuration(null).setBlocked(false).setCreatedAt(TS).setMetadata(Map.of("plan", "pro")).build();
  }
}
