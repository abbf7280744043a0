-- usage_totals.sql read from a window table ({{table}}: spend_1d, or spend_1h for parts of days), for
-- the filters the windows carry (range, customers, tool); the same columns and the same numbers as
-- usage_totals.sql over usage_events (UiReportsIT and WebUiIT compare them). A success is a call
-- that is not an error (errors: status >= 400 and not a client abort, as the aggregator counts them).
-- The inner select renames requests and errors: an alias named like a column would shadow it.
SELECT sum(toDecimal128(cost_nanos, 0)) AS spend_nanos,
       sum(calls) AS requests,
       sum(toUInt64(calls - failed)) AS successes,
       sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens,
       sum(cache_read_tokens) AS cache_read_tokens,
       sum(cache_write_5m_tokens + cache_write_1h_tokens) AS cache_write_tokens,
       sum(reasoning_tokens) AS reasoning_tokens,
       sum(unknown_price_requests) AS unpriced_requests,
       uniqExactIf(customer_id, customer_id != '') AS customers
FROM (SELECT customer_id, model, tool, cost_nanos, requests AS calls, errors AS failed, input_tokens, output_tokens,
             cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, reasoning_tokens, unknown_price_requests
      FROM {{table}} FINAL{{where}})
