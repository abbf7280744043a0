-- /global/spend/report by team or customer ({{group}}: team_id or customer_id): spend and tokens
-- per UTC day, group, model and key.
SELECT toString(toDate(ts)) AS day, {{group}} AS grp, model, key_hash, sum(toDecimal128(cost_nanos, 0)) AS spend,
       sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens) AS tokens
FROM usage_events FINAL{{where}}
GROUP BY day, grp, model, key_hash
ORDER BY day, grp, model, key_hash
LIMIT ?
