//! What `chiso backfill` remembers between runs: documents read to the end (`backfill_progress`)
//! and article pages fetched but not stored under their own URL (`backfill_skipped`).
//!
//! Shared by both backends like `leases.rs`: [`impl_backfill_store!`] generates the
//! implementation for each backend struct (invoked in `sqlite.rs` and `postgres.rs`). Days are
//! `YYYY-MM-DD` text on both backends.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::StoreError;

/// A document (sitemap child, listing page, archive page) a backfill read to the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneDocument {
    /// Its URL.
    pub document: String,
    /// Its `lastmod` in its sitemap index when it was read (RFC 3339), when it had one.
    pub lastmod: Option<String>,
    /// The listing page that followed it, so that a resumed walk need not fetch it again.
    pub next_url: Option<String>,
    /// The newest listed or published day it held.
    pub newest_day: Option<NaiveDate>,
}

/// An article page a backfill fetched and did not store under its own URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedPage {
    /// The URL fetched.
    pub url: String,
    /// Its publication day; `None` when it gave none.
    pub published: Option<NaiveDate>,
    /// The canonical URL it is stored under, when it was in the range but named another URL.
    pub stored_as: Option<String>,
}

/// The progress of backfills, per source and range.
#[async_trait]
pub trait BackfillStore: Send + Sync {
    /// The documents read to the end by earlier backfills of `source` over the same range.
    async fn backfill_done(
        &self,
        source: &str,
        since: NaiveDate,
        until: NaiveDate,
    ) -> Result<Vec<DoneDocument>, StoreError>;

    /// Records a document as read to the end (replacing an earlier record of it).
    async fn mark_backfill_done(
        &self,
        source: &str,
        since: NaiveDate,
        until: NaiveDate,
        doc: &DoneDocument,
    ) -> Result<(), StoreError>;

    /// Article pages of `source` fetched and not stored under their own URL.
    async fn backfill_skipped(&self, source: &str) -> Result<Vec<SkippedPage>, StoreError>;

    /// Records an article page left out of a range, or stored under another URL.
    async fn mark_backfill_skipped(
        &self,
        source: &str,
        page: &SkippedPage,
    ) -> Result<(), StoreError>;
}

fn day(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
}

/// Converts a stored row; used by the macro.
pub(super) fn done_row(
    (document, lastmod, next_url, newest_day): (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    ),
) -> DoneDocument {
    DoneDocument {
        document,
        lastmod,
        next_url,
        newest_day: day(newest_day),
    }
}

/// Converts a stored row; used by the macro.
pub(super) fn skipped_row(
    (url, published, stored_as): (String, Option<String>, Option<String>),
) -> SkippedPage {
    SkippedPage {
        url,
        published: day(published),
        stored_as,
    }
}

/// Implements [`BackfillStore`] for a backend struct with a `pool` field of the given database.
macro_rules! impl_backfill_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::BackfillStore for $store {
            async fn backfill_done(
                &self,
                source: &str,
                since: chrono::NaiveDate,
                until: chrono::NaiveDate,
            ) -> Result<Vec<$crate::store::DoneDocument>, $crate::store::StoreError> {
                let rows: Vec<(String, Option<String>, Option<String>, Option<String>)> =
                    sqlx::query_as(
                        "SELECT document, lastmod, next_url, newest_day FROM backfill_progress \
                         WHERE source = $1 AND range_since = $2 AND range_until = $3",
                    )
                    .bind(source)
                    .bind(since.to_string())
                    .bind(until.to_string())
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows
                    .into_iter()
                    .map($crate::store::backfill::done_row)
                    .collect())
            }

            async fn mark_backfill_done(
                &self,
                source: &str,
                since: chrono::NaiveDate,
                until: chrono::NaiveDate,
                doc: &$crate::store::DoneDocument,
            ) -> Result<(), $crate::store::StoreError> {
                sqlx::query(
                    "INSERT INTO backfill_progress (source, range_since, range_until, document, \
                     lastmod, next_url, newest_day, done_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (source, range_since, range_until, document) DO UPDATE SET \
                     lastmod = excluded.lastmod, next_url = excluded.next_url, \
                     newest_day = excluded.newest_day, done_at = excluded.done_at",
                )
                .bind(source)
                .bind(since.to_string())
                .bind(until.to_string())
                .bind(&doc.document)
                .bind(&doc.lastmod)
                .bind(&doc.next_url)
                .bind(doc.newest_day.map(|d| d.to_string()))
                .bind(chrono::Utc::now())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn backfill_skipped(
                &self,
                source: &str,
            ) -> Result<Vec<$crate::store::SkippedPage>, $crate::store::StoreError> {
                let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
                    "SELECT url, published, stored_as FROM backfill_skipped WHERE source = $1",
                )
                .bind(source)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map($crate::store::backfill::skipped_row)
                    .collect())
            }

            async fn mark_backfill_skipped(
                &self,
                source: &str,
                page: &$crate::store::SkippedPage,
            ) -> Result<(), $crate::store::StoreError> {
                sqlx::query(
                    "INSERT INTO backfill_skipped (url, source, published, stored_as, seen_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (url) DO UPDATE SET \
                     source = excluded.source, published = excluded.published, \
                     stored_as = excluded.stored_as, seen_at = excluded.seen_at",
                )
                .bind(&page.url)
                .bind(source)
                .bind(page.published.map(|d| d.to_string()))
                .bind(&page.stored_as)
                .bind(chrono::Utc::now())
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        }
    };
}
pub(super) use impl_backfill_store;
