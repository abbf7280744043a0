-- Coding tools: cost, calls, successful calls and tokens per tool and tool version.
SELECT tool,
       tool_version,
       sum(toDecimal128(cost_nanos, 0)) AS spend_nanos,
       count() AS requests,
       countIf(status_code < 400 OR aborted = 1) AS successes,
       sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS prompt_tokens,
       sum(output_tokens) AS completion_tokens,
       uniqExactIf(session_id, session_id != '') AS sessions
FROM usage_events FINAL{{where}}
GROUP BY tool, tool_version
ORDER BY spend_nanos DESC, tool, tool_version
LIMIT ?
