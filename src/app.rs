//! Start-up shared by every face, the daemon and the crawler: the configuration, a runtime, an
//! open and migrated store, the extractor. Below the CLI so that `crawl` and `daemon` never
//! import it.

use crate::config::Config;
use crate::gazetteer::Gazetteer;
use crate::store::{self, SourceRow, Store};
use std::path::Path;
use std::sync::Arc;

/// Loads the configuration named by `--config`, `$CHISO_CONFIG` or the default path.
pub fn load_config(explicit: Option<&Path>) -> anyhow::Result<Config> {
    let path = Config::resolve_path(explicit);
    Ok(Config::load(&path)?)
}

/// A runtime for one command; the daemon builds its own multi-threaded one.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    one_malloc_arena();
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// What `prepare_store` did to the database.
#[derive(Debug, Clone, Copy, Default)]
pub struct Prepared {
    /// Migrations applied now.
    pub migrations: usize,
    /// Gazetteer rows loaded now (0 when already present).
    pub areas: usize,
}

/// Opens the configured database, applies migrations, loads the gazetteer and records the
/// configured sources: every command that reads or writes data starts here.
pub async fn prepare_store(config: &Config) -> anyhow::Result<(Arc<dyn Store>, Prepared)> {
    let url = &config.database.url;
    let store = open(url, config.pool_size()).await?;
    let migrations = migrate(store.as_ref()).await?;
    // The gazetteer is parsed only when the table needs (re)loading: most starts find it loaded.
    let areas = if store.area_count().await? == Gazetteer::embedded_len() {
        0
    } else {
        store.load_areas(Gazetteer::embedded().areas()).await?
    };
    sync_sources(store.as_ref(), config).await?;
    Ok((store, Prepared { migrations, areas }))
}

/// Opens the configured database for a command that only reads it (`trend`, `query`, `export`):
/// migrations are applied when missing, but the gazetteer and the sources are not rewritten, so
/// the command starts fast and writes nothing to a shared database.
pub async fn open_for_reading(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let store = open(&config.database.url, config.database.max_connections).await?;
    if store.needs_migration().await? {
        migrate(store.as_ref()).await?;
    }
    Ok(store)
}

/// Attempts at opening or migrating a SQLite file that another process is creating or migrating
/// too, and the pause between them.
const MIGRATE_ATTEMPTS: u32 = 6;
const MIGRATE_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// Opens the database; a new SQLite file that another process is creating at the same moment
/// can answer "database is locked" while it switches to WAL, so that is tried again too.
async fn open(url: &str, max_connections: u32) -> anyhow::Result<Arc<dyn Store>> {
    let mut attempt = 1;
    loop {
        match store::open(url, max_connections).await {
            Ok(s) => return Ok(s),
            Err(e @ store::StoreError::Open { .. })
                if attempt < MIGRATE_ATTEMPTS && url.starts_with("sqlite:") =>
            {
                tracing::debug!("opening the database, attempt {attempt}: {e}");
                attempt += 1;
                tokio::time::sleep(MIGRATE_PAUSE).await;
            }
            Err(e) => return Err(anyhow::anyhow!(e)),
        }
    }
}

/// Applies pending migrations. SQLite has no migration lock: when two processes start on a new
/// file at once, the later one fails on a table or view the other just created; it tries again
/// (the other's migrations are then recorded as applied) before giving up with the error.
async fn migrate(store: &dyn Store) -> Result<usize, store::StoreError> {
    let mut attempt = 1;
    loop {
        match store.migrate().await {
            Ok(n) => return Ok(n),
            Err(e) if attempt < MIGRATE_ATTEMPTS && store.backend() == store::Backend::Sqlite => {
                tracing::debug!("migration attempt {attempt} failed, trying again: {e}");
                attempt += 1;
                tokio::time::sleep(MIGRATE_PAUSE).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Records the configured sources in the `sources` table (at start and on reload).
pub async fn sync_sources(store: &dyn Store, config: &Config) -> anyhow::Result<()> {
    let sources: Vec<SourceRow> = config
        .sources
        .iter()
        .map(|s| SourceRow {
            name: s.name.clone(),
            province: s.province.clone(),
            base_url: s.base_url.clone(),
            enabled: s.enabled,
        })
        .collect();
    store.sync_sources(&sources).await?;
    Ok(())
}

/// The taxonomy of a configuration: the built-in one, or the user's file named by
/// `[extract] indicators`, read once and kept for the life of the process.
pub fn taxonomy_for(config: &Config) -> anyhow::Result<&'static crate::taxonomy::Taxonomy> {
    use crate::taxonomy::Taxonomy;
    match config.indicators_path() {
        None => Ok(Taxonomy::embedded()),
        Some(path) => {
            let taxonomy = Taxonomy::from_file(&path)
                .map_err(|e| crate::config::ConfigError(format!("extract.indicators: {e}")))?;
            Ok(Box::leak(Box::new(taxonomy)))
        }
    }
}

/// The extractor for a configuration: the built-in taxonomy, or the user's file named by
/// `[extract] indicators`. A user taxonomy lives as long as the process (it is read once).
pub fn extractor_for(config: &Config) -> anyhow::Result<crate::extract::Extractor<'static>> {
    use crate::extract::Extractor;
    match config.indicators_path() {
        None => Ok(Extractor::embedded()),
        Some(_) => Ok(Extractor::with_taxonomy(taxonomy_for(config)?)),
    }
}

/// Makes every thread allocate from one glibc malloc arena, before the runtime's threads exist.
/// With an arena per thread (tokio's workers, SQLite's connection threads), the long-lived
/// objects a crawl leaves behind (per-host state, metrics) sit scattered among pages its
/// transient allocations freed, in several heaps that cannot give those pages back. Measured with
/// 2,000 sources (`benches/daemon_scale.py`, 2026-12-05): after the first later cycle 82–88 MiB
/// resident instead of 101 MiB, peak 104–107 MiB instead of 110 MiB, CPU per run unchanged;
/// after three cycles the two differ by 1–3 MiB.
fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        /// glibc's `M_ARENA_MAX`.
        const M_ARENA_MAX: i32 = -8;
        // SAFETY: mallopt only changes allocator tuning; called before other threads start.
        unsafe {
            mallopt(M_ARENA_MAX, 1);
        }
    }
}
