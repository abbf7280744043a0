-- Spend, calls and tokens per UTC day over a half-open range [?, ?) of days, with an optional extra filter.
SELECT toDate(ts) AS day,
       sum(toDecimal128(cost_nanos, 0)) AS spend_nanos,
       count() AS requests,
       sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS prompt_tokens,
       sum(output_tokens) AS completion_tokens
FROM usage_events FINAL
WHERE toDate(ts) >= ? AND toDate(ts) < ?{{filter}}
GROUP BY day
ORDER BY day
