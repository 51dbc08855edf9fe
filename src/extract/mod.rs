//! Indicator extraction: from the text of a Vietnamese article to facts (see EXTRACTION.md).

mod fact;

pub use fact::{Fact, Kind};
