-- What the providers billed, per provider x model x UTC day, next to what Tollgate metered for the
-- same day when the reconciler compared them (docs/reconciliation.md). The reconciler rewrites the
-- last N days on every poll (providers revise recent days): the highest version of a row wins.
-- model '*' is a provider's day total (Anthropic: its cost report; OpenAI: the sum of line items).
-- status: settled (compared; may alert), unsettled (day ended less than settle_hours ago: shown,
-- never alerted), missing (the provider reported nothing for the day yet: lag, not drift).
-- alert_id is set once a drift was raised, and carried into every later version, so each
-- provider/model/day is alerted at most once, across restarts.
CREATE TABLE IF NOT EXISTS provider_usage (
    provider                      String,
    model                         String,
    day                           Date,
    status                        String,
    billed_source                 String,
    billed_input_tokens           UInt64,
    billed_output_tokens          UInt64,
    billed_cache_read_tokens      UInt64,
    billed_cache_write_5m_tokens  UInt64,
    billed_cache_write_1h_tokens  UInt64,
    billed_requests               UInt64,
    billed_nanos                  Int64,
    metered_input_tokens          UInt64,
    metered_output_tokens         UInt64,
    metered_cache_read_tokens     UInt64,
    metered_cache_write_5m_tokens UInt64,
    metered_cache_write_1h_tokens UInt64,
    metered_requests              UInt64,
    metered_nanos                 Int64,
    drift_nanos                   Int64,
    alert_id                      String,
    version                       UInt64,
    fetched_at                    DateTime
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(day)
ORDER BY (provider, model, day);
