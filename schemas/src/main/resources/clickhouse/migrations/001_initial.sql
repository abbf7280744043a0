-- The tables of DESIGN.md. Common subset of ClickHouse 18.16 and current releases:
-- no LowCardinality, DateTime64, Map, TTL or CODEC; no Nullable in sorting keys.
-- Absent strings are '' so they can sit in ORDER BY.

-- The spend log: one row per call. A replayed event collapses on (customer_id, ts, event_id).
CREATE TABLE IF NOT EXISTS usage_events (
    event_id              String,
    ts                    DateTime,
    ts_ms                 UInt16,
    duration_ms           UInt32,
    ttft_ms               Nullable(UInt32),
    gateway_id            String,
    key_hash              String,
    key_alias             String,
    customer_id           String,
    customer_source       String,
    tool                  String,
    tool_version          String,
    user_agent            String,
    session_id            String,
    provider              String,
    api                   String,
    model_requested       String,
    model                 String,
    status_code           UInt16,
    error_type            String,
    streamed              UInt8,
    aborted               UInt8,
    input_tokens          UInt64,
    output_tokens         UInt64,
    cache_read_tokens     UInt64,
    cache_write_5m_tokens UInt64,
    cache_write_1h_tokens UInt64,
    reasoning_tokens      UInt64,
    cost_nanos            Int64,
    price_known           UInt8,
    upstream_request_id   String,
    tag_keys              Array(String),
    tag_values            Array(String),
    inserted_at           DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (customer_id, ts, event_id);

-- Window totals from Streams: running totals, the highest version of a window wins.
CREATE TABLE IF NOT EXISTS spend_1m (
    window_start           DateTime,
    customer_id            String,
    model                  String,
    tool                   String,
    requests               UInt64,
    errors                 UInt64,
    aborted                UInt64,
    input_tokens           UInt64,
    output_tokens          UInt64,
    cache_read_tokens      UInt64,
    cache_write_5m_tokens  UInt64,
    cache_write_1h_tokens  UInt64,
    reasoning_tokens       UInt64,
    cost_nanos             Int64,
    unknown_price_requests UInt64,
    version                UInt64,
    updated_at             DateTime
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (window_start, customer_id, model, tool);

-- Same columns, engine and keys as spend_1m.
CREATE TABLE IF NOT EXISTS spend_1h AS spend_1m;

CREATE TABLE IF NOT EXISTS spend_1d AS spend_1m;

-- Every alert raised (channel '', status 'raised') and every delivery outcome per channel.
CREATE TABLE IF NOT EXISTS alerts (
    alert_id              String,
    rule_id               String,
    kind                  String,
    severity              String,
    scope                 String,
    scope_id              String,
    period                String,
    window_start          DateTime,
    spend_nanos           Int64,
    threshold_nanos       Int64,
    baseline_mean_nanos   Int64,
    baseline_stddev_nanos Int64,
    z_score               Float64,
    message               String,
    channel               String,
    status                String,
    attempts              UInt32,
    error                 String,
    created_at            DateTime,
    updated_at            DateTime
) ENGINE = ReplacingMergeTree(updated_at)
PARTITION BY toYYYYMM(created_at)
ORDER BY (alert_id, channel, status);
