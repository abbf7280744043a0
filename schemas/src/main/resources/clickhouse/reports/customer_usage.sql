-- One row per customer (end user): spend, calls, successes, tokens, last call, and how the
-- gateway identified them (the most frequent customer_source).
SELECT customer_id,
       sum(toDecimal128(cost_nanos, 0)) AS spend_nanos,
       count() AS requests,
       countIf(status_code < 400 OR aborted = 1) AS successes,
       sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens) AS tokens,
       toString(max(ts)) AS last_active,
       topK(1)(customer_source)[1] AS identified_by
FROM usage_events FINAL{{where}}
GROUP BY customer_id
ORDER BY spend_nanos DESC, customer_id
LIMIT ?
