//! `chiso serve`: the web pages and the JSON API on `[daemon] listen`, read-only, until SIGTERM
//! or SIGINT. A configuration with only `[database]` and `[daemon]` is enough: no source, no
//! crawl, no alert; the database is opened for reading (migrations are applied only when the
//! schema is behind, as `chiso trend` does) and no page writes to it.

use crate::app::{load_config, open_for_reading, runtime, taxonomy_for};
use crate::config::ConfigError;
use crate::daemon::http::{serve_router, Limits};
use crate::gazetteer::Gazetteer;
use std::path::Path;
use std::process::ExitCode;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::watch;

/// Runs the web server until SIGTERM or SIGINT.
pub fn serve(explicit: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(explicit)?;
    if config.daemon.listen.trim().is_empty() {
        return Err(ConfigError(format!(
            "{}: daemon.listen is empty: chiso serve needs an address such as {:?}",
            config.path.display(),
            crate::config::DEFAULT_LISTEN
        ))
        .into());
    }
    if let Some(file) = crate::store::sqlite_file(&config.database.url) {
        if !file.exists() {
            return Err(ConfigError(format!(
                "{}: database.url: no database at {} (chiso serve only reads one: fill it with \
                 `chiso run`, `chiso crawl --once` or `chiso demo --db FILE` first)",
                config.path.display(),
                file.display()
            ))
            .into());
        }
    }
    let taxonomy = taxonomy_for(&config)?;
    runtime()?.block_on(async {
        let store = open_for_reading(&config).await?;
        let listener = tokio::net::TcpListener::bind(&config.daemon.listen)
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "daemon.listen {:?}: cannot listen: {e}",
                    config.daemon.listen
                )
            })?;
        let addr = listener.local_addr()?;
        let site = crate::web::site(crate::web::Web {
            store,
            gazetteer: Gazetteer::embedded,
            taxonomy,
        });
        eprintln!("chiso: serving http://{addr}/ (read-only); stop with Ctrl-C");
        let (stop_tx, stop_rx) = watch::channel(false);
        let server = tokio::spawn(serve_router(listener, site, stop_rx, Limits::default()));
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        let _ = stop_tx.send(true);
        let _ = server.await;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}
