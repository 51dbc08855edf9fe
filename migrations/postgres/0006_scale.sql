-- Ten thousand sources on one instance (issue 17).
-- Keep in step with migrations/sqlite/0006_scale.sql.
--
-- A run reads only its own source's validators: `fetch_cache` rows name their source. Rows
-- written before this migration are given to the source whose `base_url` is the longest prefix
-- of their URL; a row no source claims (a feed on another host) stays without a source and is
-- fetched in full once, then stored with it.
ALTER TABLE fetch_cache ADD COLUMN source TEXT;
UPDATE fetch_cache SET source = (
    SELECT s.name FROM sources s
    WHERE substr(fetch_cache.url, 1, length(s.base_url)) = s.base_url
    ORDER BY length(s.base_url) DESC, s.name LIMIT 1);
CREATE INDEX fetch_cache_source ON fetch_cache (source);

-- Scheduled runs that could not start (previous run still going or still waiting for a free
-- worker, or the source backing off): counted per source for `chiso status`.
ALTER TABLE sources ADD COLUMN runs_skipped BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN last_skipped_at TIMESTAMPTZ;
ALTER TABLE sources ADD COLUMN last_skip_reason TEXT;
