//! Article discovery: which URLs of a source may be new articles.
//!
//! Sources announce articles through RSS/Atom feeds, sitemaps (indexes of monthly or daily files,
//! Google News sitemaps) and listing pages with pagination. This module reads those, canonicalises
//! the URLs, keeps the ones the source's [`ArticleFilter`] accepts and hands them to the crawl
//! pipeline with the date and title the feed or sitemap gave. It never touches the store: the
//! caller says which URLs are known (`is_known`) and keeps the validators (`ValidatorCache`).
//!
//! Layout: `canon` (canonical URLs), `feed`, `sitemap`, `listing` (parsers over bytes and HTML,
//! no network), `filter` (the article test), `run` (the async [`discover`] that fetches through
//! [`crate::fetch::Fetcher`]), `dates` (fallback date forms).

mod canon;
mod dated;
mod dates;
mod feed;
mod filter;
mod listing;
mod run;
mod sitemap;

pub use canon::{canonical_from_html, canonicalize};
pub use dated::listing_dates;
pub use dates::parse_feed_date;
pub use feed::parse_feed;
pub use filter::ArticleFilter;
pub use listing::{discover_feeds, parse_listing};
pub use run::{discover, MAX_SITEMAP_CHILDREN, MAX_SITEMAP_DEPTH};
pub use sitemap::{
    parse_sitemap, parse_sitemap_dated, period_in_name, DatedSitemap, Sitemap, MAX_SITEMAP_BYTES,
};

use crate::fetch::Validators;
use chrono::{DateTime, FixedOffset};

/// Where a candidate was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// An RSS or Atom feed.
    Feed,
    /// A sitemap.
    Sitemap,
    /// A listing (section) page.
    Listing,
    /// Not discovery: a page that failed on an earlier run, back from the crawler's retry queue.
    Retry,
}

/// A URL that may be a new article, with what its feed or sitemap said about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The canonical URL (see [`canonicalize`]); the key the store checks for "already stored".
    pub url: url::Url,
    /// The title the feed or Google News sitemap gave.
    pub title: Option<String>,
    /// Publication time from the feed (`pubDate`, Atom `published`) or `news:publication_date`.
    pub published: Option<DateTime<FixedOffset>>,
    /// `lastmod` of a sitemap entry or Atom `updated`: a changed article may be worth refetching.
    pub lastmod: Option<DateTime<FixedOffset>>,
    /// Which kind of page announced it.
    pub via: Via,
}

/// A feed, sitemap or source configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// The body is not a well-formed feed or sitemap.
    #[error("{what}: {message}")]
    Xml {
        /// `feed` or `sitemap`.
        what: &'static str,
        /// The parser's message.
        message: String,
    },
    /// The source's `base_url` or patterns do not parse (config validation should have caught it).
    #[error("source {source_name}: {message}")]
    Config {
        /// The source's name.
        source_name: String,
        /// What is wrong.
        message: String,
    },
}

/// Validators of feeds, sitemaps and listing pages between runs, so that discovery fetches them
/// conditionally. The lead backs it by the `fetch_cache` table; tests by a map.
pub trait ValidatorCache: Send + Sync {
    /// The validators stored for a URL.
    fn get(&self, url: &str) -> Option<Validators>;
    /// Stores the validators of a URL's latest 2xx response.
    fn put(&self, url: &str, v: Validators);
}

/// A cache that remembers nothing: every page is fetched in full.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoCache;

impl ValidatorCache for NoCache {
    fn get(&self, _url: &str) -> Option<Validators> {
        None
    }
    fn put(&self, _url: &str, _v: Validators) {}
}

/// What one discovery run of a source found.
#[derive(Debug, Clone, Default)]
pub struct DiscoverReport {
    /// Deduplicated, canonical, accepted by the source's filter; known ones included (the caller
    /// filters them through the store).
    pub candidates: Vec<Candidate>,
    /// Feeds, sitemaps and listing pages fetched with a 2xx.
    pub pages_fetched: u64,
    /// Of those asked conditionally, how many answered 304.
    pub not_modified: u64,
    /// Per-URL failures (fetch or parse); the run goes on past each.
    pub errors: Vec<(String, String)>,
    /// Feeds found through `<link rel="alternate">` on the home page (when none were configured).
    pub discovered_feeds: Vec<url::Url>,
    /// New URLs left for later runs by the per-document cap (`max_new_per_run`).
    pub deferred: u64,
}
