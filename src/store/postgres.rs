//! PostgreSQL backend: several instances share one database and claim work with row leases.

use super::alerts::impl_alerts_store;
use super::backfill::impl_backfill_store;
use super::common::impl_store;
use super::leases::impl_lease_store;
use super::query::impl_query_store;
use super::{Backend, StoreError};
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres};
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// A PostgreSQL database.
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    const BACKEND: Backend = Backend::Postgres;
    /// Opens a transaction that reads before it writes (row locks make a plain `BEGIN` enough).
    const BEGIN_WRITE: &'static str = "BEGIN";

    fn migrator() -> &'static Migrator {
        &MIGRATOR
    }

    /// Connects to the database named by a `postgres://` URL.
    pub async fn open(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|source| StoreError::Open {
                url: crate::config::redact_url(url),
                source,
            })?;
        Ok(Self { pool })
    }

    async fn applied_migrations(&self) -> i64 {
        sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await
            .map(|(n,)| n)
            .unwrap_or(0)
    }
}

impl_store!(PgStore, Postgres);
impl_alerts_store!(PgStore, Postgres);
impl_lease_store!(PgStore, Postgres);
impl_backfill_store!(PgStore, Postgres);
impl_query_store!(PgStore, Postgres);
