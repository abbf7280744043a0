-- One call with everything the gateway recorded about it (the Logs page's detail view).
-- Two steps, as spend_log_page.sql: the call's sorting key (customer_id, ts, event_id) is found
-- reading only the filtered columns, then FINAL reads whole only the granules of that key (the
-- primary key index picks them), not the whole table: a replayed copy still collapses to one row.
SELECT event_id, toString(ts) AS time_utc, ts_ms, gateway_id, api, provider, key_hash, key_alias, team_id, user_id,
       customer_id, customer_source, tool, tool_version, user_agent, session_id, model_requested, model_group, model,
       input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens,
       web_search_requests, cost_nanos, price_known, usage_source, usage_clamped, duration_ms, ttft_ms, status_code,
       error_type, streamed, aborted, service_tier, upstream_request_id, request_tags
FROM usage_events FINAL
WHERE (customer_id, ts, event_id) IN (SELECT customer_id, ts, event_id FROM usage_events{{where}})
LIMIT 1
