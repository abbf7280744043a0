-- /global/spend/report by api_key: spend and tokens per key and model.
SELECT key_hash, model, sum(toDecimal128(cost_nanos, 0)) AS spend,
       sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS prompt,
       sum(output_tokens) AS completion
FROM usage_events FINAL{{where}}
GROUP BY key_hash, model
ORDER BY key_hash, model
LIMIT ?
