-- Raised alerts (channel '') and their deliveries (one row per channel and outcome), newest first,
-- for alerts raised in the half-open range [?, ?) of epoch seconds.
SELECT alert_id, channel, status, attempts, error, toString(updated_at) AS outcome_at, rule_id, kind, severity,
       scope, scope_id, period, toString(window_start) AS window_from, spend_nanos AS alert_spend_nanos,
       threshold_nanos AS alert_threshold_nanos, z_score AS alert_z_score, message, toString(created_at) AS raised_at
FROM alerts FINAL
WHERE created_at >= toDateTime(?) AND created_at < toDateTime(?)
ORDER BY created_at DESC, alert_id, channel, status
LIMIT ?
