//! Plain row structs passed in and out of the store.

use chrono::{DateTime, FixedOffset, Utc};

/// A configured source as stored in `sources`.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    /// Unique name.
    pub name: String,
    /// Province covered.
    pub province: String,
    /// Home page.
    pub base_url: String,
    /// Switched on in the configuration.
    pub enabled: bool,
}

/// An article to store, as scraped.
#[derive(Debug, Clone)]
pub struct NewArticle {
    /// Source name (must exist in `sources`).
    pub source: String,
    /// Canonical URL: the identity of the article.
    pub url: String,
    /// Headline.
    pub title: Option<String>,
    /// Publication time with its offset.
    pub published_at: Option<DateTime<FixedOffset>>,
    /// Byline.
    pub author: Option<String>,
    /// Lead paragraph.
    pub sapo: Option<String>,
    /// Article text given to the extractor.
    pub body: String,
    /// The page as fetched (stored gzip-compressed) so that extraction can be re-run offline.
    pub raw_html: Option<String>,
    /// HTTP validator.
    pub etag: Option<String>,
    /// HTTP validator.
    pub last_modified: Option<String>,
    /// When the page was fetched.
    pub fetched_at: DateTime<Utc>,
    /// Version of the extractor that produced the facts stored with it.
    pub extractor_version: String,
}

/// An outbox row written with its article.
#[derive(Debug, Clone)]
pub struct NewAlert {
    /// Channel name.
    pub channel: String,
    /// `new` (stored only when the article is saved for the first time) or `updated` (stored
    /// only when a known article's content changed).
    pub event: String,
    /// Unique per channel: a second save of the same report does not queue it twice.
    pub dedupe_key: String,
    /// JSON payload for the dispatcher.
    pub payload: String,
}

/// What `save_article` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveStatus {
    /// First time this URL was stored.
    New,
    /// Known URL whose content changed: article updated, facts replaced.
    Updated,
    /// Known URL, same content: only fetch metadata refreshed.
    Unchanged,
}

/// Result of `save_article`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveOutcome {
    /// The article's id.
    pub article_id: i64,
    /// What happened.
    pub status: SaveStatus,
    /// Facts now stored for it.
    pub facts: usize,
}

/// What the store knows of a URL already fetched.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleState {
    /// Article id.
    pub id: i64,
    /// Content hash of the stored version.
    pub content_hash: String,
    /// Stored validator.
    pub etag: Option<String>,
    /// Stored validator.
    pub last_modified: Option<String>,
}

/// Counts that close a crawl run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunStats {
    /// `ok`, `partial`, `failed` or `interrupted`.
    pub status: String,
    /// Pages fetched (any status).
    pub pages_fetched: i64,
    /// 304 answers.
    pub not_modified: i64,
    /// Articles stored for the first time.
    pub new_articles: i64,
    /// Known articles whose content changed.
    pub updated_articles: i64,
    /// Facts stored.
    pub facts: i64,
    /// Pages or feeds that failed.
    pub errors: i64,
    /// Short summary of the first errors.
    pub message: Option<String>,
    /// Pages scraped with the generic extractor because the source's body selector matched
    /// nothing or far too little.
    pub selector_fallbacks: i64,
}

/// Row counts of the main tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// `sources` rows.
    pub sources: i64,
    /// `articles` rows.
    pub articles: i64,
    /// `facts` rows.
    pub facts: i64,
    /// `areas` rows.
    pub areas: i64,
    /// `crawl_runs` rows.
    pub crawl_runs: i64,
    /// `alerts` rows.
    pub alerts: i64,
}

/// Validators of a feed, sitemap or listing URL, for conditional GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedValidators {
    /// The URL fetched.
    pub url: String,
    /// `ETag` of the last answer.
    pub etag: Option<String>,
    /// `Last-Modified` of the last answer.
    pub last_modified: Option<String>,
    /// Hash of the last body, for servers whose validators do not change with the content.
    pub content_hash: Option<String>,
}

/// A scheduled run of a source that could not start, for [`super::Store::record_skips`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSkip {
    /// The source whose run did not start.
    pub source: String,
    /// Why: `running`, `queued` or `backoff` (see the daemon's scheduling).
    pub reason: String,
    /// When the run was due.
    pub at: DateTime<Utc>,
}

/// Which stored pages `chiso reprocess` re-reads.
#[derive(Debug, Clone, Default)]
pub struct ReprocessFilter {
    /// Only pages fetched at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only this source.
    pub source: Option<String>,
}

/// A stored page as `chiso reprocess` needs it.
#[derive(Debug, Clone)]
pub struct RawPage {
    /// Article id.
    pub id: i64,
    /// Source name.
    pub source: String,
    /// Canonical URL.
    pub url: String,
    /// The page, decompressed (`None` when it was not kept).
    pub raw_html: Option<String>,
    /// Stored body, used when no raw page was kept.
    pub body: String,
    /// Stored title.
    pub title: Option<String>,
    /// Stored publication time.
    pub published_at: Option<DateTime<FixedOffset>>,
    /// Stored validators.
    pub etag: Option<String>,
    /// Stored validators.
    pub last_modified: Option<String>,
    /// When it was fetched.
    pub fetched_at: DateTime<Utc>,
}

/// What `chiso status`, the home page and `/api/sources` show of one source.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SourceStatus {
    /// Source name.
    pub name: String,
    /// Province the source reports on.
    pub province: String,
    /// Enabled in the configuration last synced.
    pub enabled: bool,
    /// When the source's next scheduled run is due (kept by the daemon).
    pub next_run_at: Option<DateTime<Utc>>,
    /// Start of the last run.
    pub last_started: Option<DateTime<Utc>>,
    /// End of the last run (None while running).
    pub last_finished: Option<DateTime<Utc>>,
    /// Status of the last run.
    pub last_status: Option<String>,
    /// End of the last run that was `ok` or `partial`.
    pub last_success: Option<DateTime<Utc>>,
    /// Runs ended `failed` since the last success.
    pub consecutive_failures: i64,
    /// Articles stored.
    pub articles: i64,
    /// Facts stored.
    pub facts: i64,
    /// Pages of the last run whose selectors fell back to the generic extractor.
    pub selector_fallbacks: i64,
    /// Scheduled runs that could not start, since the source was first recorded.
    pub runs_skipped: i64,
    /// When the last of them was due.
    pub last_skipped_at: Option<DateTime<Utc>>,
    /// Why the last of them did not start (`running`, `queued`, `backoff`).
    pub last_skip_reason: Option<String>,
}
