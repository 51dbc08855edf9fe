//! SQLite backend: one file in WAL mode, the default for a single instance.

use super::alerts::impl_alerts_store;
use super::backfill::impl_backfill_store;
use super::common::impl_store;
use super::leases::impl_lease_store;
use super::query::impl_query_store;
use super::{Backend, StoreError};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a writer waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A SQLite database file.
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    const BACKEND: Backend = Backend::Sqlite;
    /// Opens a transaction that reads before it writes. `IMMEDIATE` takes the write lock at once
    /// (waiting up to `BUSY_TIMEOUT`): a deferred one that read first fails at its first write with
    /// "database is locked" (SQLITE_BUSY_SNAPSHOT, no waiting) whenever another connection wrote
    /// in between, which concurrent source crawls do all the time.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";

    fn migrator() -> &'static Migrator {
        &MIGRATOR
    }

    /// Opens (and creates, with its folder) the file named by a `sqlite://` URL.
    pub async fn open(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let path = sqlite_path(url);
        if let Some(dir) = std::path::Path::new(&path).parent() {
            if !dir.as_os_str().is_empty() && path != ":memory:" {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
        }
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|source| StoreError::Open {
                url: url.to_string(),
                source,
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .connect_with(opts)
            .await
            .map_err(|source| StoreError::Open {
                url: url.to_string(),
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

/// The file part of a `sqlite:` URL (`sqlite://data/chiso.db?mode=rwc` → `data/chiso.db`).
pub(crate) fn sqlite_path(url: &str) -> String {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    rest.split('?').next().unwrap_or(rest).to_string()
}

impl_store!(SqliteStore, Sqlite);
impl_alerts_store!(SqliteStore, Sqlite);
impl_lease_store!(SqliteStore, Sqlite);
impl_backfill_store!(SqliteStore, Sqlite);
impl_query_store!(SqliteStore, Sqlite);

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn sqlite_url_to_path() {
        assert_eq!(sqlite_path("sqlite://data/chiso.db"), "data/chiso.db");
        assert_eq!(
            sqlite_path("sqlite:///var/lib/chiso/chiso.db"),
            "/var/lib/chiso/chiso.db"
        );
        assert_eq!(sqlite_path("sqlite:x.db?mode=rwc"), "x.db");
    }
}
