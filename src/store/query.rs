//! Trend, listing and export queries over facts and the SQL views.
//!
//! Shared by both backends like `common.rs`: [`impl_query_store!`] generates the implementation
//! for each backend struct (invoked in `sqlite.rs` and `postgres.rs`). `chiso trend` reads the
//! `facts` of one series through the `facts_series` index instead of the `indicator_series` view:
//! the view ranks every fact of the database before it can be filtered, which is too slow for the
//! 50 ms target at a million facts; the query layer's `series` module applies the same ranking rules to the
//! few rows read.

use super::rows::{
    AreaCount, AreaFact, AreaSummary, ArticleRecord, ExportRow, IndicatorSummary, ListFilter,
    PlanActualRow, ReportSummary, TrendFact, TrendQuery,
};
use super::StoreError;
use async_trait::async_trait;

/// Trend, listing and export queries over facts and the SQL views.
#[async_trait]
pub trait QueryStore: Send + Sync {
    /// Which of these stored area names have facts of an indicator, per province: the
    /// candidates `chiso trend` chooses among (several = an ambiguous name).
    async fn area_candidates(
        &self,
        indicator: &str,
        areas: &[String],
    ) -> Result<Vec<AreaCount>, StoreError>;

    /// Every fact of one series with its article, ordered by year, period and id.
    async fn trend_facts(&self, q: &TrendQuery) -> Result<Vec<TrendFact>, StoreError>;

    /// Areas that have facts, with counts and the years covered (`chiso query areas`).
    async fn list_areas(&self, f: &ListFilter) -> Result<Vec<AreaSummary>, StoreError>;

    /// Indicators that have facts, with counts (`chiso query indicators`).
    async fn list_indicators(&self, f: &ListFilter) -> Result<Vec<IndicatorSummary>, StoreError>;

    /// Rows of the `latest_reports` view, newest first (`chiso query reports`).
    async fn list_reports(&self, f: &ListFilter) -> Result<Vec<ReportSummary>, StoreError>;

    /// Rows of the `plan_vs_actual` view, optionally for one area and indicator.
    async fn plan_vs_actual(
        &self,
        area: Option<&str>,
        indicator: Option<&str>,
    ) -> Result<Vec<PlanActualRow>, StoreError>;

    /// Up to `limit` facts with id greater than `after_id`, with provenance: `chiso export` pages
    /// through the table by id so that its memory stays constant.
    async fn export_page(
        &self,
        f: &ListFilter,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<ExportRow>, StoreError>;

    /// Every fact of the area with this gazetteer code (of one indicator when given), with its
    /// article, ordered by indicator, year, period and id: the area page and `/api/series`
    /// read it through the `facts_area_code` index.
    async fn area_facts(
        &self,
        area_code: &str,
        indicator: Option<&str>,
    ) -> Result<Vec<AreaFact>, StoreError>;

    /// Every fact of an indicator (of one year when given) with its area and article: the
    /// indicator page ranks the areas from them (`facts_series` index).
    async fn indicator_facts(
        &self,
        indicator: &str,
        year: Option<i32>,
    ) -> Result<Vec<AreaFact>, StoreError>;

    /// The last year an indicator has facts for (the indicator page's default year).
    async fn indicator_last_year(&self, indicator: &str) -> Result<Option<i32>, StoreError>;

    /// Facts stored per area code, for these codes (the area search shows them).
    async fn area_code_counts(&self, codes: &[String]) -> Result<Vec<(String, i64)>, StoreError>;

    /// One article with the texts its facts point into; `NotFound` when there is none.
    async fn article(&self, id: i64) -> Result<ArticleRecord, StoreError>;
}

pub(super) fn year32(y: Option<i64>) -> Option<i32> {
    y.and_then(|y| i32::try_from(y).ok())
}

/// A `trend_facts` row as the drivers decode it.
#[derive(sqlx::FromRow)]
pub(super) struct TrendFactDb {
    id: i64,
    article_id: i64,
    metric: String,
    year: Option<i64>,
    period: Option<String>,
    kind: String,
    value: f64,
    unit: String,
    value_base: Option<f64>,
    unit_base: Option<String>,
    plan_pct: Option<f64>,
    yoy_pct: Option<f64>,
    article_url: String,
    published_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

impl From<TrendFactDb> for TrendFact {
    fn from(r: TrendFactDb) -> Self {
        TrendFact {
            id: r.id,
            article_id: r.article_id,
            metric: r.metric,
            year: year32(r.year),
            period: r.period,
            kind: r.kind,
            value: r.value,
            unit: r.unit,
            value_base: r.value_base,
            unit_base: r.unit_base,
            plan_pct: r.plan_pct,
            yoy_pct: r.yoy_pct,
            article_url: r.article_url,
            published_at: r.published_at,
        }
    }
}

/// An `area_facts` / `indicator_facts` row as decoded.
#[derive(sqlx::FromRow)]
pub(super) struct AreaFactDb {
    area: Option<String>,
    area_code: Option<String>,
    area_level: Option<String>,
    province: Option<String>,
    indicator: Option<String>,
    #[sqlx(flatten)]
    fact: TrendFactDb,
}

impl From<AreaFactDb> for AreaFact {
    fn from(r: AreaFactDb) -> Self {
        AreaFact {
            area: r.area,
            area_code: r.area_code,
            area_level: r.area_level,
            province: r.province,
            indicator: r.indicator,
            fact: r.fact.into(),
        }
    }
}

/// The columns of an [`AreaFactDb`] row, read from `facts f JOIN articles a`.
pub(super) const AREA_FACT_COLUMNS: &str = "SELECT f.area, f.area_code, f.area_level, f.province, \
     f.indicator, f.id, f.article_id, f.metric, f.year, f.period, f.kind, f.value, f.unit, \
     f.value_base, f.unit_base, f.plan_pct, f.yoy_pct, a.url AS article_url, a.published_at \
     FROM facts f JOIN articles a ON a.id = f.article_id WHERE ";

/// An `article` row as decoded.
#[derive(sqlx::FromRow)]
pub(super) struct ArticleDb {
    id: i64,
    source: String,
    url: String,
    title: Option<String>,
    sapo: Option<String>,
    body: String,
    published_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    first_seen_at: chrono::DateTime<chrono::Utc>,
}

impl From<ArticleDb> for ArticleRecord {
    fn from(r: ArticleDb) -> Self {
        ArticleRecord {
            id: r.id,
            source: r.source,
            url: r.url,
            title: r.title,
            sapo: r.sapo,
            body: r.body,
            published_at: r.published_at,
            first_seen_at: r.first_seen_at,
        }
    }
}

/// A `list_areas` row as decoded.
#[derive(sqlx::FromRow)]
pub(super) struct AreaSummaryDb {
    area: Option<String>,
    area_level: Option<String>,
    province: Option<String>,
    facts: i64,
    indicators: i64,
    first_year: Option<i64>,
    last_year: Option<i64>,
}

impl From<AreaSummaryDb> for AreaSummary {
    fn from(r: AreaSummaryDb) -> Self {
        AreaSummary {
            area: r.area,
            area_level: r.area_level,
            province: r.province,
            facts: r.facts,
            indicators: r.indicators,
            first_year: year32(r.first_year),
            last_year: year32(r.last_year),
        }
    }
}

/// A `list_indicators` row as decoded.
#[derive(sqlx::FromRow)]
pub(super) struct IndicatorSummaryDb {
    indicator: Option<String>,
    facts: i64,
    areas: i64,
    first_year: Option<i64>,
    last_year: Option<i64>,
}

impl From<IndicatorSummaryDb> for IndicatorSummary {
    fn from(r: IndicatorSummaryDb) -> Self {
        IndicatorSummary {
            indicator: r.indicator,
            facts: r.facts,
            areas: r.areas,
            first_year: year32(r.first_year),
            last_year: year32(r.last_year),
        }
    }
}

/// A `latest_reports` row as decoded.
#[derive(sqlx::FromRow)]
pub(super) struct ReportSummaryDb {
    article_id: i64,
    source: String,
    source_province: String,
    url: String,
    title: Option<String>,
    published_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    first_seen_at: chrono::DateTime<chrono::Utc>,
    facts: i64,
    areas: Option<String>,
}

impl From<ReportSummaryDb> for ReportSummary {
    fn from(r: ReportSummaryDb) -> Self {
        ReportSummary {
            article_id: r.article_id,
            source: r.source,
            source_province: r.source_province,
            url: r.url,
            title: r.title,
            published_at: r.published_at,
            first_seen_at: r.first_seen_at,
            facts: r.facts,
            areas: r.areas,
        }
    }
}

/// A `plan_vs_actual` row as decoded.
#[derive(sqlx::FromRow)]
pub(super) struct PlanActualDb {
    area: Option<String>,
    province: Option<String>,
    series_key: String,
    period: Option<String>,
    target_value: f64,
    actual_value: f64,
    ratio: Option<f64>,
    target_article_url: String,
    actual_article_url: String,
}

impl From<PlanActualDb> for PlanActualRow {
    fn from(r: PlanActualDb) -> Self {
        PlanActualRow {
            area: r.area,
            province: r.province,
            indicator: r.series_key,
            period: r.period,
            target_value: r.target_value,
            actual_value: r.actual_value,
            ratio: r.ratio,
            target_article_url: r.target_article_url,
            actual_article_url: r.actual_article_url,
        }
    }
}

/// An exported fact as decoded.
#[derive(sqlx::FromRow)]
pub(super) struct ExportDb {
    id: i64,
    article_id: i64,
    article_url: String,
    source: String,
    published_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    area: Option<String>,
    area_level: Option<String>,
    area_code: Option<String>,
    province: Option<String>,
    indicator: Option<String>,
    metric: String,
    value: f64,
    value_high: Option<f64>,
    unit: String,
    value_base: Option<f64>,
    unit_base: Option<String>,
    total: Option<f64>,
    year: Option<i64>,
    period: Option<String>,
    kind: String,
    approx: bool,
    plan_pct: Option<f64>,
    yoy_pct: Option<f64>,
    sentence: String,
}

impl From<ExportDb> for ExportRow {
    fn from(r: ExportDb) -> Self {
        ExportRow {
            id: r.id,
            article_id: r.article_id,
            article_url: r.article_url,
            source: r.source,
            published_at: r.published_at,
            area: r.area,
            area_level: r.area_level,
            area_code: r.area_code,
            province: r.province,
            indicator: r.indicator,
            metric: r.metric,
            value: r.value,
            value_high: r.value_high,
            unit: r.unit,
            value_base: r.value_base,
            unit_base: r.unit_base,
            total: r.total,
            year: year32(r.year),
            period: r.period,
            kind: r.kind,
            approx: r.approx,
            plan_pct: r.plan_pct,
            yoy_pct: r.yoy_pct,
            sentence: r.sentence,
        }
    }
}

/// Implements [`QueryStore`] for a backend struct with a `pool` field of the given database.
macro_rules! impl_query_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::QueryStore for $store {
            async fn area_candidates(
                &self,
                indicator: &str,
                areas: &[String],
            ) -> Result<Vec<$crate::store::AreaCount>, $crate::store::StoreError> {
                if areas.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT area, province, COUNT(*) AS facts FROM facts WHERE indicator = ",
                );
                qb.push_bind(indicator).push(" AND area IN (");
                let mut sep = qb.separated(", ");
                for a in areas {
                    sep.push_bind(a);
                }
                qb.push(") GROUP BY area, province ORDER BY area, province");
                let rows: Vec<(String, Option<String>, i64)> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                Ok(rows
                    .into_iter()
                    .map(|(area, province, facts)| $crate::store::AreaCount {
                        area,
                        province,
                        facts,
                    })
                    .collect())
            }

            async fn trend_facts(
                &self,
                q: &$crate::store::TrendQuery,
            ) -> Result<Vec<$crate::store::TrendFact>, $crate::store::StoreError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT f.id, f.article_id, f.metric, f.year, f.period, f.kind, f.value, \
                     f.unit, f.value_base, f.unit_base, f.plan_pct, f.yoy_pct, \
                     a.url AS article_url, a.published_at \
                     FROM facts f JOIN articles a ON a.id = f.article_id WHERE f.indicator = ",
                );
                qb.push_bind(&q.indicator)
                    .push(" AND f.area = ")
                    .push_bind(&q.area);
                // Two spellings so that both planners use the index (`IS NOT DISTINCT FROM`
                // is not indexable in PostgreSQL).
                match &q.province {
                    Some(p) => {
                        qb.push(" AND f.province = ").push_bind(p);
                    }
                    None => {
                        qb.push(" AND f.province IS NULL");
                    }
                }
                if let Some(y) = q.from_year {
                    qb.push(" AND f.year >= ").push_bind(i64::from(y));
                }
                if let Some(y) = q.to_year {
                    qb.push(" AND f.year <= ").push_bind(i64::from(y));
                }
                qb.push(" ORDER BY f.year, f.period, f.id");
                let rows: Vec<$crate::store::query::TrendFactDb> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn list_areas(
                &self,
                f: &$crate::store::ListFilter,
            ) -> Result<Vec<$crate::store::AreaSummary>, $crate::store::StoreError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT f.area, f.area_level, f.province, COUNT(*) AS facts, \
                     COUNT(DISTINCT f.indicator) AS indicators, MIN(f.year) AS first_year, \
                     MAX(f.year) AS last_year \
                     FROM facts f JOIN articles a ON a.id = f.article_id WHERE 1 = 1",
                );
                if let Some(since) = f.since {
                    qb.push(" AND a.first_seen_at >= ").push_bind(since);
                }
                if let Some(p) = &f.province {
                    qb.push(" AND f.province = ").push_bind(p);
                }
                qb.push(
                    " GROUP BY f.area, f.area_level, f.province ORDER BY f.province, f.area",
                );
                let rows: Vec<$crate::store::query::AreaSummaryDb> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn list_indicators(
                &self,
                f: &$crate::store::ListFilter,
            ) -> Result<Vec<$crate::store::IndicatorSummary>, $crate::store::StoreError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT f.indicator, COUNT(*) AS facts, COUNT(DISTINCT f.area) AS areas, \
                     MIN(f.year) AS first_year, MAX(f.year) AS last_year \
                     FROM facts f JOIN articles a ON a.id = f.article_id WHERE 1 = 1",
                );
                if let Some(since) = f.since {
                    qb.push(" AND a.first_seen_at >= ").push_bind(since);
                }
                if let Some(p) = &f.province {
                    qb.push(" AND f.province = ").push_bind(p);
                }
                qb.push(" GROUP BY f.indicator ORDER BY f.indicator");
                let rows: Vec<$crate::store::query::IndicatorSummaryDb> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn list_reports(
                &self,
                f: &$crate::store::ListFilter,
            ) -> Result<Vec<$crate::store::ReportSummary>, $crate::store::StoreError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT article_id, source, source_province, url, title, published_at, \
                     first_seen_at, facts, areas FROM latest_reports WHERE 1 = 1",
                );
                if let Some(since) = f.since {
                    qb.push(" AND first_seen_at >= ").push_bind(since);
                }
                if let Some(p) = &f.province {
                    qb.push(" AND source_province = ").push_bind(p);
                }
                qb.push(" ORDER BY first_seen_at DESC, article_id DESC");
                if let Some(limit) = f.limit {
                    qb.push(" LIMIT ").push_bind(limit);
                }
                let rows: Vec<$crate::store::query::ReportSummaryDb> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn plan_vs_actual(
                &self,
                area: Option<&str>,
                indicator: Option<&str>,
            ) -> Result<Vec<$crate::store::PlanActualRow>, $crate::store::StoreError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT area, province, series_key, period, target_value, actual_value, \
                     ratio, target_article_url, actual_article_url FROM plan_vs_actual \
                     WHERE 1 = 1",
                );
                if let Some(a) = area {
                    qb.push(" AND area = ").push_bind(a);
                }
                if let Some(i) = indicator {
                    qb.push(" AND series_key = ").push_bind(i);
                }
                qb.push(" ORDER BY area, series_key, period");
                let rows: Vec<$crate::store::query::PlanActualDb> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn export_page(
                &self,
                f: &$crate::store::ListFilter,
                after_id: i64,
                limit: i64,
            ) -> Result<Vec<$crate::store::ExportRow>, $crate::store::StoreError> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT f.id, f.article_id, a.url AS article_url, a.source, a.published_at, \
                     f.area, f.area_level, f.area_code, f.province, f.indicator, f.metric, \
                     f.value, f.value_high, f.unit, f.value_base, f.unit_base, f.total, f.year, \
                     f.period, f.kind, f.approx, f.plan_pct, f.yoy_pct, f.sentence \
                     FROM facts f JOIN articles a ON a.id = f.article_id WHERE f.id > ",
                );
                qb.push_bind(after_id);
                if let Some(since) = f.since {
                    qb.push(" AND a.first_seen_at >= ").push_bind(since);
                }
                if let Some(p) = &f.province {
                    qb.push(" AND f.province = ").push_bind(p);
                }
                qb.push(" ORDER BY f.id LIMIT ").push_bind(limit);
                let rows: Vec<$crate::store::query::ExportDb> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn area_facts(
                &self,
                area_code: &str,
                indicator: Option<&str>,
            ) -> Result<Vec<$crate::store::AreaFact>, $crate::store::StoreError> {
                let mut qb =
                    sqlx::QueryBuilder::<$db>::new($crate::store::query::AREA_FACT_COLUMNS);
                qb.push("f.area_code = ").push_bind(area_code);
                if let Some(i) = indicator {
                    qb.push(" AND f.indicator = ").push_bind(i);
                }
                qb.push(" ORDER BY f.indicator, f.year, f.period, f.id");
                let rows: Vec<$crate::store::query::AreaFactDb> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn indicator_facts(
                &self,
                indicator: &str,
                year: Option<i32>,
            ) -> Result<Vec<$crate::store::AreaFact>, $crate::store::StoreError> {
                let mut qb =
                    sqlx::QueryBuilder::<$db>::new($crate::store::query::AREA_FACT_COLUMNS);
                qb.push("f.indicator = ").push_bind(indicator);
                if let Some(y) = year {
                    // The year before too, for growth.
                    qb.push(" AND f.year BETWEEN ")
                        .push_bind(i64::from(y) - 1)
                        .push(" AND ")
                        .push_bind(i64::from(y));
                }
                qb.push(" ORDER BY f.area, f.province, f.year, f.period, f.id");
                let rows: Vec<$crate::store::query::AreaFactDb> =
                    qb.build_query_as().fetch_all(&self.pool).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn indicator_last_year(
                &self,
                indicator: &str,
            ) -> Result<Option<i32>, $crate::store::StoreError> {
                let (y,): (Option<i64>,) =
                    sqlx::query_as("SELECT MAX(year) FROM facts WHERE indicator = $1")
                        .bind(indicator)
                        .fetch_one(&self.pool)
                        .await?;
                Ok($crate::store::query::year32(y))
            }

            async fn area_code_counts(
                &self,
                codes: &[String],
            ) -> Result<Vec<(String, i64)>, $crate::store::StoreError> {
                if codes.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT area_code, COUNT(*) FROM facts WHERE area_code IN (",
                );
                let mut sep = qb.separated(", ");
                for c in codes {
                    sep.push_bind(c);
                }
                qb.push(") GROUP BY area_code");
                Ok(qb.build_query_as().fetch_all(&self.pool).await?)
            }

            async fn article(
                &self,
                id: i64,
            ) -> Result<$crate::store::ArticleRecord, $crate::store::StoreError> {
                let row: Option<$crate::store::query::ArticleDb> = sqlx::query_as(
                    "SELECT id, source, url, title, sapo, body, published_at, first_seen_at \
                     FROM articles WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(Into::into).ok_or($crate::store::StoreError::NotFound)
            }
        }
    };
}

pub(super) use impl_query_store;
