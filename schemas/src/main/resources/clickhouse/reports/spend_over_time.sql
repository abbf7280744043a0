-- Spend, calls and tokens per UTC day (or hour: {{bucket}} is toDate(ts) or toStartOfHour(ts)).
SELECT toString({{bucket}}) AS bucket,
       sum(toDecimal128(cost_nanos, 0)) AS spend_nanos,
       count() AS requests,
       sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens) AS tokens,
       countIf(price_known = 0) AS unpriced_requests
FROM usage_events FINAL{{where}}
GROUP BY bucket
ORDER BY bucket
LIMIT ?
