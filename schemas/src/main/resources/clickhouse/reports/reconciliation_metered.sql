-- Tollgate's metered usage of one provider per model and UTC day over [?, ?) (the reconciler's side of the comparison).
SELECT model,
       toString(toDate(ts)) AS day,
       sum(toDecimal128(input_tokens, 0)) AS input_tokens,
       sum(toDecimal128(output_tokens, 0)) AS output_tokens,
       sum(toDecimal128(cache_read_tokens, 0)) AS cache_read_tokens,
       sum(toDecimal128(cache_write_5m_tokens, 0)) AS cache_write_5m_tokens,
       sum(toDecimal128(cache_write_1h_tokens, 0)) AS cache_write_1h_tokens,
       count() AS requests,
       sum(toDecimal128(cost_nanos, 0)) AS cost_nanos
FROM usage_events FINAL
WHERE provider = ? AND toDate(ts) >= toDate(?) AND toDate(ts) < toDate(?)
GROUP BY model, day
ORDER BY model, day
