-- /spend/logs summarized (LiteLLM's shape is built from these rows): spend per UTC day, key, user and model.
SELECT toString(toDate(ts)) AS day, key_hash, user_id, model, sum(toDecimal128(cost_nanos, 0)) AS spend
FROM usage_events FINAL{{where}}
GROUP BY day, key_hash, user_id, model
ORDER BY day, key_hash, user_id, model
LIMIT ?
