-- Tollgate's metered usage of one provider per model and UTC day over [?, ?) (the reconciler's side of the comparison).
SELECT model,
       toString(toDate(ts)) AS day,
       sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens,
       sum(cache_read_tokens) AS cache_read_tokens,
       sum(cache_write_5m_tokens) AS cache_write_5m_tokens,
       sum(cache_write_1h_tokens) AS cache_write_1h_tokens,
       count() AS requests,
       sum(cost_nanos) AS cost_nanos
FROM usage_events FINAL
WHERE provider = ? AND toDate(ts) >= toDate(?) AND toDate(ts) < toDate(?)
GROUP BY model, day
ORDER BY model, day
