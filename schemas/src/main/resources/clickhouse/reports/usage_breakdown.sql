-- Spend, calls, successes and tokens per value of one dimension ({{dimension}}: an allowlisted
-- expression, e.g. customer_id, the model asked for, tool, team_id, a key's alias, a request tag), largest
-- first. rollup_breakdown.sql gives the same numbers from the window tables for customer, model and tool.
SELECT {{dimension}} AS name,
       sum(toDecimal128(cost_nanos, 0)) AS spend_nanos,
       count() AS requests,
       countIf(status_code < 400 OR aborted = 1) AS successes,
       sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS prompt_tokens,
       sum(output_tokens) AS completion_tokens,
       countIf(price_known = 0) AS unpriced_requests
FROM usage_events FINAL{{where}}
GROUP BY name
ORDER BY spend_nanos DESC, requests DESC, name
LIMIT ?
