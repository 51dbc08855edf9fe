//! Article fields from a news page: title, date, author, sapo, body.

use serde::{Deserialize, Serialize};

/// The `[source.selectors]` table: CSS selectors for one site's article pages.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Selectors {
    /// The headline.
    pub title: Option<String>,
    /// The element holding the publication date.
    pub published: Option<String>,
    /// The byline.
    pub author: Option<String>,
    /// The article body container.
    pub body: Option<String>,
    /// The lead paragraph.
    pub sapo: Option<String>,
    /// Nodes dropped from the body before its text is taken.
    #[serde(default)]
    pub remove: Vec<String>,
}

/// A selector that does not parse, naming the field (`body`, `remove[1]`).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{field}: invalid CSS selector: {message}")]
pub struct SelectorError {
    /// The field: `title`, `remove[1]`, ...
    pub field: String,
    /// The parser's message.
    pub message: String,
}

impl Selectors {
    /// Checks that every selector parses, so that a typo fails at load time, not on every page.
    pub fn validate(&self) -> Result<(), SelectorError> {
        let named = [
            ("title", &self.title),
            ("published", &self.published),
            ("author", &self.author),
            ("body", &self.body),
            ("sapo", &self.sapo),
        ];
        let removes = self
            .remove
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("remove[{i}]"), s));
        let all = named
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), v)))
            .chain(removes);
        for (field, sel) in all {
            scraper::Selector::parse(sel).map_err(|e| SelectorError {
                field,
                message: format!("{sel:?}: {e}"),
            })?;
        }
        Ok(())
    }
}
