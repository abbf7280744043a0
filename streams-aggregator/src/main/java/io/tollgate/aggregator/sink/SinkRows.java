package io.tollgate.aggregator.sink;

import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.clickhouse.RowBinaryOut;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Column lists and RowBinary writers of the tables the sink fills (migrations 001 and 002). */
final class SinkRows {
  static final List<String> USAGE_COLUMNS = List.of("event_id", "ts", "ts_ms", "duration_ms", "ttft_ms",
      "gateway_id", "key_hash", "key_alias", "customer_id", "customer_source", "tool", "tool_version", "user_agent",
      "session_id", "provider", "api", "model_requested", "model", "status_code", "error_type", "streamed",
      "aborted", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_5m_tokens",
      "cache_write_1h_tokens", "reasoning_tokens", "cost_nanos", "price_known", "upstream_request_id",
      "tag_keys", "tag_values", "team_id", "user_id", "request_tags", "usage_source", "usage_clamped",
      "web_search_requests", "service_tier", "model_group");

  static final List<String> WINDOW_COLUMNS = List.of("window_start", "customer_id", "model", "tool", "requests",
      "errors", "aborted", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_5m_tokens",
      "cache_write_1h_tokens", "reasoning_tokens", "cost_nanos", "unknown_price_requests", "version", "updated_at");

  private SinkRows() {
  }

  static void write(RowBinaryOut out, UsageEvent e) throws IOException {
    out.writeString(e.getEventId());
    out.writeDateTime(e.getTs());
    out.writeUInt16((int) (e.getTs().toEpochMilli() % 1000));
    out.writeUInt32(Math.max(0, Math.min(e.getDurationMs(), 0xFFFFFFFFL)));
    out.writeNullableUInt32(e.getTtftMs());
    out.writeString(e.getGatewayId());
    out.writeString(e.getKeyHash());
    out.writeString(e.getKeyAlias());
    out.writeString(e.getCustomerId());
    out.writeString(e.getCustomerSource());
    out.writeString(e.getTool());
    out.writeString(e.getToolVersion());
    out.writeString(e.getUserAgent());
    out.writeString(e.getSessionId());
    out.writeString(e.getProvider());
    out.writeString(e.getApi());
    out.writeString(e.getModelRequested());
    out.writeString(e.getModel());
    out.writeUInt16(e.getStatusCode());
    out.writeString(e.getErrorType());
    out.writeBool(e.getStreamed());
    out.writeBool(e.getAborted());
    out.writeUInt64(e.getInputTokens());
    out.writeUInt64(e.getOutputTokens());
    out.writeUInt64(e.getCacheReadTokens());
    out.writeUInt64(e.getCacheWrite5mTokens());
    out.writeUInt64(e.getCacheWrite1hTokens());
    out.writeUInt64(e.getReasoningTokens());
    out.writeInt64(e.getCostNanos());
    out.writeBool(e.getPriceKnown());
    out.writeString(e.getUpstreamRequestId());
    List<String> keys = new ArrayList<>(e.getTags().keySet());
    List<String> values = new ArrayList<>(keys.size());
    for (String k : keys) {
      values.add(e.getTags().get(k));
    }
    out.writeStringArray(keys);
    out.writeStringArray(values);
    out.writeString(e.getTeamId());
    out.writeString(e.getUserId());
    out.writeStringArray(e.getRequestTags());
    out.writeString(e.getUsageSource());
    out.writeBool(e.getUsageClamped());
    out.writeUInt64(e.getWebSearchRequests());
    out.writeString(e.getServiceTier());
    out.writeString(e.getModelGroup());
  }

  static void write(RowBinaryOut out, SpendWindow w) throws IOException {
    out.writeDateTime(w.getWindowStart());
    out.writeString(w.getCustomerId());
    out.writeString(w.getModel());
    out.writeString(w.getTool());
    out.writeUInt64(w.getRequests());
    out.writeUInt64(w.getErrors());
    out.writeUInt64(w.getAborted());
    out.writeUInt64(w.getInputTokens());
    out.writeUInt64(w.getOutputTokens());
    out.writeUInt64(w.getCacheReadTokens());
    out.writeUInt64(w.getCacheWrite5mTokens());
    out.writeUInt64(w.getCacheWrite1hTokens());
    out.writeUInt64(w.getReasoningTokens());
    out.writeInt64(w.getCostNanos());
    out.writeUInt64(w.getUnknownPriceRequests());
    out.writeUInt64(w.getVersion());
    out.writeDateTime(w.getUpdatedAt());
  }

  /** The table of a window size: 1m → spend_1m; null for a size without a table (a newer aggregator's). */
  static String windowTable(String size) {
    return switch (size) {
      case "1m", "1h", "1d" -> "spend_" + size;
      default -> null;
    };
  }

}
