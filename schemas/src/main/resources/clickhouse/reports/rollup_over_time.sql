-- spend_over_time.sql read from a window table ({{table}}: spend_1d per UTC day with {{bucket}}
-- toDate(window_start), spend_1h per hour with {{bucket}} window_start): the same columns and numbers.
SELECT toString({{bucket}}) AS bucket,
       sum(toDecimal128(cost_nanos, 0)) AS spend_nanos,
       sum(requests) AS requests,
       sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens) AS tokens,
       sum(unknown_price_requests) AS unpriced_requests
FROM {{table}} FINAL{{where}}
GROUP BY bucket
ORDER BY bucket
LIMIT ?
