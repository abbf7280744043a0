-- The spend log, one page: {{where}} from the request's filters, {{order}} from an allowlist,
-- always ending in a total order (ts, ts_ms, event_id) so pages never overlap or skip a row.
-- Two steps: the page's rows are picked by their sorting key (customer_id, ts, event_id: one row
-- each after FINAL) reading only the columns the filters and the order need, then only those rows
-- are read whole — the same rows as one ORDER BY … LIMIT over every column, 4-5 times faster on 1M rows.
SELECT event_id, api, key_hash, key_alias, cost_nanos, input_tokens, output_tokens,
       cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, toUInt32(ts) AS ts_s, ts_ms,
       duration_ms, ttft_ms, model, model_requested, model_group, provider, customer_id, user_id, team_id, tool,
       session_id, status_code, error_type, price_known, request_tags, streamed, aborted
FROM usage_events FINAL
WHERE (customer_id, ts, event_id) IN (
    SELECT customer_id, ts, event_id FROM usage_events FINAL{{where}}
    ORDER BY {{order}}
    LIMIT ? OFFSET ?)
ORDER BY {{order}}
