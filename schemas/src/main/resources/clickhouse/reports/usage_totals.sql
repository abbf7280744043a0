-- Totals of the calls matching {{where}} (date range, filters, a virtual key's own key): spend,
-- calls, successes (not an error: status < 400, or the client went away; as the aggregator counts
-- errors), every token kind, and the calls without a price (spend counted as 0).
-- rollup_totals.sql gives the same numbers from the window tables.
SELECT sum(toDecimal128(cost_nanos, 0)) AS spend_nanos,
       count() AS requests,
       countIf(status_code < 400 OR aborted = 1) AS successes,
       sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens,
       sum(cache_read_tokens) AS cache_read_tokens,
       sum(cache_write_5m_tokens + cache_write_1h_tokens) AS cache_write_tokens,
       sum(reasoning_tokens) AS reasoning_tokens,
       countIf(price_known = 0) AS unpriced_requests,
       uniqExactIf(customer_id, customer_id != '') AS customers
FROM usage_events FINAL{{where}}
