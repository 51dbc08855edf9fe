//! The scheduled jobs of the sources: one slot per source name that survives reloads (so a
//! source changed by SIGHUP never runs twice at once), its cron job, its failure backoff.

use super::metrics::Metrics;
use crate::config::{ScheduleConfig, SourceConfig};
use crate::crawl::{Crawler, SourceReport};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};
use tokio_cron_scheduler::{Job, JobScheduler};
use uuid::Uuid;

/// Claims of a source whose row another instance holds locked (or whose claim failed), and the
/// pause between them.
const BUSY_RETRIES: u32 = 3;
const BUSY_PAUSE: Duration = Duration::from_millis(500);

/// Longest delay a failing source waits between runs.
const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);

/// One source's state across ticks and reloads.
struct Slot {
    source: Mutex<SourceConfig>,
    running: AtomicBool,
    failures: AtomicU64,
    not_before: Mutex<Option<Instant>>,
}

/// Shared by every job: what a tick needs.
struct Shared {
    crawler: Arc<Crawler>,
    metrics: Arc<Metrics>,
    cancel: watch::Receiver<bool>,
    schedule: Mutex<ScheduleConfig>,
    in_flight: AtomicU64,
    drained: Notify,
}

/// The jobs of all sources.
pub(crate) struct Jobs {
    shared: Arc<Shared>,
    slots: BTreeMap<String, (Arc<Slot>, Option<Uuid>)>,
}

impl Jobs {
    /// No jobs yet; [`Jobs::sync`] schedules them.
    pub(crate) fn new(
        crawler: Arc<Crawler>,
        metrics: Arc<Metrics>,
        cancel: watch::Receiver<bool>,
        schedule: ScheduleConfig,
    ) -> Self {
        Self {
            shared: Arc::new(Shared {
                crawler,
                metrics,
                cancel,
                schedule: Mutex::new(schedule),
                in_flight: AtomicU64::new(0),
                drained: Notify::new(),
            }),
            slots: BTreeMap::new(),
        }
    }

    /// Replaces the jitter, backoff and lease settings for the next runs (on reload).
    pub(crate) fn set_schedule(&self, schedule: ScheduleConfig) {
        *self
            .shared
            .schedule
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = schedule;
    }

    /// Scheduled sources.
    pub(crate) fn len(&self) -> usize {
        self.slots.values().filter(|(_, id)| id.is_some()).count()
    }

    /// Names of the sources crawling now.
    pub(crate) fn running(&self) -> Vec<String> {
        self.slots
            .iter()
            .filter(|(_, (s, _))| s.running.load(Ordering::SeqCst))
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Resolves when no crawl is running.
    pub(crate) async fn drained(&self) {
        loop {
            let wait = self.shared.drained.notified();
            if self.shared.in_flight.load(Ordering::SeqCst) == 0 {
                return;
            }
            wait.await;
        }
    }

    /// Makes the scheduled jobs match `sources`: new ones added, removed or disabled ones
    /// unscheduled, changed ones rescheduled, each logged with its next run. With `run_now`, the
    /// sources added are also crawled at once (the first crawl at start). Returns a one-line
    /// summary of the changes.
    pub(crate) async fn sync(
        &mut self,
        scheduler: &mut JobScheduler,
        sources: &[SourceConfig],
        run_now: bool,
    ) -> anyhow::Result<String> {
        let (mut added, mut removed, mut changed) = (0, 0, 0);
        let mut first_crawls = tokio::task::JoinSet::new();
        let wanted: BTreeMap<&str, &SourceConfig> = sources
            .iter()
            .filter(|s| s.enabled)
            .map(|s| (s.name.as_str(), s))
            .collect();
        for (name, (slot, id)) in self.slots.iter_mut() {
            if !wanted.contains_key(name.as_str()) {
                if let Some(uuid) = id.take() {
                    scheduler.remove(&uuid).await?;
                    removed += 1;
                    tracing::info!(source = %name, "source unscheduled");
                }
                let _ = slot;
            }
        }
        for (name, src) in wanted {
            self.shared.metrics.register(name);
            let slot = match self.slots.get(name) {
                Some((slot, Some(uuid))) => {
                    let same = {
                        let cur = slot.source.lock().unwrap_or_else(|p| p.into_inner());
                        format!("{cur:?}") == format!("{src:?}")
                    };
                    if same {
                        continue;
                    }
                    scheduler.remove(uuid).await?;
                    changed += 1;
                    Arc::clone(slot)
                }
                Some((slot, None)) => {
                    added += 1;
                    Arc::clone(slot)
                }
                None => {
                    added += 1;
                    Arc::new(Slot {
                        source: Mutex::new(src.clone()),
                        running: AtomicBool::new(false),
                        failures: AtomicU64::new(0),
                        not_before: Mutex::new(None),
                    })
                }
            };
            *slot.source.lock().unwrap_or_else(|p| p.into_inner()) = src.clone();
            let job = self.job(&slot, src)?;
            let uuid = scheduler.add(job).await?;
            let next = super::lease::slot_at(&src.schedule, chrono::Utc::now())
                .and_then(|s| s.next)
                .map(|t| {
                    t.with_timezone(&crate::scrape::vietnam())
                        .format("%Y-%m-%d %H:%M:%S %:z")
                        .to_string()
                })
                .unwrap_or_else(|| "never".into());
            if run_now {
                tracing::info!(source = %name, next_run = %next, "scheduled; crawling now");
                let slot = Arc::clone(&slot);
                let shared = Arc::clone(&self.shared);
                first_crawls.spawn(async move { tick(&slot, &shared, Trigger::Start).await });
            } else {
                tracing::info!(source = %name, next_run = %next, "scheduled");
            }
            self.slots.insert(name.to_string(), (slot, Some(uuid)));
        }
        if !first_crawls.is_empty() {
            // The first crawls allocate far more than an idle daemon keeps: once they are done,
            // the freed heap goes back to the system, as after start-up.
            tokio::spawn(async move {
                while first_crawls.join_next().await.is_some() {}
                super::notify::release_startup_memory();
            });
        }
        Ok(format!(
            "{added} added, {removed} removed, {changed} changed"
        ))
    }

    fn job(&self, slot: &Arc<Slot>, src: &SourceConfig) -> anyhow::Result<Job> {
        let slot = Arc::clone(slot);
        let shared = Arc::clone(&self.shared);
        Job::new_async_tz(
            src.schedule.as_str(),
            crate::scrape::vietnam(),
            move |_id, _lock| {
                let slot = Arc::clone(&slot);
                let shared = Arc::clone(&shared);
                Box::pin(async move { tick(&slot, &shared, Trigger::Tick).await })
            },
        )
        .map_err(|e| {
            anyhow::anyhow!(
                "source {:?}: cannot schedule {:?}: {e}",
                src.name,
                src.schedule
            )
        })
    }
}

/// Why a source runs now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    /// Its cron tick.
    Tick,
    /// The first crawl right after start (no jitter).
    Start,
}

/// One run of one source, from its tick (or the start): checks, jitter, lease, crawl, backoff.
async fn tick(slot: &Slot, shared: &Shared, trigger: Trigger) {
    if *shared.cancel.borrow() {
        return;
    }
    let source = slot
        .source
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let backing_off = slot
        .not_before
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .is_some_and(|t| Instant::now() < t);
    if backing_off {
        shared.metrics.record_skip(&source.name);
        tracing::debug!(source = %source.name, "backing off after failures: tick skipped");
        return;
    }
    if slot.running.swap(true, Ordering::SeqCst) {
        shared.metrics.record_skip(&source.name);
        tracing::warn!(source = %source.name, "previous run still going: tick skipped");
        return;
    }
    shared.in_flight.fetch_add(1, Ordering::SeqCst);
    // The slot is the one this tick opened, whatever the jitter adds.
    let window = super::lease::slot_at(&source.schedule, chrono::Utc::now());
    let (jitter_s, base_s, lease_s) = {
        let s = shared.schedule.lock().unwrap_or_else(|p| p.into_inner());
        (s.jitter_s, s.backoff_base_s, s.lease_s)
    };
    let jitter_s = if trigger == Trigger::Start {
        0
    } else {
        jitter_s
    };
    let mut stop = shared.cancel.clone();
    let interrupted = tokio::select! {
        _ = tokio::time::sleep(jitter(&source.name, jitter_s)) => false,
        _ = stop.wait_for(|c| *c) => true,
    };
    if !interrupted {
        let mut outcome = Err(super::lease::NotRun::Refused(crate::store::Claim::Busy));
        // A row locked by another instance (claiming it, or recording its sources at its own
        // start) or a failed claim is asked again a few times rather than losing the slot.
        for attempt in 0..BUSY_RETRIES {
            if attempt > 0 {
                tokio::time::sleep(BUSY_PAUSE).await;
            }
            outcome = super::lease::crawl_leased(
                &shared.crawler,
                &source,
                window,
                Duration::from_secs(lease_s),
                shared.cancel.clone(),
            )
            .await;
            if !outcome.as_ref().is_err_and(|e| e.is_transient()) {
                break;
            }
        }
        match outcome {
            Ok(report) => record(slot, shared, &source, base_s, &report),
            Err(refused) if trigger == Trigger::Start => tracing::info!(
                source = %source.name,
                "not crawled at start: {}",
                super::lease::describe(&refused)
            ),
            Err(refused) => tracing::debug!(
                source = %source.name,
                "slot left to another instance: {}",
                super::lease::describe(&refused)
            ),
        }
    }
    slot.running.store(false, Ordering::SeqCst);
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    shared.drained.notify_waiters();
}

/// Failure backoff and metrics after a run.
fn record(slot: &Slot, shared: &Shared, source: &SourceConfig, base_s: u64, report: &SourceReport) {
    let failures = if report.stats.status == "failed" {
        let n = slot.failures.fetch_add(1, Ordering::SeqCst) + 1;
        let delay = backoff(base_s, n);
        *slot.not_before.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now() + delay);
        tracing::warn!(
            source = %source.name,
            consecutive_failures = n,
            "source failed: next run not before {}s",
            delay.as_secs()
        );
        n
    } else {
        if slot.failures.swap(0, Ordering::SeqCst) > 0 {
            tracing::info!(source = %source.name, "source recovered");
        }
        *slot.not_before.lock().unwrap_or_else(|p| p.into_inner()) = None;
        0
    };
    shared.metrics.record_run(report, failures);
}

/// `base_s` doubled for each consecutive failure after the first, capped at a day.
fn backoff(base_s: u64, failures: u64) -> Duration {
    let exp = failures.saturating_sub(1).min(20) as u32;
    Duration::from_secs(base_s.saturating_mul(1u64 << exp)).min(MAX_BACKOFF)
}

/// A delay in `0..jitter_s` seconds, different per source and per tick, without a random number
/// generator dependency.
fn jitter(source: &str, jitter_s: u64) -> Duration {
    if jitter_s == 0 {
        return Duration::ZERO;
    }
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write(source.as_bytes());
    Duration::from_millis(h.finish() % (jitter_s * 1000))
}

#[cfg(test)]
mod tests {
    use super::{backoff, jitter, MAX_BACKOFF};
    use std::time::Duration;

    #[test]
    fn jitter_stays_in_range() {
        assert_eq!(jitter("a", 0), Duration::ZERO);
        for _ in 0..100 {
            assert!(jitter("baohatinh", 60) < Duration::from_secs(60));
        }
    }

    #[test]
    fn backoff_doubles_and_caps_at_a_day() {
        assert_eq!(backoff(60, 1), Duration::from_secs(60));
        assert_eq!(backoff(60, 2), Duration::from_secs(120));
        assert_eq!(backoff(60, 5), Duration::from_secs(960));
        assert_eq!(backoff(60, 40), MAX_BACKOFF);
    }
}
