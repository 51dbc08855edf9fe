//! `chiso run`: the long-running service.
//!
//! Lifecycle: load the configuration, open and migrate the store, build the crawler, schedule one
//! cron job per enabled source (tokio-cron-scheduler, evaluated in Asia/Ho_Chi_Minh), then wait
//! for SIGTERM or SIGINT. A tick that finds its source still crawling is skipped and counted, so
//! a source never runs twice at once; each run starts after a random jitter so that sources with
//! the same schedule spread out. On a signal the scheduler stops, in-flight crawls are told to
//! stop between pages (what is stored stays stored, their run ends `interrupted`), and the process
//! exits 0 once they finished or `[daemon] shutdown_timeout_s` passed.

pub mod notify;

use crate::cli::context::prepare_store;
use crate::config::{Config, SourceConfig};
use crate::crawl::Crawler;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_cron_scheduler::{Job, JobScheduler};

/// Per-source state shared between the scheduler's ticks.
struct SourceSlot {
    source: SourceConfig,
    running: AtomicBool,
    skipped: AtomicU64,
}

/// Runs the daemon until SIGTERM or SIGINT.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let (store, prepared) = prepare_store(&config).await?;
    tracing::info!(
        migrations = prepared.migrations,
        areas = prepared.areas,
        sources = config.sources.iter().filter(|s| s.enabled).count(),
        database = %crate::config::redact_url(&config.database.url),
        "chiso starting"
    );
    let crawler = Arc::new(Crawler::new(&config, store)?);
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let in_flight = Arc::new(AtomicU64::new(0));

    let mut scheduler = JobScheduler::new().await?;
    let mut slots = HashMap::new();
    for src in config.sources.iter().filter(|s| s.enabled) {
        let slot = Arc::new(SourceSlot {
            source: src.clone(),
            running: AtomicBool::new(false),
            skipped: AtomicU64::new(0),
        });
        slots.insert(src.name.clone(), Arc::clone(&slot));
        let crawler = Arc::clone(&crawler);
        let cancel = cancel_rx.clone();
        let jitter_s = config.schedule.jitter_s;
        let in_flight = Arc::clone(&in_flight);
        let done_tx = done_tx.clone();
        let job = Job::new_async_tz(
            src.schedule.as_str(),
            crate::scrape::vietnam(),
            move |_id, _lock| {
                let slot = Arc::clone(&slot);
                let crawler = Arc::clone(&crawler);
                let cancel = cancel.clone();
                let in_flight = Arc::clone(&in_flight);
                let done_tx = done_tx.clone();
                Box::pin(async move {
                    if *cancel.borrow() {
                        return;
                    }
                    if slot.running.swap(true, Ordering::SeqCst) {
                        let n = slot.skipped.fetch_add(1, Ordering::Relaxed) + 1;
                        tracing::warn!(
                            source = %slot.source.name,
                            skipped = n,
                            "previous run still going: tick skipped"
                        );
                        return;
                    }
                    in_flight.fetch_add(1, Ordering::SeqCst);
                    let mut stop = cancel.clone();
                    let delay = jitter(&slot.source.name, jitter_s);
                    let interrupted = tokio::select! {
                        _ = tokio::time::sleep(delay) => false,
                        _ = stop.wait_for(|c| *c) => true,
                    };
                    if !interrupted {
                        crawler.crawl_source(&slot.source, cancel).await;
                    }
                    slot.running.store(false, Ordering::SeqCst);
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    let _ = done_tx.send(());
                })
            },
        )
        .map_err(|e| {
            anyhow::anyhow!(
                "source {:?}: cannot schedule {:?}: {e}",
                src.name,
                src.schedule
            )
        })?;
        scheduler.add(job).await?;
    }
    scheduler.start().await?;
    tracing::info!(jobs = slots.len(), "scheduler started");
    notify::notify(&format!(
        "READY=1\nSTATUS=scheduling {} source(s)",
        slots.len()
    ));
    let watchdog = notify::watchdog_interval().map(|every| {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                notify::notify("WATCHDOG=1");
            }
        })
    });

    wait_for_signal().await;
    notify::notify("STOPPING=1");
    if let Some(w) = watchdog {
        w.abort();
    }
    tracing::info!("stopping: no new runs, waiting for running crawls");
    let _ = cancel_tx.send(true);
    if let Err(e) = scheduler.shutdown().await {
        tracing::warn!("scheduler shutdown: {e}");
    }
    let timeout = Duration::from_secs(config.daemon.shutdown_timeout_s);
    let drained = tokio::time::timeout(timeout, async {
        while in_flight.load(Ordering::SeqCst) > 0 {
            if done_rx.recv().await.is_none() {
                break;
            }
        }
    })
    .await;
    if drained.is_err() {
        let still: Vec<&str> = slots
            .values()
            .filter(|s| s.running.load(Ordering::SeqCst))
            .map(|s| s.source.name.as_str())
            .collect();
        tracing::warn!(
            "shutdown timeout ({}s): abandoning runs of {}",
            timeout.as_secs(),
            still.join(", ")
        );
    }
    tracing::info!("chiso stopped");
    Ok(())
}

/// Crawls every (or one) source once, concurrently, and returns when all finished.
pub async fn crawl_once(
    config: &Config,
    only: Option<&str>,
) -> anyhow::Result<Vec<crate::crawl::SourceReport>> {
    let (store, _) = prepare_store(config).await?;
    let crawler = Arc::new(Crawler::new(config, store)?);
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let c = Arc::clone(&crawler);
    let cfg = config.clone();
    let only = only.map(str::to_string);
    tasks.spawn(async move { c.crawl_all(&cfg, only.as_deref(), cancel_rx).await });
    tokio::select! {
        res = tasks.join_next() => {
            match res {
                Some(Ok(reports)) => Ok(reports),
                Some(Err(e)) => Err(anyhow::anyhow!("crawl task failed: {e}")),
                None => Ok(Vec::new()),
            }
        }
        _ = wait_for_signal() => {
            let _ = cancel_tx.send(true);
            match tasks.join_next().await {
                Some(Ok(reports)) => Ok(reports),
                _ => Ok(Vec::new()),
            }
        }
    }
}

/// A delay in `0..jitter_s` seconds, different per source and per tick, without a random
/// number generator dependency.
fn jitter(source: &str, jitter_s: u64) -> Duration {
    if jitter_s == 0 {
        return Duration::ZERO;
    }
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write(source.as_bytes());
    Duration::from_millis(h.finish() % (jitter_s * 1000))
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM received"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received"),
                }
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::jitter;
    use std::time::Duration;

    #[test]
    fn jitter_stays_in_range() {
        assert_eq!(jitter("a", 0), Duration::ZERO);
        for _ in 0..100 {
            assert!(jitter("baohatinh", 60) < Duration::from_secs(60));
        }
    }
}
