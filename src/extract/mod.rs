//! Indicator extraction: from the text of a Vietnamese article to facts (see EXTRACTION.md).
//!
//! The pipeline, one module per step: [`normalize`] (NFC, odd spaces, tone placement, with a map
//! back to the caller's characters) → [`token`] (one token list for everything) → [`segment`]
//! (sentences and clauses) → [`quantity`] (numbers, ratios, ranges, units via [`unit`] and
//! [`number`], and their role: level, growth, share of plan) → [`metric`], [`period`], [`area`]
//! and [`negative`] (not-facts) → [`engine`], which walks the article once, keeps the period
//! and target state, and assembles the [`Fact`]s.

mod area;
mod engine;
mod fact;
mod lexicon;
mod metric;
mod negative;
mod normalize;
mod number;
mod period;
mod quantity;
mod segment;
mod table;
mod token;
mod unit;

pub use fact::{Fact, Kind};

use crate::gazetteer::Gazetteer;
use crate::taxonomy::Taxonomy;

/// Version of the extraction rules, stored with every fact so that `chiso reprocess` knows which
/// facts an improved extractor would change. Bump it whenever the output changes.
pub const EXTRACTOR_VERSION: &str = "2";

/// What is known about an article besides its text.
#[derive(Debug, Clone, Default)]
pub struct ExtractOptions {
    /// Publication date: resolves `năm qua`, tells targets from actuals for the current year,
    /// and picks the era of area names (before or after the July 2025 reform).
    pub published: Option<chrono::NaiveDate>,
    /// The source's province, context for resolving area names.
    pub province: Option<String>,
    /// The title, when given apart from the text; it names the subject area more often than not.
    pub title: Option<String>,
}

impl ExtractOptions {
    /// The options for a stored or crawled article, built the same way everywhere (crawl,
    /// reprocess) so that `extract --batch` with the stored title, text and day gives the same
    /// facts. The publication day is the day in Vietnam (UTC+7, no daylight saving): an article
    /// published at 06:00 on 1 January belongs to the new year, not to 31 December UTC.
    pub fn for_article<Tz: chrono::TimeZone>(
        title: Option<String>,
        published_at: Option<chrono::DateTime<Tz>>,
        province: Option<String>,
    ) -> Self {
        ExtractOptions {
            published: published_at.map(vietnam_day),
            province,
            title,
        }
    }
}

/// The calendar day in Vietnam (UTC+7) of an instant.
pub fn vietnam_day<Tz: chrono::TimeZone>(at: chrono::DateTime<Tz>) -> chrono::NaiveDate {
    at.with_timezone(&crate::scrape::vietnam()).date_naive()
}

/// The extraction engine: holds the knowledge bases, reusable across any number of articles and
/// threads (it keeps no per-article state).
///
/// The embedded knowledge bases are parsed on the first article, not when the extractor is
/// made: a daemon restarted between two slots, or a command that never extracts, does not
/// carry the gazetteer (about a third of an idle daemon's heap).
pub struct Extractor<'k> {
    /// `None`: the embedded taxonomy, parsed on first use.
    taxonomy: Option<&'k Taxonomy>,
    /// `None`: the embedded gazetteer, parsed on first use.
    gazetteer: Option<&'k Gazetteer>,
}

impl<'k> Extractor<'k> {
    /// An extractor over the given taxonomy and gazetteer.
    pub fn new(taxonomy: &'k Taxonomy, gazetteer: &'k Gazetteer) -> Self {
        Extractor {
            taxonomy: Some(taxonomy),
            gazetteer: Some(gazetteer),
        }
    }

    /// An extractor over the given taxonomy and the embedded gazetteer, parsed on first use.
    pub fn with_taxonomy(taxonomy: &'k Taxonomy) -> Self {
        Extractor {
            taxonomy: Some(taxonomy),
            gazetteer: None,
        }
    }

    /// The facts of one article, in text order. Never panics; time is linear in the input.
    pub fn extract(&self, text: &str, opts: &ExtractOptions) -> Vec<Fact> {
        let taxonomy: &Taxonomy = match self.taxonomy {
            Some(t) => t,
            None => Taxonomy::embedded(),
        };
        let gazetteer: &Gazetteer = match self.gazetteer {
            Some(g) => g,
            None => Gazetteer::embedded(),
        };
        engine::run(taxonomy, gazetteer, text, opts)
    }
}

impl Extractor<'static> {
    /// An extractor over the taxonomy and gazetteer compiled into the binary (both parsed on
    /// the first article).
    pub fn embedded() -> Self {
        Extractor {
            taxonomy: None,
            gazetteer: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn publication_day_is_the_day_in_vietnam() {
        let at = chrono::Utc
            .with_ymd_and_hms(2023, 12, 31, 23, 30, 0)
            .unwrap();
        assert_eq!(
            vietnam_day(at),
            chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
        );
        let o = ExtractOptions::for_article(Some("T".into()), Some(at), Some("Hà Tĩnh".into()));
        assert_eq!(
            o.published.map(|d| d.to_string()).as_deref(),
            Some("2024-01-01")
        );
    }
}
