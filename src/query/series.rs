//! From the stored facts of one series to one row per period: the value of the most recent
//! report, how many reports gave it, whether they disagree, growth and achievement of plan.
//!
//! The ranking rules are those of the `indicator_series` view (most recent article first, then
//! the highest article id, then the first fact; disagreement above 1 % in base units), applied
//! in Rust to the few rows of one series so that `chiso trend` does not rank the whole table.

use crate::store::TrendFact;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Reports that differ by more than this fraction disagree (as in the view).
pub const DISAGREE_FRACTION: f64 = 0.01;

/// The value of one period and kind, as the most recent report gave it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// Value in the display unit of the series (see [`Trend::unit`]).
    pub value: f64,
    /// Unit of `value`.
    pub unit: String,
    /// Value in the base unit, the one used for comparisons.
    pub value_base: Option<f64>,
    /// Base unit.
    pub unit_base: Option<String>,
    /// Distinct articles that reported this period and kind.
    pub reports: i64,
    /// Whether those reports differ by more than 1 %.
    pub disagree: bool,
    /// The article the value comes from.
    pub article_url: String,
    /// When it was published.
    pub published_at: Option<DateTime<FixedOffset>>,
    /// Growth versus the previous period as the report stated it.
    #[serde(skip)]
    pub reported_growth_pct: Option<f64>,
    /// Percentage of plan as the report stated it.
    #[serde(skip)]
    pub reported_plan_pct: Option<f64>,
}

impl TrendPoint {
    /// The value compared across reports and periods: in base units when known.
    pub fn cmp_value(&self) -> f64 {
        self.value_base.unwrap_or(self.value)
    }
}

/// One period of a trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendRow {
    /// Period label (`2024`, `2024-H1`).
    pub period: String,
    /// Year described.
    pub year: Option<i32>,
    /// The achieved value.
    pub actual: Option<TrendPoint>,
    /// The planned value.
    pub target: Option<TrendPoint>,
    /// Growth of the actual versus the same period a year earlier, computed from the stored
    /// values in base units (`None` for percentage indicators and missing years).
    pub growth_pct: Option<f64>,
    /// Growth as the report of the actual stated it.
    pub reported_growth_pct: Option<f64>,
    /// Actual / target × 100, in base units.
    pub achievement_pct: Option<f64>,
    /// Percentage of plan as the report of the actual stated it.
    pub reported_plan_pct: Option<f64>,
}

/// A whole series ready to print or draw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// Area as stored.
    pub area: String,
    /// Province as stored.
    pub province: Option<String>,
    /// Indicator key.
    pub indicator: String,
    /// Vietnamese name of the indicator (taxonomy name, else the metric phrase of the reports).
    pub indicator_name: String,
    /// Display unit: the unit of the most recent report, every value converted to it through
    /// the base unit when possible.
    pub unit: String,
    /// One row per period, oldest first.
    pub rows: Vec<TrendRow>,
}

/// Which periods a trend lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KindFilter {
    /// Periods with an achieved value.
    Actual,
    /// Periods with a planned value.
    Target,
    /// Every period.
    #[default]
    Both,
}

/// Groups the facts of one series into periods; `from_year` drops earlier rows after growth was
/// computed (the caller reads one year more so that the first row has its growth).
pub fn build_rows(facts: &[TrendFact], kind: KindFilter, from_year: Option<i32>) -> Vec<TrendRow> {
    let unit = display_unit(facts);
    let mut groups: BTreeMap<(Option<i32>, String), [Vec<&TrendFact>; 2]> = BTreeMap::new();
    for f in facts {
        let Some(period) = f.period.clone().or_else(|| f.year.map(|y| y.to_string())) else {
            continue;
        };
        let slot = usize::from(f.kind == "target");
        groups.entry((f.year, period)).or_default()[slot].push(f);
    }
    let mut rows: Vec<TrendRow> = groups
        .into_iter()
        .map(|((year, period), [actual, target])| {
            let actual = point(&actual, unit.as_ref());
            let target = point(&target, unit.as_ref());
            let achievement_pct = match (&actual, &target) {
                (Some(a), Some(t)) if comparable(a, t) && t.cmp_value() != 0.0 => {
                    Some(a.cmp_value() / t.cmp_value() * 100.0)
                }
                _ => None,
            };
            TrendRow {
                reported_growth_pct: actual.as_ref().and_then(|a| a.reported_growth_pct),
                reported_plan_pct: actual.as_ref().and_then(|a| a.reported_plan_pct),
                period,
                year,
                actual,
                target,
                growth_pct: None,
                achievement_pct,
            }
        })
        .collect();
    let by_period: BTreeMap<String, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.period.clone(), i))
        .collect();
    for i in 0..rows.len() {
        let prev = previous_period(&rows[i].period).and_then(|p| by_period.get(&p).copied());
        let growth = match (prev.and_then(|p| rows[p].actual.as_ref()), &rows[i].actual) {
            (Some(p), Some(a)) if comparable(p, a) && !is_rate(a) && p.cmp_value() != 0.0 => {
                Some((a.cmp_value() / p.cmp_value() - 1.0) * 100.0)
            }
            _ => None,
        };
        rows[i].growth_pct = growth;
    }
    rows.retain(|r| {
        let in_range = match (from_year, r.year) {
            (Some(from), Some(y)) => y >= from,
            (Some(_), None) => false,
            (None, _) => true,
        };
        in_range
            && match kind {
                KindFilter::Actual => r.actual.is_some(),
                KindFilter::Target => r.target.is_some(),
                KindFilter::Both => true,
            }
    });
    rows
}

/// The unit of the most recent report and its factor to the base unit.
#[derive(Debug, Clone)]
struct DisplayUnit {
    unit: String,
    unit_base: Option<String>,
    /// Base units per display unit (`value_base / value`).
    factor: Option<f64>,
}

/// The unit of the most recent fact (latest article, latest fact), values converted into it.
pub fn display_unit_name(facts: &[TrendFact]) -> String {
    display_unit(facts).map(|u| u.unit).unwrap_or_default()
}

fn display_unit(facts: &[TrendFact]) -> Option<DisplayUnit> {
    let latest = facts.iter().max_by(|a, b| {
        (a.published_at, a.article_id, a.id).cmp(&(b.published_at, b.article_id, b.id))
    })?;
    let factor = match latest.value_base {
        Some(b) if latest.value != 0.0 && b.is_finite() => Some(b / latest.value),
        _ => None,
    };
    Some(DisplayUnit {
        unit: latest.unit.clone(),
        unit_base: latest.unit_base.clone(),
        factor,
    })
}

/// A converted value to 12 significant digits: more than any report writes, few enough to drop
/// the binary rounding of the conversion.
fn significant(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(11 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

/// The most recent report among the facts of one period and kind, converted to the display unit.
fn point(facts: &[&TrendFact], unit: Option<&DisplayUnit>) -> Option<TrendPoint> {
    let latest = facts.iter().copied().min_by(|a, b| {
        // Most recent article first, then the highest article id, then the first fact.
        (b.published_at, b.article_id, a.id).cmp(&(a.published_at, a.article_id, b.id))
    })?;
    let reports = facts
        .iter()
        .map(|f| f.article_id)
        .collect::<BTreeSet<_>>()
        .len();
    let values = facts.iter().map(|f| f.value_base.unwrap_or(f.value));
    let (min, max) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let disagree = max - min > DISAGREE_FRACTION * max.abs().max(min.abs());
    let (value, unit_name) = match (unit, latest.value_base) {
        // Written in the display unit already: the value as written, not a round trip through
        // the base unit (which leaves float noise such as 9120.500000000002).
        (Some(u), _) if u.unit == latest.unit => (latest.value, latest.unit.clone()),
        (Some(u), Some(base))
            if u.factor.is_some_and(|f| f != 0.0) && u.unit_base == latest.unit_base =>
        {
            (significant(base / u.factor.unwrap_or(1.0)), u.unit.clone())
        }
        _ => (latest.value, latest.unit.clone()),
    };
    Some(TrendPoint {
        value,
        unit: unit_name,
        value_base: latest.value_base,
        unit_base: latest.unit_base.clone(),
        reports: i64::try_from(reports).unwrap_or(i64::MAX),
        disagree,
        article_url: latest.article_url.clone(),
        published_at: latest.published_at,
        reported_growth_pct: latest.yoy_pct,
        reported_plan_pct: latest.plan_pct,
    })
}

/// Two points can be compared when both are in the same base unit, or both in the same written
/// unit without a base.
fn comparable(a: &TrendPoint, b: &TrendPoint) -> bool {
    match (&a.unit_base, &b.unit_base, a.value_base, b.value_base) {
        (Some(x), Some(y), Some(_), Some(_)) => x == y,
        _ => a.unit == b.unit,
    }
}

/// A percentage indicator: its relative growth means nothing (the reports give points).
fn is_rate(p: &TrendPoint) -> bool {
    p.unit_base.as_deref() == Some("%") || p.unit == "%"
}

/// The same period one year earlier: `2024` → `2023`, `2024-H1` → `2023-H1`; `None` for
/// multi-year plans (`2021/2025`) and labels without a leading year.
pub fn previous_period(period: &str) -> Option<String> {
    let (year, rest) = match period.find('-') {
        Some(i) => period.split_at(i),
        None => (period, ""),
    };
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = year.parse().ok()?;
    Some(format!("{}{rest}", y - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(id: i64, article: i64, day: u32, period: &str, kind: &str, value: f64) -> TrendFact {
        let year: i32 = period[..4].parse().unwrap();
        TrendFact {
            id,
            article_id: article,
            metric: "tổng giá trị sản xuất".into(),
            year: Some(year),
            period: Some(period.into()),
            kind: kind.into(),
            value,
            unit: "tỷ đồng".into(),
            value_base: Some(value * 1e9),
            unit_base: Some("VND".into()),
            plan_pct: None,
            yoy_pct: None,
            article_url: format!("https://example.vn/{article}"),
            published_at: Some(
                DateTime::parse_from_rfc3339(&format!("2024-01-{day:02}T08:00:00+07:00")).unwrap(),
            ),
        }
    }

    #[test]
    fn previous_period_of_labels() {
        assert_eq!(previous_period("2024").as_deref(), Some("2023"));
        assert_eq!(previous_period("2024-H1").as_deref(), Some("2023-H1"));
        assert_eq!(previous_period("2021/2025"), None);
    }

    #[test]
    fn latest_report_wins_and_disagreement_is_flagged() {
        let facts = vec![
            fact(1, 1, 2, "2023", "actual", 1000.0),
            fact(2, 2, 9, "2023", "actual", 1100.0),
            fact(3, 3, 3, "2022", "actual", 800.0),
        ];
        let rows = build_rows(&facts, KindFilter::Both, None);
        assert_eq!(rows.len(), 2);
        let a = rows[1].actual.as_ref().unwrap();
        assert_eq!(a.value, 1100.0);
        assert_eq!(a.reports, 2);
        assert!(a.disagree);
        let g = rows[1].growth_pct.unwrap();
        assert!((g - 37.5).abs() < 1e-9, "{g}");
        assert!(!rows[0].actual.as_ref().unwrap().disagree);
    }

    #[test]
    fn different_units_are_converted_to_the_latest_unit() {
        let mut old = fact(1, 1, 2, "2022", "actual", 1.2);
        old.unit = "nghìn tỷ đồng".into();
        old.value_base = Some(1.2e12);
        let new = fact(2, 2, 9, "2023", "actual", 1500.0);
        let rows = build_rows(&[old, new], KindFilter::Both, None);
        let first = rows[0].actual.as_ref().unwrap();
        assert_eq!(first.unit, "tỷ đồng");
        assert!((first.value - 1200.0).abs() < 1e-6);
        assert!((rows[1].growth_pct.unwrap() - 25.0).abs() < 1e-9);
    }

    #[test]
    fn values_come_out_as_written_or_without_conversion_noise() {
        // With 10,652.7 tỷ as the latest report, the factor tỷ → VND is 999999999.9999999, and
        // 9,120.5 tỷ through VND and back would be 9120.500000000002.
        let written = fact(1, 1, 2, "2022", "actual", 9120.5);
        let mut converted = fact(2, 2, 3, "2021", "actual", 7.8029);
        converted.unit = "nghìn tỷ đồng".into();
        converted.value_base = Some(7.8029e12);
        let latest = fact(3, 3, 9, "2023", "actual", 10652.7);
        let rows = build_rows(&[written, converted, latest], KindFilter::Both, None);
        let values: Vec<f64> = rows
            .iter()
            .map(|r| r.actual.as_ref().unwrap().value)
            .collect();
        assert_eq!(values, [7802.9, 9120.5, 10652.7]);
    }

    #[test]
    fn achievement_and_kind_filter() {
        let facts = vec![
            fact(1, 1, 2, "2024", "target", 1000.0),
            fact(2, 2, 9, "2024", "actual", 1078.0),
            fact(3, 2, 9, "2025", "target", 1200.0),
        ];
        let rows = build_rows(&facts, KindFilter::Both, None);
        assert_eq!(rows.len(), 2);
        assert!((rows[0].achievement_pct.unwrap() - 107.8).abs() < 1e-9);
        let actual_only = build_rows(&facts, KindFilter::Actual, None);
        assert_eq!(actual_only.len(), 1);
        let target_only = build_rows(&facts, KindFilter::Target, Some(2025));
        assert_eq!(target_only.len(), 1);
        assert_eq!(target_only[0].period, "2025");
    }
}
