-- Trend views and the indexes behind `chiso trend`, `chiso query` and `chiso export`.
-- Keep in step with migrations/postgres/0003_views.sql (same views, same columns).

-- `chiso query reports --since` and `chiso export --since` filter articles by first sight.
CREATE INDEX IF NOT EXISTS articles_first_seen ON articles(first_seen_at);

-- indicator_series, same columns and rules as in 0001, rewritten so that a filter on area,
-- province, indicator, period or kind reaches the facts_series index: every window partitions by
-- plain columns (the indicator, or the metric phrase when there is none), which both SQLite and
-- PostgreSQL push a WHERE clause through. 0001's form ranked the whole table first (seconds at
-- a million facts).
DROP VIEW indicator_series;
CREATE VIEW indicator_series AS
WITH keyed AS (
    SELECT f.*, a.url AS article_url, a.published_at,
           CASE WHEN f.indicator IS NULL THEN f.metric END AS metric_key,
           COALESCE(f.value_base, f.value) AS cmp_value
    FROM facts f JOIN articles a ON a.id = f.article_id
),
ranked AS (
    SELECT keyed.*,
           ROW_NUMBER() OVER (PARTITION BY area, province, indicator, metric_key, period, kind
                              ORDER BY published_at DESC NULLS LAST, article_id DESC, id) AS rn,
           DENSE_RANK() OVER (PARTITION BY area, province, indicator, metric_key, period, kind
                              ORDER BY article_id) AS article_rank,
           MIN(cmp_value) OVER (PARTITION BY area, province, indicator, metric_key, period, kind) AS min_value,
           MAX(cmp_value) OVER (PARTITION BY area, province, indicator, metric_key, period, kind) AS max_value
    FROM keyed
),
counted AS (
    SELECT ranked.*,
           MAX(article_rank) OVER (PARTITION BY area, province, indicator, metric_key, period, kind) AS reports
    FROM ranked
)
SELECT area, area_level, area_code, province, indicator, metric, year, period,
       kind, value, unit, value_base, unit_base, total, plan_pct, yoy_pct,
       article_id, article_url, published_at, reports,
       CASE WHEN max_value - min_value > 0.01 * MAX(ABS(max_value), ABS(min_value))
            THEN 1 ELSE 0 END AS disagree
FROM counted
WHERE rn = 1;

-- A year's target, from the most recent report published before the one that gave its actual,
-- beside that actual (the most recent actual of indicator_series), with actual / target.
-- The ratio is computed in base units when both have one, else in the written unit when the
-- units are equal, else NULL.
CREATE VIEW plan_vs_actual AS
WITH actual AS (
    SELECT s.*, COALESCE(s.indicator, s.metric) AS series_key
    FROM indicator_series s
    WHERE s.kind = 'actual'
),
target AS (
    SELECT f.id, f.area, f.province, COALESCE(f.indicator, f.metric) AS series_key, f.period,
           f.value, f.unit, f.value_base, f.unit_base, f.article_id,
           a.url AS article_url, a.published_at
    FROM facts f JOIN articles a ON a.id = f.article_id
    WHERE f.kind = 'target'
),
paired AS (
    SELECT ac.area, ac.area_level, ac.area_code, ac.province, ac.series_key, ac.indicator,
           ac.metric, ac.year, ac.period,
           t.value AS target_value, t.unit AS target_unit, t.value_base AS target_value_base,
           t.unit_base AS target_unit_base,
           ac.value AS actual_value, ac.unit AS actual_unit, ac.value_base AS actual_value_base,
           ac.unit_base AS actual_unit_base, ac.plan_pct AS reported_plan_pct,
           t.article_id AS target_article_id, t.article_url AS target_article_url,
           t.published_at AS target_published_at,
           ac.article_id AS actual_article_id, ac.article_url AS actual_article_url,
           ac.published_at AS actual_published_at,
           ROW_NUMBER() OVER (
               PARTITION BY ac.area, ac.province, ac.indicator, ac.metric, ac.period
               ORDER BY t.published_at DESC NULLS LAST, t.article_id DESC, t.id
           ) AS rn
    FROM actual ac
    JOIN target t
      ON t.series_key = ac.series_key
     AND t.area IS NOT DISTINCT FROM ac.area
     AND t.province IS NOT DISTINCT FROM ac.province
     AND t.period IS NOT DISTINCT FROM ac.period
     AND (t.published_at < ac.published_at
          OR ((t.published_at IS NULL OR ac.published_at IS NULL)
              AND t.article_id < ac.article_id))
)
SELECT area, area_level, area_code, province, series_key, indicator, metric, year, period,
       target_value, target_unit, target_value_base, target_unit_base,
       actual_value, actual_unit, actual_value_base, actual_unit_base,
       CASE
           WHEN target_value_base IS NOT NULL AND actual_value_base IS NOT NULL
                AND target_unit_base = actual_unit_base AND target_value_base <> 0
               THEN actual_value_base / target_value_base
           WHEN target_unit = actual_unit AND target_value <> 0
               THEN actual_value / target_value
       END AS ratio,
       reported_plan_pct,
       target_article_id, target_article_url, target_published_at,
       actual_article_id, actual_article_url, actual_published_at
FROM paired
WHERE rn = 1;

-- Articles with their source's province, the areas their facts name and how many facts they
-- gave; newest first with `ORDER BY first_seen_at DESC`.
CREATE VIEW latest_reports AS
SELECT a.id AS article_id, a.source, s.province AS source_province, a.url, a.title,
       a.published_at, a.first_seen_at,
       COUNT(f.id) AS facts,
       COUNT(DISTINCT f.area) AS area_count,
       group_concat(DISTINCT f.area) AS areas
FROM articles a
JOIN sources s ON s.name = a.source
LEFT JOIN facts f ON f.article_id = a.id
GROUP BY a.id, s.province;
