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
pub const EXTRACTOR_VERSION: &str = "1";

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

/// The extraction engine: holds the knowledge bases, reusable across any number of articles and
/// threads (it keeps no per-article state).
pub struct Extractor<'k> {
    taxonomy: &'k Taxonomy,
    gazetteer: &'k Gazetteer,
}

impl<'k> Extractor<'k> {
    /// An extractor over the given taxonomy and gazetteer.
    pub fn new(taxonomy: &'k Taxonomy, gazetteer: &'k Gazetteer) -> Self {
        Extractor {
            taxonomy,
            gazetteer,
        }
    }

    /// The facts of one article, in text order. Never panics; time is linear in the input.
    pub fn extract(&self, text: &str, opts: &ExtractOptions) -> Vec<Fact> {
        engine::run(self.taxonomy, self.gazetteer, text, opts)
    }
}

impl Extractor<'static> {
    /// An extractor over the taxonomy and gazetteer compiled into the binary.
    pub fn embedded() -> Self {
        Extractor::new(Taxonomy::embedded(), Gazetteer::embedded())
    }
}
