-- Pages of a crawl run whose source selectors were set aside for the generic extractor (the body
-- selector matched nothing, or far less text than the generic extractor found): `chiso status`
-- shows the last run's count so an operator sees a site redesign before the data goes bad.
-- Keep in step with migrations/postgres/0004_selector_fallbacks.sql.
ALTER TABLE crawl_runs ADD COLUMN selector_fallbacks INTEGER NOT NULL DEFAULT 0;
