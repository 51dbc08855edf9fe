//! The alert outbox: claiming due alerts with leases, recording deliveries.
//!
//! Shared by both backends like `common.rs`: [`impl_alerts_store!`] generates the implementation
//! for each backend struct (invoked in `sqlite.rs` and `postgres.rs`). Rows are written by
//! `save_article` in the article's transaction; everything after that lives here.
//!
//! Claiming is one `UPDATE ... WHERE id IN (SELECT ...) RETURNING`: on PostgreSQL the inner select
//! takes `FOR UPDATE SKIP LOCKED` so that two instances never claim one row; SQLite has a single
//! writer, which gives the same guarantee. Every later write checks `lease_owner`, so an instance
//! whose lease expired and was taken over cannot overwrite the new owner's result.

use super::{AlertListing, FeedEntry, OutboxAlert};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;

/// The alert outbox: claiming due alerts with leases, recording deliveries.
#[async_trait]
pub trait AlertStore: Send + Sync {
    /// Claims up to `limit` alerts for `instance` until `lease_until`: pending alerts due at
    /// `now` and alerts whose lease expired (their instance died mid-send). Oldest first.
    async fn claim_alerts(
        &self,
        instance: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxAlert>, StoreError>;

    /// Puts the alerts still leased by `instance` back to `pending` (attempts unchanged) and
    /// returns how many: a dispatcher calls it before each pass, when none of its own alerts can
    /// be in flight, so that a restarted instance takes its leases back at once instead of
    /// waiting for them to expire. Instance names must therefore be unique among running
    /// dispatchers.
    async fn release_alert_leases(&self, instance: &str) -> Result<u64, StoreError>;

    /// Extends the lease of a claimed alert right before it is sent; `false` when the lease was
    /// lost (another instance took the row over), and then the alert must not be sent.
    async fn renew_alert_lease(
        &self,
        id: i64,
        instance: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Records that the receiver acknowledged the alert; `false` when the lease was lost.
    async fn mark_alert_sent(
        &self,
        id: i64,
        instance: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Records a failed attempt: back to `pending` until `retry_at`, or `failed` for good when
    /// `retry_at` is `None`. `false` when the lease was lost.
    async fn mark_alert_attempt_failed(
        &self,
        id: i64,
        instance: &str,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError>;

    /// Alerts for `chiso alerts list`, newest first, optionally of one status.
    async fn list_alerts(
        &self,
        status: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AlertListing>, StoreError>;

    /// Puts a failed (or pending) alert back in the queue with a fresh set of attempts, due at
    /// `now`. `NotFound` when no alert has this id; a sent alert is left alone (`Ok(false)`).
    async fn retry_alert(&self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Number of alerts per status, for metrics and `status`.
    async fn alert_status_counts(&self) -> Result<Vec<(String, i64)>, StoreError>;

    /// The latest stored articles with at least one fact, newest first, for the Atom feed.
    async fn recent_reports(&self, limit: i64) -> Result<Vec<FeedEntry>, StoreError>;
}

/// Which alerts a claim takes (see [`AlertStore::claim_alerts`]); `$2` is now.
pub(super) const CLAIMABLE: &str =
    "(status = 'pending' AND next_attempt_at <= $2) OR (status = 'sending' AND lease_until < $2)";

/// Implements [`AlertStore`] for a backend struct with a `pool` field of the given database.
macro_rules! impl_alerts_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::AlertStore for $store {
            async fn claim_alerts(
                &self,
                instance: &str,
                now: chrono::DateTime<chrono::Utc>,
                lease_until: chrono::DateTime<chrono::Utc>,
                limit: i64,
            ) -> Result<Vec<$crate::store::OutboxAlert>, $crate::store::StoreError> {
                let lock = match Self::BACKEND {
                    $crate::store::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
                    $crate::store::Backend::Sqlite => "",
                };
                let sql = format!(
                    "UPDATE alerts SET status = 'sending', lease_owner = $1, lease_until = $3 \
                     WHERE id IN (SELECT id FROM alerts WHERE {} ORDER BY id LIMIT $4{lock}) \
                     RETURNING id, article_id, channel, event, dedupe_key, payload, attempts",
                    $crate::store::alerts::CLAIMABLE
                );
                let mut rows: Vec<$crate::store::OutboxAlert> = sqlx::query_as(&sql)
                    .bind(instance)
                    .bind(now)
                    .bind(lease_until)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                // RETURNING gives no order guarantee.
                rows.sort_by_key(|r| r.id);
                Ok(rows)
            }

            async fn release_alert_leases(
                &self,
                instance: &str,
            ) -> Result<u64, $crate::store::StoreError> {
                let done = sqlx::query(
                    "UPDATE alerts SET status = 'pending', lease_owner = NULL, lease_until = NULL \
                     WHERE status = 'sending' AND lease_owner = $1",
                )
                .bind(instance)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }

            async fn renew_alert_lease(
                &self,
                id: i64,
                instance: &str,
                lease_until: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::store::StoreError> {
                let done = sqlx::query(
                    "UPDATE alerts SET lease_until = $1 \
                     WHERE id = $2 AND lease_owner = $3 AND status = 'sending'",
                )
                .bind(lease_until)
                .bind(id)
                .bind(instance)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn mark_alert_sent(
                &self,
                id: i64,
                instance: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::store::StoreError> {
                let done = sqlx::query(
                    "UPDATE alerts SET status = 'sent', sent_at = $1, attempts = attempts + 1, \
                     lease_owner = NULL, lease_until = NULL, last_error = NULL \
                     WHERE id = $2 AND lease_owner = $3 AND status = 'sending'",
                )
                .bind(now)
                .bind(id)
                .bind(instance)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn mark_alert_attempt_failed(
                &self,
                id: i64,
                instance: &str,
                error: &str,
                retry_at: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<bool, $crate::store::StoreError> {
                let status = if retry_at.is_some() {
                    "pending"
                } else {
                    "failed"
                };
                let done = sqlx::query(
                    "UPDATE alerts SET status = $1, attempts = attempts + 1, last_error = $2, \
                     next_attempt_at = COALESCE($3, next_attempt_at), \
                     lease_owner = NULL, lease_until = NULL \
                     WHERE id = $4 AND lease_owner = $5 AND status = 'sending'",
                )
                .bind(status)
                .bind(error)
                .bind(retry_at)
                .bind(id)
                .bind(instance)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn list_alerts(
                &self,
                status: Option<&str>,
                limit: i64,
            ) -> Result<Vec<$crate::store::AlertListing>, $crate::store::StoreError> {
                let rows = sqlx::query_as(
                    "SELECT al.id, al.channel, al.event, al.status, al.attempts, \
                     al.next_attempt_at, al.last_error, al.created_at, al.sent_at, \
                     a.url AS article_url \
                     FROM alerts al JOIN articles a ON a.id = al.article_id \
                     WHERE ($1 IS NULL OR al.status = $1) \
                     ORDER BY al.id DESC LIMIT $2",
                )
                .bind(status)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows)
            }

            async fn retry_alert(
                &self,
                id: i64,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::store::StoreError> {
                let (status,): (String,) =
                    sqlx::query_as("SELECT status FROM alerts WHERE id = $1")
                        .bind(id)
                        .fetch_one(&self.pool)
                        .await?;
                if status == "sent" || status == "sending" {
                    return Ok(false);
                }
                let done = sqlx::query(
                    "UPDATE alerts SET status = 'pending', attempts = 0, next_attempt_at = $1, \
                     lease_owner = NULL, lease_until = NULL \
                     WHERE id = $2 AND status IN ('pending', 'failed')",
                )
                .bind(now)
                .bind(id)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn alert_status_counts(
                &self,
            ) -> Result<Vec<(String, i64)>, $crate::store::StoreError> {
                let rows = sqlx::query_as(
                    "SELECT status, COUNT(*) FROM alerts GROUP BY status ORDER BY status",
                )
                .fetch_all(&self.pool)
                .await?;
                Ok(rows)
            }

            async fn recent_reports(
                &self,
                limit: i64,
            ) -> Result<Vec<$crate::store::FeedEntry>, $crate::store::StoreError> {
                let rows = sqlx::query_as(
                    "SELECT a.id AS article_id, a.url, a.title, a.source, s.province, \
                     a.published_at, a.first_seen_at, \
                     (SELECT COUNT(*) FROM facts f WHERE f.article_id = a.id) AS facts \
                     FROM articles a LEFT JOIN sources s ON s.name = a.source \
                     WHERE EXISTS (SELECT 1 FROM facts f WHERE f.article_id = a.id) \
                     ORDER BY a.first_seen_at DESC, a.id DESC LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows)
            }
        }
    };
}

pub(super) use impl_alerts_store;
