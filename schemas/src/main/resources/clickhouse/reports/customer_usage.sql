-- One row per customer (end user): spend, calls, successes, tokens, last call, and how the
-- gateway identified them (the most frequent customer_source; ties: any of them).
-- The inner select sums per customer and source, so the outer one picks the most frequent source
-- with an exact argMax over a few rows per customer instead of a topK state per customer.
SELECT customer_id,
       sum(spend) AS spend_nanos,
       sum(calls) AS requests,
       sum(ok) AS successes,
       sum(all_tokens) AS tokens,
       toString(max(last_ts)) AS last_active,
       argMax(source, calls) AS identified_by
FROM (SELECT customer_id,
             customer_source AS source,
             sum(toDecimal128(cost_nanos, 0)) AS spend,
             count() AS calls,
             countIf(status_code < 400 OR aborted = 1) AS ok,
             sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens) AS all_tokens,
             max(ts) AS last_ts
      FROM usage_events FINAL{{where}}
      GROUP BY customer_id, source)
GROUP BY customer_id
ORDER BY spend_nanos DESC, customer_id
LIMIT ?
