//! `chiso run`: the long-running service.
//!
//! Lifecycle: load the configuration, open and migrate the store, build the crawler, enter every
//! enabled source in the timetable read each second by one dispatch job (tokio-cron-scheduler;
//! cron evaluated in Asia/Ho_Chi_Minh) that feeds a work queue served by `max_concurrent_runs`
//! workers (`slots.rs`), queue the first crawl of every source (`[schedule] run_at_start`), open the
//! local HTTP listener (`/healthz`, `/metrics`, `/feed.atom`, and the web pages and API that the
//! face above hands in as [`Routes`]), send `READY=1`, then wait for signals:
//! - SIGHUP reloads the configuration file: sources added, removed or changed, `[schedule]`
//!   settings and `[[alert]]` channels and filters take effect at once; changes that need a
//!   restart (`[http]`, `[database]`, `[daemon]`, `[extract]`) are named in one log line; an
//!   invalid file is logged and the running configuration kept.
//! - SIGTERM / SIGINT stop the scheduler, tell in-flight crawls to stop between pages (what is
//!   stored stays stored; their run ends `interrupted`) and exit 0 once they finished or
//!   `[daemon] shutdown_timeout_s` passed, naming the sources abandoned.
//!
//! A tick that finds its source still crawling (or still queued) is skipped and counted with the
//! source named, so a source never runs twice at once. Each source is due at a fixed random
//! offset (under `jitter_s`) into each slot; its run claims the source's lease for the slot open
//! when it starts (`lease.rs`), so that instances sharing a database split the sources. A source
//! whose runs fail backs off
//! (`backoff_base_s` doubled per consecutive failure, capped at a day) and recovers by itself at
//! its first successful run: it is never disabled.

pub mod http;
mod lease;
pub mod metrics;
pub mod notify;
mod queue;
mod signals;
mod slots;

use crate::app::prepare_store;
use crate::config::Config;
use crate::crawl::Crawler;
use crate::store::Store;
use http::{Handler, Response};
use metrics::{Metrics, StoreGauges};
use signals::Signal;
use slots::Jobs;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_cron_scheduler::JobScheduler;

/// How old the dispatcher's last beat (every second) may be before `/healthz` fails.
const HEARTBEAT_STALE_S: i64 = 30;

/// Routes a face above the daemon mounts on its listener beside `/healthz`, `/metrics` and
/// `/feed.atom` (the web pages and API), built once the store is open.
pub type Routes = Box<dyn FnOnce(Arc<dyn Store>) -> axum::Router + Send>;

/// Runs the daemon until SIGTERM or SIGINT, serving `routes` on its listener when given.
pub async fn run(config: Config, routes: Option<Routes>) -> anyhow::Result<()> {
    let (store, prepared) = prepare_store(&config).await?;
    tracing::info!(
        migrations = prepared.migrations,
        areas = prepared.areas,
        sources = config.sources.iter().filter(|s| s.enabled).count(),
        database = %crate::config::redact_url(&config.database.url),
        "chiso starting"
    );
    let crawler = Arc::new(Crawler::new(&config, Arc::clone(&store))?);
    let metrics = Arc::new(Metrics::default());
    let (cancel_tx, cancel_rx) = watch::channel(false);

    // One dispatch job reads the timetable of all sources every second and feeds the work
    // queue (`slots.rs`); it also beats the heartbeat that `/healthz` checks.
    let mut scheduler = JobScheduler::new().await?;
    let heartbeat = Arc::new(AtomicI64::new(chrono::Utc::now().timestamp()));
    let mut jobs = Jobs::start(
        &mut scheduler,
        Arc::clone(&crawler),
        Arc::clone(&metrics),
        cancel_rx.clone(),
        config.schedule.clone(),
        config.max_concurrent_runs(),
        Arc::clone(&heartbeat),
    )
    .await?;
    jobs.sync(&config.sources, config.schedule.run_at_start)
        .await?;
    tracing::info!(
        workers = jobs.workers(),
        pool = config.pool_size(),
        "runs in flight at most max_concurrent_runs at once; the others wait in turn"
    );
    scheduler.start().await?;

    let instance = crate::store::instance_name();
    let (alert_config_tx, alert_config) = watch::channel(Arc::new(config.clone()));
    let dispatcher = tokio::spawn(crate::alert::run_dispatcher(
        Arc::clone(&store),
        alert_config,
        instance,
        cancel_rx.clone(),
    ));

    let listener = if config.daemon.listen.is_empty() {
        None
    } else {
        let l = tokio::net::TcpListener::bind(&config.daemon.listen)
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "daemon.listen {:?}: cannot listen: {e}",
                    config.daemon.listen
                )
            })?;
        tracing::info!(address = %l.local_addr()?, "web pages, health and metrics listening");
        let handler = endpoints(
            format!("http://{}", l.local_addr()?),
            Arc::clone(&store),
            Arc::clone(&crawler),
            Arc::clone(&metrics),
            Arc::clone(&heartbeat),
        );
        let router = routes.map_or_else(axum::Router::new, |r| r(Arc::clone(&store)));
        Some(tokio::spawn(http::serve_router(
            l,
            http::with_fallback(router, handler),
            cancel_rx.clone(),
            http::Limits::default(),
        )))
    };

    notify::release_startup_memory();
    notify::notify(&format!(
        "READY=1\nSTATUS=scheduling {} source(s)",
        jobs.len()
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

    let mut config = config;
    let mut signals = signals::Signals::new()?;
    // SIGHUP reloads; SIGTERM/SIGINT end the loop.
    while signals.next().await == Signal::Reload {
        match Config::load(&config.path) {
            Ok(new) => {
                // Sources are recorded first: a new source's first run claims its row.
                if let Err(e) = crate::app::sync_sources(store.as_ref(), &new).await {
                    tracing::error!("reload: cannot record sources: {e}");
                }
                let changes = jobs.sync(&new.sources, false).await?;
                jobs.set_schedule(new.schedule.clone());
                // Alert channels and filters: for the next articles (outbox rows) and the
                // dispatcher's next pass.
                crawler.set_config(&new);
                let _ = alert_config_tx.send(Arc::new(new.clone()));
                let restart = needs_restart(&config, &new);
                if !restart.is_empty() {
                    tracing::warn!(
                        "reload: changes to {} take effect at the next restart",
                        restart.join(", ")
                    );
                }
                tracing::info!(%changes, "configuration reloaded");
                notify::notify(&format!("STATUS=scheduling {} source(s)", jobs.len()));
                config = new;
            }
            Err(e) => {
                tracing::error!("reload rejected, keeping the running configuration: {e}")
            }
        }
    }

    notify::notify("STOPPING=1");
    tracing::info!("stopping: no new runs, waiting for running crawls");
    let _ = cancel_tx.send(true);
    if let Err(e) = scheduler.shutdown().await {
        tracing::warn!("scheduler shutdown: {e}");
    }
    let timeout = Duration::from_secs(config.daemon.shutdown_timeout_s);
    if tokio::time::timeout(timeout, jobs.drained()).await.is_err() {
        tracing::warn!(
            "shutdown timeout ({}s): abandoning runs of {}",
            timeout.as_secs(),
            jobs.running().join(", ")
        );
    }
    match store.release_source_leases(crawler.instance()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!("gave back {n} source lease(s) of abandoned runs"),
        Err(e) => tracing::warn!("cannot give source leases back (they expire by themselves): {e}"),
    }
    if tokio::time::timeout(Duration::from_secs(2), dispatcher)
        .await
        .is_err()
    {
        tracing::warn!("alert dispatcher did not stop in time: its leases expire by themselves");
    }
    if let Some(w) = watchdog {
        w.abort();
    }
    if let Some(l) = listener {
        l.abort();
    }
    tracing::info!("chiso stopped");
    Ok(())
}

/// The sections of a reloaded configuration whose changes a running daemon cannot apply: the HTTP
/// client, the database pool, the listener and the extractor are built once at start. Everything
/// else (sources, schedule settings, alert channels and filters) applies at once.
fn needs_restart(old: &Config, new: &Config) -> Vec<&'static str> {
    let mut out = Vec::new();
    if format!("{:?}", old.http) != format!("{:?}", new.http) {
        out.push("[http]");
    }
    if format!("{:?}", old.database) != format!("{:?}", new.database) {
        out.push("[database]");
    }
    if format!("{:?}", old.daemon) != format!("{:?}", new.daemon) {
        out.push("[daemon]");
    }
    if format!("{:?}", old.extract) != format!("{:?}", new.extract) {
        out.push("[extract]");
    }
    if old.max_concurrent_runs() != new.max_concurrent_runs() {
        out.push("[schedule] max_concurrent_runs");
    }
    out
}

/// `/healthz`: 200 when the database answers and the scheduler's heartbeat is fresh, else 503.
/// `/metrics`: Prometheus text. `/feed.atom`: the latest reports, for feed readers.
fn endpoints(
    base: String,
    store: Arc<dyn Store>,
    crawler: Arc<Crawler>,
    metrics: Arc<Metrics>,
    heartbeat: Arc<AtomicI64>,
) -> Handler {
    Arc::new(move |path: String| {
        let base = base.clone();
        let store = Arc::clone(&store);
        let crawler = Arc::clone(&crawler);
        let metrics = Arc::clone(&metrics);
        let heartbeat = Arc::clone(&heartbeat);
        Box::pin(async move {
            match path.split('?').next().unwrap_or("") {
                "/healthz" => {
                    let age = chrono::Utc::now().timestamp() - heartbeat.load(Ordering::SeqCst);
                    let db = store.ping().await;
                    match db {
                        Ok(()) if age <= HEARTBEAT_STALE_S => {
                            Response::text(200, "ok: database reachable, scheduler alive\n")
                        }
                        Ok(()) => Response::text(
                            503,
                            format!("scheduler stalled: last heartbeat {age}s ago\n"),
                        ),
                        Err(e) => Response::text(503, format!("database unreachable: {e}\n")),
                    }
                }
                "/metrics" => {
                    let gauges = StoreGauges {
                        alerts: store.alert_counts().await.unwrap_or_default(),
                    };
                    Response::ok(
                        "text/plain; version=0.0.4; charset=utf-8",
                        metrics.render(&crawler.fetcher().stats(), &gauges),
                    )
                }
                "/feed.atom" => match crate::alert::atom_feed(store.as_ref(), &base, 50).await {
                    Ok(xml) => Response::ok("application/atom+xml; charset=utf-8", xml),
                    Err(e) => Response::text(500, format!("feed unavailable: {e}\n")),
                },
                _ => Response::text(404, "not found: try /healthz, /metrics or /feed.atom\n"),
            }
        })
    })
}

/// Crawls every (or one) source once, concurrently, and returns when all finished (or, on
/// SIGINT/SIGTERM, when they stopped between pages).
pub async fn crawl_once(
    config: &Config,
    only: Option<&str>,
) -> anyhow::Result<Vec<crate::crawl::SourceReport>> {
    let (store, _) = prepare_store(config).await?;
    let crawler = Arc::new(Crawler::new(config, store)?);
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let sources: Vec<_> = config
        .sources
        .iter()
        .filter(|s| only.map_or(s.enabled, |n| s.name == n))
        .cloned()
        .collect();
    let lease = Duration::from_secs(config.schedule.lease_s);
    // At most max_concurrent_runs sources at once, the others waiting in order.
    let permits = Arc::new(tokio::sync::Semaphore::new(config.max_concurrent_runs()));
    tasks.spawn(async move {
        let mut runs = JoinSet::new();
        for src in sources {
            let c = Arc::clone(&crawler);
            let cancel = cancel_rx.clone();
            let permits = Arc::clone(&permits);
            runs.spawn(async move {
                let _permit = permits.acquire_owned().await;
                // A manual crawl ignores schedule slots but never crawls a source that another
                // instance is crawling now.
                match lease::crawl_leased(&c, &src, None, lease, cancel).await {
                    Ok(report) => report,
                    Err(refused) => crate::crawl::SourceReport {
                        source: src.name.clone(),
                        stats: crate::store::RunStats {
                            status: "skipped".into(),
                            message: Some(lease::describe(&refused)),
                            ..Default::default()
                        },
                        seconds: 0.0,
                    },
                }
            });
        }
        let mut reports = Vec::new();
        while let Some(done) = runs.join_next().await {
            match done {
                Ok(report) => reports.push(report),
                Err(e) => tracing::error!("a crawl task panicked: {e}"),
            }
        }
        reports.sort_by(|a, b| a.source.cmp(&b.source));
        reports
    });
    let mut signals = signals::Signals::new()?;
    let stop = async {
        loop {
            if signals.next().await == Signal::Stop {
                break;
            }
        }
    };
    tokio::select! {
        res = tasks.join_next() => finish(res),
        _ = stop => {
            let _ = cancel_tx.send(true);
            finish(tasks.join_next().await)
        }
    }
}

fn finish(
    res: Option<Result<Vec<crate::crawl::SourceReport>, tokio::task::JoinError>>,
) -> anyhow::Result<Vec<crate::crawl::SourceReport>> {
    match res {
        Some(Ok(reports)) => Ok(reports),
        Some(Err(e)) => Err(anyhow::anyhow!("crawl task failed: {e}")),
        None => Ok(Vec::new()),
    }
}
