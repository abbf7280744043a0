-- Metered vs billed per provider, model and UTC day over a half-open range [?, ?) of days (the newest comparison).
SELECT provider,
       model,
       toString(day) AS date,
       status,
       billed_source,
       billed_nanos,
       metered_nanos,
       drift_nanos,
       billed_input_tokens + billed_cache_read_tokens + billed_cache_write_5m_tokens + billed_cache_write_1h_tokens AS billed_prompt_tokens,
       billed_output_tokens,
       metered_input_tokens + metered_cache_read_tokens + metered_cache_write_5m_tokens + metered_cache_write_1h_tokens AS metered_prompt_tokens,
       metered_output_tokens,
       alert_id,
       toString(fetched_at) AS fetched
FROM provider_usage FINAL
WHERE day >= toDate(?) AND day < toDate(?)
ORDER BY day, provider, model = '*', model
