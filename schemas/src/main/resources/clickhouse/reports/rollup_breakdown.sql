-- usage_breakdown.sql read from a window table ({{table}}) for the dimensions the windows are keyed
-- by ({{dimension}}: customer_id, model — the model asked for — or tool): the same columns and numbers.
SELECT {{dimension}} AS name,
       sum(toDecimal128(cost_nanos, 0)) AS spend_nanos,
       sum(calls) AS requests,
       sum(toUInt64(calls - failed)) AS successes,
       sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS prompt_tokens,
       sum(output_tokens) AS completion_tokens,
       sum(unknown_price_requests) AS unpriced_requests
FROM (SELECT customer_id, model, tool, cost_nanos, requests AS calls, errors AS failed, input_tokens, output_tokens,
             cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, unknown_price_requests
      FROM {{table}} FINAL{{where}})
GROUP BY name
ORDER BY spend_nanos DESC, requests DESC, name
LIMIT ?
