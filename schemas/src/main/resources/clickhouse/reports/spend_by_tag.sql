-- Spend, calls and tokens per request tag: a call counts once under each of its tags (so the tags'
-- totals add up to more than the spend when calls carry several); untagged calls are not listed.
-- The where placeholder: the spend API's filters (key, dates, tags), each value a bound parameter.
SELECT tag,
       count() AS log_count,
       sum(toDecimal128(cost_nanos, 0)) AS spend_nanos,
       sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens) AS total_tokens
FROM usage_events FINAL
ARRAY JOIN request_tags AS tag
{{where}}
GROUP BY tag
ORDER BY spend_nanos DESC, tag
LIMIT ?
