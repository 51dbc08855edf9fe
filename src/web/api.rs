//! The JSON API under `/api/`: the rows of the pages' tables, with the same field names, as JSON
//! (default) or CSV (`format=csv`). Errors are JSON `{"error": ..., "status": ...}` with a status
//! that says what went wrong: 400 for a missing or malformed parameter, 404 for an unknown area,
//! article or indicator, 503 when the database fails.

use super::{status_of, Web};
use crate::query::view::{self, ViewError};
use crate::store::ListFilter;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Most rows `/api/reports` returns when `limit` is not given.
pub const DEFAULT_REPORTS_LIMIT: i64 = 100;

/// Query parameters of every API route (all optional; each route checks what it needs).
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    /// Area search text (`/api/areas`).
    pub q: Option<String>,
    /// Area code (`/api/series`, `/api/plan-vs-actual`: stored area name there).
    pub area: Option<String>,
    /// Indicator key.
    pub indicator: Option<String>,
    /// Year (`/api/ranking`).
    pub year: Option<String>,
    /// `YYYY-MM-DD` or RFC 3339 (`/api/reports`).
    pub since: Option<String>,
    /// Most rows (`/api/reports`).
    pub limit: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// An API error as JSON.
#[derive(Debug, Serialize)]
struct ApiError {
    error: String,
    status: u16,
}

fn error(e: ViewError) -> Response {
    let status = status_of(&e);
    if let ViewError::Store(err) = &e {
        tracing::warn!("web: {err}");
    }
    (
        status,
        axum::Json(ApiError {
            error: e.to_string(),
            status: status.as_u16(),
        }),
    )
        .into_response()
}

fn bad(msg: impl Into<String>) -> ViewError {
    ViewError::BadRequest(msg.into())
}

/// The wanted format, checked before any work.
fn wants_csv(p: &Params) -> Result<bool, ViewError> {
    match p.format.as_deref() {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(other) => Err(bad(format!(
            "format {other:?} is not known: use json or csv"
        ))),
    }
}

/// Rows as JSON or CSV (one header line of the field names).
fn rows<T: Serialize>(csv: bool, name: &str, rows: &[T]) -> Response {
    if !csv {
        return axum::Json(rows).into_response();
    }
    let mut w = ::csv::Writer::from_writer(Vec::new());
    for r in rows {
        if let Err(e) = w.serialize(r) {
            return error(bad(format!("cannot write CSV: {e}")));
        }
    }
    match w.into_inner() {
        Ok(body) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.csv\""),
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => error(bad(format!("cannot write CSV: {e}"))),
    }
}

fn required<'a>(v: &'a Option<String>, name: &str) -> Result<&'a str, ViewError> {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(bad(format!("parameter {name} is required"))),
    }
}

/// `year=` as a number.
pub(super) fn parse_year(v: &Option<String>) -> Result<Option<i32>, ViewError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .map(Some)
            .ok_or_else(|| bad(format!("parameter year {s:?} is not a year"))),
    }
}

/// `since=` as an instant: a day (`YYYY-MM-DD`, midnight in Vietnam) or RFC 3339.
fn parse_since(v: &Option<String>) -> Result<Option<DateTime<Utc>>, ViewError> {
    let Some(s) = v.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|d| {
            d.and_local_timezone(crate::scrape::vietnam())
                .single()
                .map(|t| t.with_timezone(&Utc))
        })
        .map(Some)
        .ok_or_else(|| {
            bad(format!(
                "parameter since {s:?} is not a date (YYYY-MM-DD) nor an RFC 3339 time"
            ))
        })
}

/// `/api/areas?q=`: units matching a name, with their fact counts.
pub async fn areas(State(web): State<Web>, Query(p): Query<Params>) -> Response {
    let run = async {
        let csv = wants_csv(&p)?;
        let q = required(&p.q, "q")?;
        let hits = view::search_areas(web.store.as_ref(), (web.gazetteer)(), q).await?;
        Ok(rows(csv, "areas", &hits))
    };
    run.await.unwrap_or_else(error)
}

/// `/api/series?area=CODE&indicator=KEY`: one row per period.
pub async fn series(State(web): State<Web>, Query(p): Query<Params>) -> Response {
    let run = async {
        let csv = wants_csv(&p)?;
        let area = required(&p.area, "area")?;
        let indicator = required(&p.indicator, "indicator")?;
        let v = view::area_view(
            web.store.as_ref(),
            (web.gazetteer)(),
            web.taxonomy,
            area,
            Some(indicator),
        )
        .await?;
        let out: Vec<view::PeriodRow> = v
            .series
            .iter()
            .flat_map(|t| view::period_rows(&v.area_code, t))
            .collect();
        if out.is_empty() {
            return Err(ViewError::NotFound(format!(
                "no facts of indicator {indicator:?} for area {area:?}"
            )));
        }
        Ok(rows(csv, "series", &out))
    };
    run.await.unwrap_or_else(error)
}

/// `/api/plan-vs-actual?area=&indicator=`: rows of the `plan_vs_actual` view (both optional;
/// `area` is an area code, or an area name as stored: `huyện Thạch Hà`).
pub async fn plan_vs_actual(State(web): State<Web>, Query(p): Query<Params>) -> Response {
    let run = async {
        let csv = wants_csv(&p)?;
        let area = p.area.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let ind = p
            .indicator
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        // A code stands for the names the gazetteer gives it (one, or one per structure).
        let names: Vec<Option<String>> = match area {
            Some(a) if a.bytes().all(|b| b.is_ascii_digit()) => {
                let mut names: Vec<Option<String>> = (web.gazetteer)()
                    .areas()
                    .iter()
                    .filter(|u| u.code == a)
                    .map(|u| Some(u.full_name.clone()))
                    .collect();
                names.sort();
                names.dedup();
                if names.is_empty() {
                    return Err(ViewError::NotFound(format!("no area with code {a:?}")));
                }
                names
            }
            other => vec![other.map(str::to_string)],
        };
        let mut out = Vec::new();
        for name in &names {
            out.extend(web.store.plan_vs_actual(name.as_deref(), ind).await?);
        }
        Ok::<_, ViewError>(rows(csv, "plan-vs-actual", &out))
    };
    run.await.unwrap_or_else(error)
}

/// `/api/ranking?indicator=&year=`: the indicator page's table.
pub async fn ranking(State(web): State<Web>, Query(p): Query<Params>) -> Response {
    let run = async {
        let csv = wants_csv(&p)?;
        let ind = required(&p.indicator, "indicator")?;
        let year = parse_year(&p.year)?;
        let r = view::ranking(web.store.as_ref(), web.taxonomy, ind, year).await?;
        Ok(rows(csv, "ranking", &r.rows))
    };
    run.await.unwrap_or_else(error)
}

/// `/api/reports?since=&limit=`: the latest reports, newest first.
pub async fn reports(State(web): State<Web>, Query(p): Query<Params>) -> Response {
    let run = async {
        let csv = wants_csv(&p)?;
        let since = parse_since(&p.since)?;
        let limit =
            match p.limit.as_deref().map(str::trim) {
                None | Some("") => DEFAULT_REPORTS_LIMIT,
                Some(s) => s.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    bad(format!("parameter limit {s:?} is not a positive number"))
                })?,
            };
        let out = web
            .store
            .list_reports(&ListFilter {
                since,
                province: None,
                limit: Some(limit),
            })
            .await?;
        Ok(rows(csv, "reports", &out))
    };
    run.await.unwrap_or_else(error)
}

/// One fact of an article as a CSV line.
#[derive(Serialize)]
struct FactLine<'a> {
    area: Option<&'a str>,
    area_code: Option<&'a str>,
    province: Option<&'a str>,
    indicator: Option<&'a str>,
    metric: &'a str,
    value: f64,
    unit: &'a str,
    year: Option<i32>,
    period: Option<&'a str>,
    kind: &'a str,
    plan_pct: Option<f64>,
    yoy_pct: Option<f64>,
    sentence: &'a str,
    mark_start: Option<usize>,
    mark_end: Option<usize>,
}

/// `/api/articles/{id}`: the article with its facts (JSON), or its facts (CSV).
pub async fn article(
    State(web): State<Web>,
    Path(id): Path<String>,
    Query(p): Query<Params>,
) -> Response {
    let run = async {
        let csv = wants_csv(&p)?;
        let id: i64 = id
            .parse()
            .map_err(|_| bad(format!("article id {id:?} is not a number")))?;
        let v = view::article_view(web.store.as_ref(), id).await?;
        if !csv {
            return Ok(axum::Json(v).into_response());
        }
        let lines: Vec<FactLine<'_>> = v
            .facts
            .iter()
            .map(|f| FactLine {
                area: f.fact.area.as_deref(),
                area_code: f.fact.area_code.as_deref(),
                province: f.fact.province.as_deref(),
                indicator: f.fact.indicator.as_deref(),
                metric: &f.fact.metric,
                value: f.fact.value,
                unit: &f.fact.unit,
                year: f.fact.year,
                period: f.fact.period.as_deref(),
                kind: f.fact.kind.as_str(),
                plan_pct: f.fact.plan_pct,
                yoy_pct: f.fact.yoy_pct,
                sentence: &f.fact.sentence,
                mark_start: f.mark.map(|m| m[0]),
                mark_end: f.mark.map(|m| m[1]),
            })
            .collect();
        Ok(rows(true, &format!("article-{id}"), &lines))
    };
    run.await.unwrap_or_else(error)
}

/// `/api/sources`: the health of every source.
pub async fn sources(State(web): State<Web>, Query(p): Query<Params>) -> Response {
    let run = async {
        let csv = wants_csv(&p)?;
        let out = web.store.source_status().await?;
        Ok::<_, ViewError>(rows(csv, "sources", &out))
    };
    run.await.unwrap_or_else(error)
}
