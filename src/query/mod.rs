//! Reading the series back: trends, listings, exports and charts (issue 7).
//!
//! The store reads rows (`store::QueryStore`); this module decides what they mean: which stored
//! area a typed name is ([`area`]), the value of each period and its growth and achievement
//! ([`series`]), how to print it ([`format`]) and draw it ([`chart`]). The CLI in
//! `cli/trend.rs` only parses arguments and calls [`load_trend`] and the writers.

pub mod area;
pub mod chart;
pub mod format;
pub mod series;
pub mod view;

pub use crate::store::{
    AreaCount, AreaSummary, ExportRow, IndicatorSummary, ListFilter, PlanActualRow, ReportSummary,
    TrendFact, TrendQuery,
};

use crate::gazetteer::Gazetteer;
use crate::store::{Store, StoreError};
use crate::taxonomy::Taxonomy;
use series::{KindFilter, Trend};

/// What `chiso trend` asks for.
#[derive(Debug, Clone, Default)]
pub struct TrendRequest {
    /// Area as typed: with or without diacritics and level word.
    pub area: String,
    /// Province as typed, to tell apart areas of the same name.
    pub province: Option<String>,
    /// Indicator key.
    pub indicator: String,
    /// Which periods to list.
    pub kind: KindFilter,
    /// First year shown.
    pub from_year: Option<i32>,
    /// Last year shown.
    pub to_year: Option<i32>,
}

/// Why a trend could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TrendError {
    /// The area name matches no series or several.
    #[error(transparent)]
    Area(#[from] area::AreaError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Resolves the area, reads its series (one year before `from_year` too, for growth) and builds
/// one row per period. Two indexed queries, whatever the size of the database.
pub async fn load_trend(
    store: &dyn Store,
    gaz: &Gazetteer,
    taxonomy: &Taxonomy,
    req: &TrendRequest,
) -> Result<Trend, TrendError> {
    let names = area::candidate_names(gaz, &req.area, req.province.as_deref());
    let found = store.area_candidates(&req.indicator, &names).await?;
    let chosen = area::choose(
        &req.area,
        &req.indicator,
        req.province.as_deref(),
        found,
        &names,
    )?;
    let facts = store
        .trend_facts(&TrendQuery {
            area: chosen.area.clone(),
            province: chosen.province.clone(),
            indicator: req.indicator.clone(),
            from_year: req.from_year.map(|y| y - 1),
            to_year: req.to_year,
        })
        .await?;
    let indicator_name = taxonomy
        .get(&req.indicator)
        .map(|i| i.name.clone())
        .or_else(|| {
            facts
                .iter()
                .max_by_key(|f| (f.published_at, f.article_id, f.id))
                .map(|f| f.metric.clone())
        })
        .unwrap_or_else(|| req.indicator.clone());
    Ok(Trend {
        unit: series::display_unit_name(&facts),
        rows: series::build_rows(&facts, req.kind, req.from_year),
        area: chosen.area,
        province: chosen.province,
        indicator: req.indicator.clone(),
        indicator_name,
    })
}
