-- DAU / WAU / MAU per coding tool over rolling windows ending at the instant bound first (the end
-- of the range): distinct customers and distinct keys with at least one call in the
-- last 1, 7 and 30 days. {{where}} spans the 30 days. A session (Claude Code's session id) is not
-- a user: many sessions of one customer count once; sessions are counted on their own.
-- No FINAL: every column is a distinct count or a filter, and a replayed row (the same event_id,
-- customer, key, session, tool and ts) adds no new distinct value, so the counts are exact over
-- the rows not yet collapsed too. FINAL would merge the parts on one thread (3x slower at 1M rows).
SELECT tool,
       uniqExactIf(customer_id, customer_id != '' AND ts >= toDateTime(?)) AS dau_customers,
       uniqExactIf(customer_id, customer_id != '' AND ts >= toDateTime(?)) AS wau_customers,
       uniqExactIf(customer_id, customer_id != '') AS mau_customers,
       uniqExactIf(key_hash, key_hash != '' AND ts >= toDateTime(?)) AS dau_keys,
       uniqExactIf(key_hash, key_hash != '' AND ts >= toDateTime(?)) AS wau_keys,
       uniqExactIf(key_hash, key_hash != '') AS mau_keys,
       uniqExactIf(session_id, session_id != '') AS mau_sessions
FROM usage_events{{where}}
GROUP BY tool
ORDER BY mau_customers DESC, mau_keys DESC, tool
LIMIT ?
