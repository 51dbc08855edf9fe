//! Plain rows that the trend, listing and export queries return.
//!
//! The vocabulary of `chiso trend`, `chiso query`, `chiso export`, the web pages and the JSON API.
//! The store owns the rows it returns, so that it imports nothing from `query` above it; `query`
//! re-exports them.

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;

/// Which facts a series read covers: one area of one province, one indicator, a year range.
#[derive(Debug, Clone, Default)]
pub struct TrendQuery {
    /// Area exactly as stored (`huyện Kỳ Anh`).
    pub area: String,
    /// Province exactly as stored; `None` matches facts without a province.
    pub province: Option<String>,
    /// Indicator key.
    pub indicator: String,
    /// First year read (inclusive).
    pub from_year: Option<i32>,
    /// Last year read (inclusive).
    pub to_year: Option<i32>,
}

/// One stored fact of a series with the article that gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendFact {
    /// Fact id (ties between facts of one article are broken by it, as in the view).
    pub id: i64,
    /// Article id.
    pub article_id: i64,
    /// Metric phrase as written.
    pub metric: String,
    /// Year described.
    pub year: Option<i32>,
    /// Period label (`2024`, `2024-H1`).
    pub period: Option<String>,
    /// `actual` or `target`.
    pub kind: String,
    /// Value as written.
    pub value: f64,
    /// Unit as written.
    pub unit: String,
    /// Value in the base unit.
    pub value_base: Option<f64>,
    /// Base unit.
    pub unit_base: Option<String>,
    /// Reported percentage of plan.
    pub plan_pct: Option<f64>,
    /// Reported growth versus the previous period.
    pub yoy_pct: Option<f64>,
    /// URL of the article.
    pub article_url: String,
    /// When the article was published.
    pub published_at: Option<DateTime<FixedOffset>>,
}

/// An area that has facts of an indicator, as found among candidate names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaCount {
    /// Area as stored.
    pub area: String,
    /// Province as stored.
    pub province: Option<String>,
    /// Facts of the indicator for it.
    pub facts: i64,
}

/// Which rows a listing or export covers.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only articles first seen at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only facts (or, for reports, sources) of this province, exactly as stored.
    pub province: Option<String>,
    /// At most this many rows (reports listing).
    pub limit: Option<i64>,
}

/// One line of `chiso query areas`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaSummary {
    /// Area as stored.
    pub area: Option<String>,
    /// `province`, `district` or `commune`.
    pub area_level: Option<String>,
    /// Province as stored.
    pub province: Option<String>,
    /// Facts stored for it.
    pub facts: i64,
    /// Distinct indicators among them.
    pub indicators: i64,
    /// First year described.
    pub first_year: Option<i32>,
    /// Last year described.
    pub last_year: Option<i32>,
}

/// One line of `chiso query indicators`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorSummary {
    /// Indicator key (`None` for facts outside the taxonomy).
    pub indicator: Option<String>,
    /// Facts stored for it.
    pub facts: i64,
    /// Distinct areas reporting it.
    pub areas: i64,
    /// First year described.
    pub first_year: Option<i32>,
    /// Last year described.
    pub last_year: Option<i32>,
}

/// One line of `chiso query reports`: a row of the `latest_reports` view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSummary {
    /// Article id.
    pub article_id: i64,
    /// Source name.
    pub source: String,
    /// Province of the source.
    pub source_province: String,
    /// Canonical URL.
    pub url: String,
    /// Headline.
    pub title: Option<String>,
    /// Publication time.
    pub published_at: Option<DateTime<FixedOffset>>,
    /// When chiso first stored it.
    pub first_seen_at: DateTime<Utc>,
    /// Facts extracted from it.
    pub facts: i64,
    /// Distinct areas among them, comma-separated.
    pub areas: Option<String>,
}

/// One row of the `plan_vs_actual` view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanActualRow {
    /// Area as stored.
    pub area: Option<String>,
    /// Province as stored.
    pub province: Option<String>,
    /// Indicator key (or the metric phrase outside the taxonomy).
    pub indicator: String,
    /// Period label.
    pub period: Option<String>,
    /// The target, as written.
    pub target_value: f64,
    /// The actual, as written.
    pub actual_value: f64,
    /// Actual / target, in base units when both have one.
    pub ratio: Option<f64>,
    /// URL of the article that set the target.
    pub target_article_url: String,
    /// URL of the article that reported the actual.
    pub actual_article_url: String,
}

/// One exported fact with its provenance (`chiso export`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRow {
    /// Fact id (exports are paged by it).
    pub id: i64,
    /// Article id.
    pub article_id: i64,
    /// Canonical URL of the article.
    pub article_url: String,
    /// Source name.
    pub source: String,
    /// Publication time of the article.
    pub published_at: Option<DateTime<FixedOffset>>,
    /// Area with level word.
    pub area: Option<String>,
    /// Level of the area.
    pub area_level: Option<String>,
    /// Gazetteer code.
    pub area_code: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// Indicator key.
    pub indicator: Option<String>,
    /// Metric phrase as written.
    pub metric: String,
    /// Value as written.
    pub value: f64,
    /// High end of a range.
    pub value_high: Option<f64>,
    /// Unit as written.
    pub unit: String,
    /// Value in the base unit.
    pub value_base: Option<f64>,
    /// Base unit.
    pub unit_base: Option<String>,
    /// Denominator of a ratio.
    pub total: Option<f64>,
    /// Year described.
    pub year: Option<i32>,
    /// Period label.
    pub period: Option<String>,
    /// `actual` or `target`.
    pub kind: String,
    /// Approximate value.
    pub approx: bool,
    /// Reported percentage of plan.
    pub plan_pct: Option<f64>,
    /// Reported growth.
    pub yoy_pct: Option<f64>,
    /// The sentence the fact came from.
    pub sentence: String,
}

/// A fact of an area's or an indicator's series with the area it describes: what the area page,
/// the indicator ranking and `/api/series` group into series (`query::view`).
#[derive(Debug, Clone, PartialEq)]
pub struct AreaFact {
    /// Area with level word, as stored.
    pub area: Option<String>,
    /// Gazetteer code of the area.
    pub area_code: Option<String>,
    /// `province`, `district` or `commune`.
    pub area_level: Option<String>,
    /// Province as stored.
    pub province: Option<String>,
    /// Indicator key (`None` outside the taxonomy: the metric phrase names the series).
    pub indicator: Option<String>,
    /// The fact with its article.
    pub fact: TrendFact,
}

/// One article as its page shows it: the texts the facts' spans point into.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleRecord {
    /// Article id.
    pub id: i64,
    /// Source name.
    pub source: String,
    /// Canonical URL.
    pub url: String,
    /// Headline.
    pub title: Option<String>,
    /// Lead paragraph.
    pub sapo: Option<String>,
    /// Body text.
    pub body: String,
    /// Publication time.
    pub published_at: Option<DateTime<FixedOffset>>,
    /// When chiso first stored it.
    pub first_seen_at: DateTime<Utc>,
}
