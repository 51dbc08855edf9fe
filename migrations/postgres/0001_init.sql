-- chiso schema, PostgreSQL dialect. Keep in step with migrations/sqlite/0001_init.sql.
-- Timestamps are timestamptz.

CREATE TABLE sources (
    name                 TEXT PRIMARY KEY,
    province             TEXT NOT NULL,
    base_url             TEXT NOT NULL,
    enabled              BOOLEAN NOT NULL DEFAULT TRUE,
    -- Scheduling state shared by instances: a run is claimed with a lease that expires.
    lease_owner          TEXT,
    lease_until          TIMESTAMPTZ,
    next_run_at          TIMESTAMPTZ,
    last_run_at          TIMESTAMPTZ,
    last_success_at      TIMESTAMPTZ,
    last_status          TEXT,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    updated_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE articles (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source            TEXT NOT NULL REFERENCES sources(name),
    url               TEXT NOT NULL UNIQUE,
    title             TEXT,
    published_at      TIMESTAMPTZ,
    author            TEXT,
    sapo              TEXT,
    body              TEXT NOT NULL,
    content_hash      TEXT NOT NULL,
    raw_html          BYTEA,            -- gzip-compressed page, so extraction can be re-run offline
    etag              TEXT,
    last_modified     TEXT,
    fetched_at        TIMESTAMPTZ NOT NULL,
    first_seen_at     TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ,
    extractor_version TEXT NOT NULL
);
CREATE INDEX articles_source_published ON articles(source, published_at);
CREATE INDEX articles_published ON articles(published_at);

CREATE TABLE areas (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    era           TEXT NOT NULL CHECK (era IN ('2008_2025', '2025')),
    level         TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    unit_type     TEXT NOT NULL,
    full_name     TEXT NOT NULL,
    parent_code   TEXT,
    province_code TEXT NOT NULL,
    valid_from    DATE,
    valid_to      DATE,
    former        BOOLEAN NOT NULL DEFAULT FALSE
);
-- A code can appear more than once among former units (renamed twice between snapshots).
CREATE INDEX areas_code ON areas(era, level, code);
CREATE INDEX areas_name ON areas(name);

CREATE TABLE facts (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id        BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    area              TEXT,
    area_level        TEXT,
    area_code         TEXT,
    province          TEXT,
    indicator         TEXT,
    metric            TEXT NOT NULL,
    value             DOUBLE PRECISION NOT NULL,
    value_high        DOUBLE PRECISION,
    unit              TEXT NOT NULL,
    value_base        DOUBLE PRECISION,
    unit_base         TEXT,
    total             DOUBLE PRECISION,
    year              BIGINT,
    period            TEXT,
    kind              TEXT NOT NULL CHECK (kind IN ('actual', 'target')),
    approx            BOOLEAN NOT NULL DEFAULT FALSE,
    plan_pct          DOUBLE PRECISION,
    yoy_pct           DOUBLE PRECISION,
    sentence          TEXT NOT NULL,
    span_start        BIGINT NOT NULL,
    span_end          BIGINT NOT NULL,
    extractor_version TEXT NOT NULL
);
CREATE INDEX facts_article ON facts(article_id);
CREATE INDEX facts_series ON facts(indicator, area, province, year);
CREATE INDEX facts_area_code ON facts(area_code, indicator, year);

CREATE TABLE crawl_runs (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source           TEXT NOT NULL REFERENCES sources(name),
    instance         TEXT NOT NULL,
    started_at       TIMESTAMPTZ NOT NULL,
    finished_at      TIMESTAMPTZ,
    status           TEXT NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed', 'interrupted')),
    pages_fetched    BIGINT NOT NULL DEFAULT 0,
    not_modified     BIGINT NOT NULL DEFAULT 0,
    new_articles     BIGINT NOT NULL DEFAULT 0,
    updated_articles BIGINT NOT NULL DEFAULT 0,
    facts            BIGINT NOT NULL DEFAULT 0,
    errors           BIGINT NOT NULL DEFAULT 0,
    message          TEXT
);
CREATE INDEX crawl_runs_source ON crawl_runs(source, started_at);

-- Validators of feeds, sitemaps and listings, for conditional GET on the next run.
CREATE TABLE fetch_cache (
    url           TEXT PRIMARY KEY,
    etag          TEXT,
    last_modified TEXT,
    content_hash  TEXT,
    fetched_at    TIMESTAMPTZ NOT NULL
);

-- Article pages that failed to fetch: retried on the next runs even when their feed answers 304.
CREATE TABLE page_queue (
    url             TEXT PRIMARY KEY,
    source          TEXT NOT NULL REFERENCES sources(name),
    first_seen_at   TIMESTAMPTZ NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX page_queue_due ON page_queue(source, next_attempt_at);

-- The outbox: written in the same transaction as the article; a dispatcher delivers it.
CREATE TABLE alerts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id      BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,     -- the channel's name (never its secret URL)
    event           TEXT NOT NULL CHECK (event IN ('new', 'updated')),
    dedupe_key      TEXT NOT NULL,     -- sent as Idempotency-Key; unique per channel
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_owner     TEXT,
    lease_until     TIMESTAMPTZ,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    UNIQUE (channel, dedupe_key)
);
CREATE INDEX alerts_due ON alerts(status, next_attempt_at);

-- One row per area x indicator x period x kind: the value of the most recent report, how many
-- reports gave it and whether they disagree by more than 1 %.
CREATE VIEW indicator_series AS
WITH keyed AS (
    SELECT f.*, a.url AS article_url, a.published_at,
           COALESCE(f.indicator, f.metric) AS series_key,
           COALESCE(f.value_base, f.value) AS cmp_value
    FROM facts f JOIN articles a ON a.id = f.article_id
),
ranked AS (
    SELECT keyed.*,
           ROW_NUMBER() OVER (
               PARTITION BY COALESCE(area, ''), COALESCE(province, ''), series_key, COALESCE(period, ''), kind
               ORDER BY published_at DESC, article_id DESC, id
           ) AS rn
    FROM keyed
),
stats AS (
    SELECT COALESCE(area, '') AS k_area, COALESCE(province, '') AS k_province, series_key,
           COALESCE(period, '') AS k_period, kind,
           COUNT(DISTINCT article_id) AS reports,
           MIN(cmp_value) AS min_value, MAX(cmp_value) AS max_value
    FROM keyed
    GROUP BY 1, 2, 3, 4, 5
)
SELECT r.area, r.area_level, r.area_code, r.province, r.indicator, r.metric, r.year, r.period,
       r.kind, r.value, r.unit, r.value_base, r.unit_base, r.total, r.plan_pct, r.yoy_pct,
       r.article_id, r.article_url, r.published_at, s.reports,
       CASE WHEN s.max_value - s.min_value > 0.01 * GREATEST(ABS(s.max_value), ABS(s.min_value))
            THEN TRUE ELSE FALSE END AS disagree
FROM ranked r
JOIN stats s ON s.k_area = COALESCE(r.area, '') AND s.k_province = COALESCE(r.province, '')
            AND s.series_key = r.series_key AND s.k_period = COALESCE(r.period, '')
            AND s.kind = r.kind
WHERE r.rn = 1;
