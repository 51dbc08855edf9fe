//! What the web pages and the JSON API show, read once for both: areas found by a typed name,
//! every series of one area, the areas ranked by one indicator, an article with the place of each
//! fact's number in its sentence, the latest reports and the sources' health.
//!
//! The store reads rows (`store::QueryStore`); the periods, growth and achievement come from the
//! same [`series::build_rows`] that `chiso trend` prints, so that the CLI, the pages and the API
//! never disagree on a number.

use super::area::candidate_names;
use super::series::{self, KindFilter, Trend};
use crate::extract::Fact;
use crate::gazetteer::{Area, Gazetteer};
use crate::store::{AreaFact, ArticleRecord, Store, StoreError, TrendFact};
use crate::taxonomy::Taxonomy;
use crate::text::ascii_key;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Most units an area search lists.
pub const MAX_AREA_HITS: usize = 200;

/// Why a page or an API call has nothing to show.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The thing asked for does not exist (unknown area code, article id, indicator).
    #[error("{0}")]
    NotFound(String),
    /// The request cannot be answered as asked (a missing or malformed parameter).
    #[error("{0}")]
    BadRequest(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One administrative unit found by a search, with the facts stored for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaHit {
    /// Gazetteer code (the key of `/area/{code}`).
    pub area_code: String,
    /// Type word + name (`huyện Thạch Hà`), as facts store it.
    pub area: String,
    /// `province`, `district` or `commune`.
    pub area_level: String,
    /// `2008_2025` or `2025`: the structure the unit belongs to.
    pub era: String,
    /// Province of the unit, in the same structure.
    pub province: Option<String>,
    /// Whether the unit was renamed or dissolved before the 2025 reform.
    pub former: bool,
    /// Facts stored with this area code.
    pub facts: i64,
}

/// Finds units by a name typed with or without diacritics and level word, in both structures,
/// with their fact counts; units with facts first. A name that matches no unit exactly is looked
/// for as a part of names (accent-free), so that "Thach" lists every "Thạch …".
pub async fn search_areas(
    store: &dyn Store,
    gaz: &Gazetteer,
    q: &str,
) -> Result<Vec<AreaHit>, ViewError> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let names: HashSet<String> = candidate_names(gaz, q, None).into_iter().collect();
    let mut units: Vec<&Area> = gaz
        .areas()
        .iter()
        .filter(|a| names.contains(&a.full_name))
        .collect();
    if units.is_empty() {
        let key = ascii_key(q);
        units = gaz
            .areas()
            .iter()
            .filter(|a| ascii_key(&a.full_name).contains(&key))
            .take(MAX_AREA_HITS)
            .collect();
    }
    units.truncate(MAX_AREA_HITS);
    let mut codes: Vec<String> = units.iter().map(|a| a.code.clone()).collect();
    codes.sort();
    codes.dedup();
    let counts: HashMap<String, i64> = store.area_code_counts(&codes).await?.into_iter().collect();
    let mut hits: Vec<AreaHit> = units
        .into_iter()
        .map(|a| AreaHit {
            area_code: a.code.clone(),
            area: a.full_name.clone(),
            area_level: a.level.as_str().to_string(),
            era: a.era.as_str().to_string(),
            province: gaz.province_of(a).map(|p| p.name.clone()),
            former: a.former,
            facts: counts.get(&a.code).copied().unwrap_or(0),
        })
        .collect();
    hits.sort_by(|a, b| {
        b.facts
            .cmp(&a.facts)
            .then_with(|| b.era.cmp(&a.era))
            .then_with(|| a.area.cmp(&b.area))
            .then_with(|| a.area_code.cmp(&b.area_code))
    });
    Ok(hits)
}

/// Every series of one area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaView {
    /// Gazetteer code.
    pub area_code: String,
    /// Type word + name.
    pub area: String,
    /// `province`, `district` or `commune`.
    pub area_level: Option<String>,
    /// Province as stored.
    pub province: Option<String>,
    /// One trend per indicator (the metric phrase for facts outside the taxonomy).
    pub series: Vec<Trend>,
}

/// Reads the facts of an area code and builds one trend per indicator; an unknown code with no
/// facts is `NotFound`, a known unit without facts an empty page.
pub async fn area_view(
    store: &dyn Store,
    gaz: &Gazetteer,
    taxonomy: &Taxonomy,
    code: &str,
    indicator: Option<&str>,
) -> Result<AreaView, ViewError> {
    let facts = store.area_facts(code, indicator).await?;
    let unit = gaz
        .areas()
        .iter()
        .filter(|a| a.code == code)
        .max_by_key(|a| (!a.former, a.era.as_str()));
    let Some(first) = facts.first() else {
        let Some(unit) = unit else {
            return Err(ViewError::NotFound(format!("no area with code {code:?}")));
        };
        return Ok(AreaView {
            area_code: code.to_string(),
            area: unit.full_name.clone(),
            area_level: Some(unit.level.as_str().to_string()),
            province: gaz.province_of(unit).map(|p| p.name.clone()),
            series: Vec::new(),
        });
    };
    let (area, area_level, province) = (
        first
            .area
            .clone()
            .or_else(|| unit.map(|u| u.full_name.clone()))
            .unwrap_or_else(|| code.to_string()),
        first.area_level.clone(),
        first.province.clone(),
    );
    Ok(AreaView {
        area_code: code.to_string(),
        area,
        area_level,
        province,
        series: trends(taxonomy, facts),
    })
}

/// Groups facts into series (indicator key, else metric phrase; area; province) and builds each.
fn trends(taxonomy: &Taxonomy, facts: Vec<AreaFact>) -> Vec<Trend> {
    type Key = (String, Option<String>, Option<String>, Option<String>);
    let mut groups: BTreeMap<Key, Vec<TrendFact>> = BTreeMap::new();
    for f in facts {
        let key = (
            f.indicator.clone().unwrap_or_else(|| f.fact.metric.clone()),
            f.indicator.clone(),
            f.area.clone(),
            f.province.clone(),
        );
        groups.entry(key).or_default().push(f.fact);
    }
    groups
        .into_iter()
        .map(|((series_key, indicator, area, province), facts)| {
            build_trend(taxonomy, series_key, indicator, area, province, &facts)
        })
        .filter(|t| !t.rows.is_empty())
        .collect()
}

fn build_trend(
    taxonomy: &Taxonomy,
    series_key: String,
    indicator: Option<String>,
    area: Option<String>,
    province: Option<String>,
    facts: &[TrendFact],
) -> Trend {
    let indicator_name = indicator
        .as_deref()
        .and_then(|k| taxonomy.get(k))
        .map(|i| i.name.clone())
        .unwrap_or_else(|| series_key.clone());
    Trend {
        area: area.unwrap_or_default(),
        province,
        indicator: series_key,
        indicator_name,
        unit: series::display_unit_name(facts),
        rows: series::build_rows(facts, KindFilter::Both, None),
    }
}

/// One period of one series as a flat row: the area page's table, its CSV and JSON downloads
/// and `/api/series` share these columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodRow {
    /// Gazetteer code of the area.
    pub area_code: String,
    /// Area with level word.
    pub area: String,
    /// Province as stored.
    pub province: Option<String>,
    /// Indicator key (the metric phrase outside the taxonomy).
    pub indicator: String,
    /// Vietnamese name of the indicator.
    pub indicator_name: String,
    /// Period label (`2024`, `2024-H1`).
    pub period: String,
    /// Year described.
    pub year: Option<i32>,
    /// Unit of `actual` and `target`.
    pub unit: String,
    /// The achieved value.
    pub actual: Option<f64>,
    /// The planned value.
    pub target: Option<f64>,
    /// Growth of the actual versus the same period a year earlier, from the stored values.
    pub growth_pct: Option<f64>,
    /// Growth as the report of the actual stated it.
    pub reported_growth_pct: Option<f64>,
    /// Actual / target × 100.
    pub achievement_pct: Option<f64>,
    /// Percentage of plan as the report of the actual stated it.
    pub reported_plan_pct: Option<f64>,
    /// Distinct articles that reported the actual (else the target).
    pub reports: i64,
    /// Whether the reports of the actual or of the target differ by more than 1 %.
    pub disagree: bool,
    /// The article the actual comes from.
    pub actual_article_url: Option<String>,
    /// The article the target comes from.
    pub target_article_url: Option<String>,
}

/// The rows of one trend.
pub fn period_rows(area_code: &str, t: &Trend) -> Vec<PeriodRow> {
    t.rows
        .iter()
        .map(|r| PeriodRow {
            area_code: area_code.to_string(),
            area: t.area.clone(),
            province: t.province.clone(),
            indicator: t.indicator.clone(),
            indicator_name: t.indicator_name.clone(),
            period: r.period.clone(),
            year: r.year,
            unit: t.unit.clone(),
            actual: r.actual.as_ref().map(|p| p.value),
            target: r.target.as_ref().map(|p| p.value),
            growth_pct: r.growth_pct,
            reported_growth_pct: r.reported_growth_pct,
            achievement_pct: r.achievement_pct,
            reported_plan_pct: r.reported_plan_pct,
            reports: r
                .actual
                .as_ref()
                .or(r.target.as_ref())
                .map_or(0, |p| p.reports),
            disagree: r.actual.as_ref().is_some_and(|p| p.disagree)
                || r.target.as_ref().is_some_and(|p| p.disagree),
            actual_article_url: r.actual.as_ref().map(|p| p.article_url.clone()),
            target_article_url: r.target.as_ref().map(|p| p.article_url.clone()),
        })
        .collect()
}

/// One area's value of an indicator in one year, as the indicator page ranks it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankRow {
    /// Place in the ranking (1 = highest value).
    pub rank: usize,
    /// Area with level word.
    pub area: String,
    /// Gazetteer code (links to the area page).
    pub area_code: Option<String>,
    /// `province`, `district` or `commune`.
    pub area_level: Option<String>,
    /// Province as stored.
    pub province: Option<String>,
    /// Period label of the value (the year, else the latest sub-period of it).
    pub period: String,
    /// The achieved value, in `unit`.
    pub value: f64,
    /// Unit of `value`.
    pub unit: String,
    /// Growth versus the year before, computed from the stored values.
    pub growth_pct: Option<f64>,
    /// The planned value of the same period, in `unit`.
    pub target: Option<f64>,
    /// Actual / target × 100.
    pub achievement_pct: Option<f64>,
    /// Distinct articles that reported the value.
    pub reports: i64,
    /// Whether those reports differ by more than 1 %.
    pub disagree: bool,
    /// The article the value comes from.
    pub article_url: String,
}

/// The areas that report an indicator in a year, highest value first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    /// Indicator key.
    pub indicator: String,
    /// Vietnamese name of the indicator.
    pub indicator_name: String,
    /// The year ranked (`None` when the indicator has no facts).
    pub year: Option<i32>,
    /// One row per area.
    pub rows: Vec<RankRow>,
}

/// Ranks the areas by their actual value of `indicator` in `year` (default: the last year with
/// facts). Values are compared in base units; an area whose value has no base unit comparable
/// to the others is still listed, by its value as written.
pub async fn ranking(
    store: &dyn Store,
    taxonomy: &Taxonomy,
    indicator: &str,
    year: Option<i32>,
) -> Result<Ranking, ViewError> {
    let known = taxonomy.get(indicator);
    let year = match year {
        Some(y) => Some(y),
        None => store.indicator_last_year(indicator).await?,
    };
    let facts = match year {
        Some(y) => store.indicator_facts(indicator, Some(y)).await?,
        None => Vec::new(),
    };
    if known.is_none() && facts.is_empty() {
        return Err(ViewError::NotFound(format!(
            "no indicator {indicator:?} in the taxonomy nor in the facts"
        )));
    }
    // (area, province) → (area code, level), for the links.
    type Place = (Option<String>, Option<String>);
    let mut codes: HashMap<Place, Place> = HashMap::new();
    for f in &facts {
        codes
            .entry((f.area.clone(), f.province.clone()))
            .or_insert_with(|| (f.area_code.clone(), f.area_level.clone()));
    }
    let mut rows: Vec<(f64, RankRow)> = Vec::new();
    for t in trends(taxonomy, facts) {
        let Some(y) = year else { break };
        // The annual row, else the latest sub-period of the year with an actual.
        let row = t
            .rows
            .iter()
            .filter(|r| r.year == Some(y) && r.actual.is_some())
            .max_by_key(|r| (r.period == y.to_string(), r.period.clone()));
        let Some(row) = row else { continue };
        let Some(actual) = &row.actual else { continue };
        let (area_code, area_level) = codes
            .get(&(Some(t.area.clone()), t.province.clone()))
            .cloned()
            .unwrap_or_default();
        rows.push((
            actual.cmp_value(),
            RankRow {
                rank: 0,
                area: t.area.clone(),
                area_code,
                area_level,
                province: t.province.clone(),
                period: row.period.clone(),
                value: actual.value,
                unit: actual.unit.clone(),
                growth_pct: row.growth_pct,
                target: row.target.as_ref().map(|p| p.value),
                achievement_pct: row.achievement_pct,
                reports: actual.reports,
                disagree: actual.disagree,
                article_url: actual.article_url.clone(),
            },
        ));
    }
    rows.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.area.cmp(&b.1.area))
            .then_with(|| a.1.province.cmp(&b.1.province))
    });
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, (_, mut r))| {
            r.rank = i + 1;
            r
        })
        .collect();
    Ok(Ranking {
        indicator: indicator.to_string(),
        indicator_name: known.map_or_else(|| indicator.to_string(), |i| i.name.clone()),
        year,
        rows,
    })
}

/// One fact of an article with the place of its number in its sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleFact {
    /// The fact as stored (`span` points into the article's text or, for a title figure, its
    /// title).
    #[serde(flatten)]
    pub fact: Fact,
    /// Character offsets `[start, end)` of the number in `sentence`, when found.
    pub mark: Option<[usize; 2]>,
}

/// An article with its facts: the provenance of every figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleView {
    /// The article.
    #[serde(flatten)]
    pub article: ArticleRecord,
    /// Its facts in extraction order.
    pub facts: Vec<ArticleFact>,
}

/// Reads an article and its facts; `NotFound` for an unknown id.
pub async fn article_view(store: &dyn Store, id: i64) -> Result<ArticleView, ViewError> {
    let article = match store.article(id).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => {
            return Err(ViewError::NotFound(format!("no article with id {id}")))
        }
        Err(e) => return Err(e.into()),
    };
    let facts = store
        .article_facts(id)
        .await?
        .into_iter()
        .map(|fact| ArticleFact {
            mark: mark_span(&article, &fact),
            fact,
        })
        .collect();
    Ok(ArticleView { article, facts })
}

/// The text the extractor saw: the lead, a blank line, the body (as `scrape::Article::text`).
fn extracted_text(a: &ArticleRecord) -> String {
    match &a.sapo {
        Some(s) if !a.body.is_empty() => format!("{s}\n\n{}", a.body),
        Some(s) => s.clone(),
        None => a.body.clone(),
    }
}

/// Where the fact's number stands in its sentence, in characters: the span points into the
/// extracted text (or the title); the occurrence of the sentence that covers it gives the offset.
/// When the stored texts no longer contain the sentence, the first occurrence of the number's
/// text in the sentence is used; `None` when neither is found.
pub fn mark_span(a: &ArticleRecord, f: &Fact) -> Option<[usize; 2]> {
    let [start, end] = f.span;
    if start >= end {
        return None;
    }
    let sentence_len = f.sentence.chars().count();
    let mut number: Option<String> = None;
    for text in [Some(extracted_text(a)), a.title.clone()]
        .into_iter()
        .flatten()
    {
        let chars: Vec<char> = text.chars().collect();
        if end > chars.len() {
            continue;
        }
        let num: String = chars[start..end].iter().collect();
        let mut from = 0;
        while let Some(pos) = text[from..].find(&f.sentence) {
            let byte = from + pos;
            let at = text[..byte].chars().count();
            if at <= start && end <= at + sentence_len {
                return Some([start - at, end - at]);
            }
            from = byte + f.sentence.len().max(1);
            if from > text.len() {
                break;
            }
        }
        if number.is_none() && f.sentence.contains(&num) && !num.trim().is_empty() {
            number = Some(num);
        }
    }
    let num = number?;
    let byte = f.sentence.find(&num)?;
    let at = f.sentence[..byte].chars().count();
    Some([at, at + num.chars().count()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Kind;

    fn article(title: &str, sapo: Option<&str>, body: &str) -> ArticleRecord {
        ArticleRecord {
            id: 1,
            source: "s".into(),
            url: "https://example.vn/a".into(),
            title: Some(title.into()),
            sapo: sapo.map(Into::into),
            body: body.into(),
            published_at: None,
            first_seen_at: chrono::Utc::now(),
        }
    }

    fn fact(sentence: &str, span: [usize; 2]) -> Fact {
        Fact {
            area: None,
            area_level: None,
            area_code: None,
            province: None,
            metric: "m".into(),
            indicator: None,
            value: 1.0,
            value_high: None,
            unit: "tỷ đồng".into(),
            value_base: None,
            unit_base: None,
            total: None,
            year: None,
            period: None,
            kind: Kind::Actual,
            approx: false,
            plan_pct: None,
            yoy_pct: None,
            sentence: sentence.into(),
            span,
            from_title: false,
        }
    }

    #[test]
    fn mark_is_found_through_the_span_in_lead_and_body() {
        let a = article(
            "Tiêu đề",
            Some("Mở đầu."),
            "Câu một. Thu ngân sách đạt 1.250 tỷ đồng.",
        );
        // "Mở đầu.\n\nCâu một. " is 18 characters; the number starts 18 characters later.
        let f = fact("Thu ngân sách đạt 1.250 tỷ đồng.", [36, 41]);
        assert_eq!(mark_span(&a, &f), Some([18, 23]));
    }

    #[test]
    fn the_covering_occurrence_wins_when_a_sentence_repeats() {
        let body = "Đạt 5 tỷ. Đạt 5 tỷ.";
        let a = article("T", None, body);
        // The second sentence's number (character 14).
        let f = fact("Đạt 5 tỷ.", [14, 15]);
        assert_eq!(mark_span(&a, &f), Some([4, 5]));
    }

    #[test]
    fn a_title_figure_is_marked_in_the_title() {
        let a = article("Kỳ Anh thu 300 tỷ đồng", None, "Không có số.");
        let f = fact("Kỳ Anh thu 300 tỷ đồng", [11, 14]);
        assert_eq!(mark_span(&a, &f), Some([11, 14]));
    }

    #[test]
    fn no_mark_when_the_number_is_nowhere() {
        let a = article("T", None, "Khác hẳn.");
        let f = fact("Đạt 7 tỷ.", [4, 5]);
        assert_eq!(mark_span(&a, &f), None);
    }
}
