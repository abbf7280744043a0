-- UsageEvent v2: team and user of the key, LiteLLM's request tags, where the usage came from and
-- whether it was clamped, web search requests, service tier, the model group that routed the call.
-- One ALTER per column: ClickHouse 18.16 has no ADD COLUMN IF NOT EXISTS, and a migration is
-- applied once (schema_migrations).
ALTER TABLE usage_events ADD COLUMN team_id String DEFAULT '';
ALTER TABLE usage_events ADD COLUMN user_id String DEFAULT '';
ALTER TABLE usage_events ADD COLUMN request_tags Array(String);
ALTER TABLE usage_events ADD COLUMN usage_source String DEFAULT 'unknown';
ALTER TABLE usage_events ADD COLUMN usage_clamped UInt8 DEFAULT 0;
ALTER TABLE usage_events ADD COLUMN web_search_requests UInt64 DEFAULT 0;
ALTER TABLE usage_events ADD COLUMN service_tier String DEFAULT '';
ALTER TABLE usage_events ADD COLUMN model_group String DEFAULT '';
