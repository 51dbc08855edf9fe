//! Source leases: which instance crawls a source in a slot of its schedule.
//!
//! Shared by both backends like `common.rs`: [`impl_lease_store!`] generates the implementation
//! for each backend struct (invoked in `sqlite.rs` and `postgres.rs`).
//!
//! A claim is one transaction on the source's `sources` row: read it (on PostgreSQL with
//! `FOR UPDATE SKIP LOCKED`, so that an instance racing for the same row gives up at once
//! instead of waiting; SQLite's `BEGIN IMMEDIATE` makes the transaction the only writer), decide
//! in Rust whether it may be taken, and write the new owner. A source may be taken when nobody
//! holds a live lease on it and, for a scheduled slot, when no instance started a run of it since
//! the slot began (`last_run_at`), so that the instance that wakes later in the same slot does not
//! crawl it a second time. Renewal and release check `lease_owner`, so an instance whose lease was
//! taken over can neither extend nor clear the new owner's.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;

/// What a claim asks for.
#[derive(Debug, Clone)]
pub struct LeaseRequest<'a> {
    /// The source.
    pub source: &'a str,
    /// The claiming instance.
    pub instance: &'a str,
    /// The time of the claim.
    pub now: DateTime<Utc>,
    /// Start of the schedule slot being claimed: the claim fails when a run of this source
    /// started at or after it. `None` (a manual `crawl --once`) only checks the lease.
    pub slot_start: Option<DateTime<Utc>>,
    /// End of the lease when claimed.
    pub lease_until: DateTime<Utc>,
    /// The source's next scheduled slot, recorded in `next_run_at` for `status` and operators.
    pub next_run_at: Option<DateTime<Utc>>,
}

/// The outcome of a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The lease is ours until the requested time.
    Claimed {
        /// An expired lease of another instance was taken over: that instance died or stalled.
        took_over_from: Option<String>,
    },
    /// Another instance holds a live lease.
    Leased {
        /// Its instance name.
        owner: String,
        /// When the lease expires unless renewed.
        until: DateTime<Utc>,
    },
    /// A run of this source started in this slot already.
    Done {
        /// When that run started.
        at: DateTime<Utc>,
    },
    /// Another instance is writing this row right now (PostgreSQL only): it is claiming it.
    Busy,
    /// The source is not in `sources`, or is disabled there and the claim is for a slot.
    Unknown,
}

/// Source leases: claim, renew, release.
#[async_trait]
pub trait LeaseStore: Send + Sync {
    /// Claims a source's lease for a slot (see the module header for the rules).
    async fn claim_source(&self, req: &LeaseRequest<'_>) -> Result<Claim, StoreError>;

    /// Extends a lease this instance holds; `false` when it no longer holds it.
    async fn renew_source_lease(
        &self,
        source: &str,
        instance: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Gives a lease back after a run; `false` when this instance no longer held it.
    async fn release_source_lease(&self, source: &str, instance: &str) -> Result<bool, StoreError>;

    /// Gives back every source lease this instance holds (at shutdown); returns how many.
    async fn release_source_leases(&self, instance: &str) -> Result<u64, StoreError>;
}

/// The row a claim reads.
#[derive(sqlx::FromRow)]
pub(super) struct LeaseRow {
    pub enabled: bool,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTime<Utc>>,
    pub last_run_at: Option<DateTime<Utc>>,
}

/// Whether a source row may be claimed: the decision of [`LeaseStore::claim_source`], apart from
/// the SQL so that it is tested on its own.
pub(super) fn decide(row: &LeaseRow, req: &LeaseRequest<'_>) -> Claim {
    // A disabled source is never scheduled; `crawl --once --source NAME` may still crawl it.
    if !row.enabled && req.slot_start.is_some() {
        return Claim::Unknown;
    }
    let other = row
        .lease_owner
        .as_deref()
        .filter(|o| *o != req.instance)
        .map(str::to_string);
    match (other, row.lease_until) {
        (Some(owner), Some(until)) if until >= req.now => return Claim::Leased { owner, until },
        _ => {}
    }
    if let (Some(slot), Some(at)) = (req.slot_start, row.last_run_at) {
        if at >= slot {
            return Claim::Done { at };
        }
    }
    Claim::Claimed {
        took_over_from: row
            .lease_owner
            .clone()
            .filter(|o| o != req.instance && row.lease_until.is_some()),
    }
}

/// Implements [`LeaseStore`] for a backend struct with a `pool` field of the given database.
macro_rules! impl_lease_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::LeaseStore for $store {
            async fn claim_source(
                &self,
                req: &$crate::store::LeaseRequest<'_>,
            ) -> Result<$crate::store::Claim, $crate::store::StoreError> {
                use $crate::store::Claim;
                let lock = match Self::BACKEND {
                    $crate::store::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
                    $crate::store::Backend::Sqlite => "",
                };
                let mut tx = self.pool.begin_with(Self::BEGIN_WRITE).await?;
                let row: Option<$crate::store::leases::LeaseRow> = sqlx::query_as(&format!(
                    "SELECT enabled, lease_owner, lease_until, last_run_at FROM sources \
                     WHERE name = $1{lock}"
                ))
                .bind(req.source)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    // On PostgreSQL a row locked by another claim is skipped: tell it apart
                    // from a missing one.
                    let exists: Option<(String,)> =
                        sqlx::query_as("SELECT name FROM sources WHERE name = $1")
                            .bind(req.source)
                            .fetch_optional(&mut *tx)
                            .await?;
                    tx.rollback().await?;
                    return Ok(if exists.is_some() {
                        Claim::Busy
                    } else {
                        Claim::Unknown
                    });
                };
                let claim = $crate::store::leases::decide(&row, req);
                if let Claim::Claimed { took_over_from } = &claim {
                    sqlx::query(
                        "UPDATE sources SET lease_owner = $1, lease_until = $2, \
                         last_run_at = $3, next_run_at = $4 WHERE name = $5",
                    )
                    .bind(req.instance)
                    .bind(req.lease_until)
                    .bind(req.now)
                    .bind(req.next_run_at)
                    .bind(req.source)
                    .execute(&mut *tx)
                    .await?;
                    if let Some(dead) = took_over_from {
                        // The runs the dead instance left open will never be closed by it.
                        sqlx::query(
                            "UPDATE crawl_runs SET status = 'interrupted', finished_at = $1, \
                             message = 'lease expired: source taken over by ' || $2 \
                             WHERE source = $3 AND instance = $4 AND finished_at IS NULL",
                        )
                        .bind(req.now)
                        .bind(req.instance)
                        .bind(req.source)
                        .bind(dead)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                } else {
                    tx.rollback().await?;
                }
                Ok(claim)
            }

            async fn renew_source_lease(
                &self,
                source: &str,
                instance: &str,
                lease_until: chrono::DateTime<chrono::Utc>,
            ) -> Result<bool, $crate::store::StoreError> {
                let done = sqlx::query(
                    "UPDATE sources SET lease_until = $1 WHERE name = $2 AND lease_owner = $3",
                )
                .bind(lease_until)
                .bind(source)
                .bind(instance)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn release_source_lease(
                &self,
                source: &str,
                instance: &str,
            ) -> Result<bool, $crate::store::StoreError> {
                let done = sqlx::query(
                    "UPDATE sources SET lease_owner = NULL, lease_until = NULL \
                     WHERE name = $1 AND lease_owner = $2",
                )
                .bind(source)
                .bind(instance)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn release_source_leases(
                &self,
                instance: &str,
            ) -> Result<u64, $crate::store::StoreError> {
                let done = sqlx::query(
                    "UPDATE sources SET lease_owner = NULL, lease_until = NULL \
                     WHERE lease_owner = $1",
                )
                .bind(instance)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(super) use impl_lease_store;

#[cfg(test)]
mod tests {
    use super::{decide, Claim, LeaseRequest, LeaseRow};
    use chrono::{DateTime, Duration, Utc};

    fn req(now: DateTime<Utc>, slot: Option<DateTime<Utc>>) -> LeaseRequest<'static> {
        LeaseRequest {
            source: "s",
            instance: "me",
            now,
            slot_start: slot,
            lease_until: now + Duration::seconds(60),
            next_run_at: None,
        }
    }

    fn row(
        owner: Option<&str>,
        until: Option<DateTime<Utc>>,
        last: Option<DateTime<Utc>>,
    ) -> LeaseRow {
        LeaseRow {
            enabled: true,
            lease_owner: owner.map(str::to_string),
            lease_until: until,
            last_run_at: last,
        }
    }

    #[test]
    fn a_live_lease_of_another_instance_blocks() {
        let now = Utc::now();
        let r = row(Some("other"), Some(now + Duration::seconds(5)), None);
        assert!(matches!(decide(&r, &req(now, None)), Claim::Leased { .. }));
    }

    #[test]
    fn an_expired_lease_is_taken_over() {
        let now = Utc::now();
        let r = row(Some("other"), Some(now - Duration::seconds(1)), None);
        assert_eq!(
            decide(&r, &req(now, Some(now))),
            Claim::Claimed {
                took_over_from: Some("other".into())
            }
        );
    }

    #[test]
    fn a_slot_already_started_is_not_run_twice() {
        let now = Utc::now();
        let slot = now - Duration::seconds(3);
        let r = row(None, None, Some(now - Duration::seconds(2)));
        assert!(matches!(
            decide(&r, &req(now, Some(slot))),
            Claim::Done { .. }
        ));
        // The previous slot's run does not block this one; a manual run ignores slots.
        let r = row(None, None, Some(slot - Duration::seconds(1)));
        assert_eq!(
            decide(&r, &req(now, Some(slot))),
            Claim::Claimed {
                took_over_from: None
            }
        );
        let r = row(None, None, Some(now));
        assert!(matches!(decide(&r, &req(now, None)), Claim::Claimed { .. }));
    }

    #[test]
    fn a_disabled_source_is_claimed_only_by_a_manual_run() {
        let mut r = row(None, None, None);
        r.enabled = false;
        let now = Utc::now();
        assert_eq!(decide(&r, &req(now, Some(now))), Claim::Unknown);
        assert!(matches!(decide(&r, &req(now, None)), Claim::Claimed { .. }));
    }
}
