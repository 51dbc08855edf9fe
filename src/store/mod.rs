//! Storage of sources, articles, facts, crawl runs and alerts on SQLite or PostgreSQL.
//!
//! Only this module touches SQL. [`open`] picks the backend from the URL scheme once; the rest of
//! the program holds an `Arc<dyn Store>`. Both backends share their query logic (`common.rs`,
//! written with `$N` placeholders that SQLite and PostgreSQL both accept) and differ only where the
//! dialect forces it: connection options and migrations (`sqlite.rs`, `postgres.rs`).

mod alert_rows;
mod alerts;
pub mod backfill;
mod common;
pub mod leases;
mod postgres;
mod query;
mod rows;
mod sqlite;
mod types;

pub use alert_rows::{AlertListing, FeedEntry, OutboxAlert};
pub use alerts::AlertStore;
pub use backfill::{BackfillStore, DoneDocument, SkippedPage};
pub use leases::{Claim, LeaseRequest, LeaseStore};
pub use query::QueryStore;
pub use rows::*;
pub use types::*;

use crate::extract::Fact;
use crate::gazetteer::Area;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::Arc;

/// Errors of the store; callers branch on `NotFound`, the rest is reported.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// The database URL has a scheme chiso does not know.
    #[error("unsupported database URL {0:?}: expected sqlite://FILE or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The database could not be opened or created.
    #[error("cannot open database {url}: {source}")]
    Open {
        /// The URL, password redacted.
        url: String,
        /// What the driver said.
        #[source]
        source: sqlx::Error,
    },
    /// The folder of a SQLite file could not be created.
    #[error("cannot create folder {path}: {source}")]
    Folder {
        /// The folder.
        path: String,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// A migration failed; the database is left at the last applied one.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error: {0}")]
    Db(#[source] sqlx::Error),
    /// Stored data could not be decoded (corrupt compressed page, bad timestamp).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            other => StoreError::Db(other),
        }
    }
}

/// A failed article page is retried on this many runs, then left in `page_queue` for a human.
pub const MAX_PAGE_ATTEMPTS: i64 = 10;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One file, WAL; the default.
    Sqlite,
    /// Shared by several instances.
    Postgres,
}

/// Everything the program asks of a database. One implementation per backend. The alert outbox
/// ([`AlertStore`]), the source leases ([`LeaseStore`]), the trend queries ([`QueryStore`]) and
/// the progress of backfills ([`BackfillStore`]) live in traits of their own files.
#[async_trait]
pub trait Store: AlertStore + BackfillStore + LeaseStore + QueryStore + Send + Sync {
    /// The backend behind this store.
    fn backend(&self) -> Backend;

    /// Applies pending migrations; returns how many were applied.
    async fn migrate(&self) -> Result<usize, StoreError>;

    /// Whether some migration shipped with this binary is not applied yet (one cheap query,
    /// where `migrate` takes a lock and checks every file).
    async fn needs_migration(&self) -> Result<bool, StoreError>;

    /// Makes the `sources` table match the configuration (insert or update; sources missing from
    /// the configuration are disabled, never deleted, so their articles keep their provenance).
    async fn sync_sources(&self, sources: &[SourceRow]) -> Result<(), StoreError>;

    /// Loads the gazetteer into `areas` unless it already holds exactly these units.
    /// Returns the number of rows inserted (0 when already loaded).
    async fn load_areas(&self, areas: &[Area]) -> Result<usize, StoreError>;

    /// The number of rows in `areas`: compared with `Gazetteer::embedded_len` at start-up, so
    /// that a process which finds them loaded does not parse the gazetteer for that.
    async fn area_count(&self) -> Result<usize, StoreError>;

    /// Which of these canonical URLs are already stored.
    async fn known_urls(&self, urls: &[String]) -> Result<HashSet<String>, StoreError>;

    /// The stored state of one URL, for conditional GET and change detection.
    async fn article_state(&self, url: &str) -> Result<Option<ArticleState>, StoreError>;

    /// Stores an article with its facts and alert rows in one transaction. A known URL whose
    /// content hash changed is updated and its facts replaced; an unchanged one only has its fetch
    /// metadata refreshed.
    async fn save_article(
        &self,
        article: &NewArticle,
        facts: &[Fact],
        alerts: &[NewAlert],
    ) -> Result<SaveOutcome, StoreError>;

    /// Opens a `crawl_runs` row in state `running`.
    async fn start_run(&self, source: &str, instance: &str) -> Result<i64, StoreError>;

    /// Closes a `crawl_runs` row with its counts.
    async fn finish_run(&self, run_id: i64, stats: &RunStats) -> Result<(), StoreError>;

    /// Facts of one article, in extraction order.
    async fn article_facts(&self, article_id: i64) -> Result<Vec<Fact>, StoreError>;

    /// Row counts of the main tables, for `status` and tests.
    async fn counts(&self) -> Result<Counts, StoreError>;

    /// Every article URL stored for a source (the crawler skips them before fetching).
    async fn source_urls(&self, source: &str) -> Result<HashSet<String>, StoreError>;

    /// Stored validators of one source's feeds, sitemaps and listings: a run reads only its
    /// own rows, so its cost does not grow with the number of sources.
    async fn fetch_cache(&self, source: &str) -> Result<Vec<CachedValidators>, StoreError>;

    /// Records a source's validators after a fetch (insert or replace; the row then belongs to
    /// `source`).
    async fn put_fetch_cache(
        &self,
        source: &str,
        entries: &[CachedValidators],
    ) -> Result<(), StoreError>;

    /// Counts scheduled runs that could not start, per source, with the time and reason of the
    /// last one (`sources.runs_skipped`, `last_skipped_at`, `last_skip_reason`), for
    /// `chiso status`. Unknown source names are ignored.
    async fn record_skips(&self, skips: &[RunSkip]) -> Result<(), StoreError>;

    /// Remembers an article page that failed, to be retried from `retry_at` on.
    async fn queue_page(
        &self,
        source: &str,
        url: &str,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Failed pages of a source due for another attempt at `now` (fewer than
    /// [`MAX_PAGE_ATTEMPTS`] attempts so far).
    async fn due_pages(&self, source: &str, now: DateTime<Utc>) -> Result<Vec<String>, StoreError>;

    /// Forgets a queued page (stored at last, or given up).
    async fn dequeue_page(&self, url: &str) -> Result<(), StoreError>;

    /// Up to `limit` stored pages with id greater than `after_id`, raw HTML decompressed, for
    /// `chiso reprocess` (paged by id so that memory stays constant).
    async fn raw_pages(
        &self,
        filter: &ReprocessFilter,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<RawPage>, StoreError>;

    /// Per-source state for `chiso status`: last run, consecutive failed runs, articles, facts.
    async fn source_status(&self) -> Result<Vec<SourceStatus>, StoreError>;

    /// Alerts by channel and status (`pending`, `sending`, `sent`, `failed`).
    async fn alert_counts(&self) -> Result<Vec<(String, String, i64)>, StoreError>;

    /// A cheap round trip, for `/healthz`.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Replaces the facts of an article whose text did not change (a new extractor version).
    async fn replace_facts(
        &self,
        article_id: i64,
        facts: &[Fact],
        extractor_version: &str,
    ) -> Result<(), StoreError>;
}

/// The file of a `sqlite:` URL (`None` for another backend or an in-memory database): read-only
/// commands check that it exists rather than letting SQLite create an empty one.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    if !url.starts_with("sqlite:") {
        return None;
    }
    let path = sqlite::sqlite_path(url);
    (path != ":memory:" && !path.is_empty()).then(|| std::path::PathBuf::from(path))
}

/// Opens the database named by a URL (`sqlite://...` or `postgres://...`), creating a SQLite file
/// and its folder when missing. Migrations are not applied here: call [`Store::migrate`].
pub async fn open(url: &str, max_connections: u32) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(
            sqlite::SqliteStore::open(url, max_connections).await?,
        ))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(
            postgres::PgStore::open(url, max_connections).await?,
        ))
    } else {
        Err(StoreError::UnsupportedUrl(crate::config::redact_url(url)))
    }
}

/// This machine's name and the process id: the owner recorded on leases and crawl runs, unique
/// among running instances by default.
pub fn instance_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "chiso".into());
    format!("{host}-{}", std::process::id())
}

/// The content hash stored with an article: changes when its title, sapo or text changes, not
/// when the page around it (ads, related links) does.
pub fn content_hash(title: Option<&str>, sapo: Option<&str>, body: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(title.unwrap_or("").as_bytes());
    h.update([0u8]);
    h.update(sapo.unwrap_or("").as_bytes());
    h.update([0u8]);
    h.update(body.as_bytes());
    let digest = h.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
