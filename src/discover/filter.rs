//! Which discovered URLs are articles of this source.
//!
//! A URL is accepted when it is http(s), on the source's site (same host or a subdomain, `www.`
//! ignored), not matched by `deny_pattern`, and matched by `article_pattern` when one is set.
//! Patterns are tried against the whole URL and against its path and query, so that both
//! `-post[0-9]+\.html$` and `^/doc-bao-in/` work as written in configurations.

use super::DiscoverError;
use crate::config::SourceConfig;
use crate::fetch::same_site;
use regex::Regex;
use url::Url;

/// The article test of one source, built once per run.
#[derive(Debug, Clone)]
pub struct ArticleFilter {
    base: Url,
    article: Option<Regex>,
    deny: Option<Regex>,
}

impl ArticleFilter {
    /// Builds the filter from a source's `base_url`, `article_pattern` and `deny_pattern`.
    pub fn new(src: &SourceConfig) -> Result<Self, DiscoverError> {
        let base = Url::parse(&src.base_url).map_err(|e| DiscoverError::Config {
            source_name: src.name.clone(),
            message: format!("base_url {:?}: {e}", src.base_url),
        })?;
        let compile = |key: &str, p: &Option<String>| -> Result<Option<Regex>, DiscoverError> {
            p.as_deref()
                .map(|p| {
                    Regex::new(p).map_err(|e| DiscoverError::Config {
                        source_name: src.name.clone(),
                        message: format!("{key} {p:?}: {e}"),
                    })
                })
                .transpose()
        };
        Ok(Self {
            article: compile("article_pattern", &src.article_pattern)?,
            deny: compile("deny_pattern", &src.deny_pattern)?,
            base,
        })
    }

    /// Whether `url` is an article of this source that may be fetched.
    pub fn accepts(&self, url: &Url) -> bool {
        if !same_site(&self.base, url) {
            return false;
        }
        let path_query = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let hit = |re: &Regex| re.is_match(url.as_str()) || re.is_match(&path_query);
        if self.deny.as_ref().is_some_and(hit) {
            return false;
        }
        self.article.as_ref().is_none_or(hit)
    }

    /// The source's home page.
    pub fn base(&self) -> &Url {
        &self.base
    }
}
