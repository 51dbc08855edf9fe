//! The sources' schedule, built to hold ten thousand sources due in the same second.
//!
//! One timetable holds the next due time of every scheduled source (its next cron tick, in
//! Asia/Ho_Chi_Minh, plus the source's jitter). One dispatch job of the scheduler reads it every
//! second and hands the sources that are due to a work queue (`queue.rs`) served by
//! `max_concurrent_runs` workers; one job per source made the scheduler's channel lag at a few
//! thousand sources and drop runs without a trace. Every slot of a source (from one tick to the
//! next) either sees a run start or is counted as skipped when the next tick comes, with its
//! source, slot and reason in the log, `chiso_runs_skipped_total{source,reason}` and
//! `chiso status` (`sources.runs_skipped`):
//!
//! - `running`: the source's previous run went on through the whole slot (a source never runs
//!   twice at once); it runs again as soon as that run ends;
//! - `queued`: the source's run waited for a free worker through the whole slot; it still runs
//!   as soon as a worker is free, for the slot open then;
//! - `backoff`: the source failed and waits out its backoff.
//!
//! A source's state (its slot) survives reloads, so a source changed by SIGHUP never runs twice
//! at once either.

use super::metrics::Metrics;
use super::queue::HostQueue;
use crate::config::{ScheduleConfig, SourceConfig};
use crate::crawl::{Crawler, SourceReport};
use crate::store::RunSkip;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};
use tokio_cron_scheduler::{Job, JobScheduler};

/// Claims of a source whose row another instance holds locked (or whose claim failed), and the
/// pause between them.
const BUSY_RETRIES: u32 = 3;
const BUSY_PAUSE: Duration = Duration::from_millis(500);

/// Longest delay a failing source waits between runs.
const MAX_BACKOFF: Duration = Duration::from_secs(24 * 3600);

/// How often the dispatch job reads the timetable.
const DISPATCH: &str = "* * * * * *";

/// Shortest pause between two returns of freed heap to the system (after a burst of runs).
const TRIM_EVERY: Duration = Duration::from_secs(30);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Why a due run did not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SkipReason {
    /// The previous run of the source is still going.
    Running,
    /// The previous run of the source still waits for a free worker.
    Queued,
    /// The source backs off after failures.
    Backoff,
}

impl SkipReason {
    /// The `reason` label and `sources.last_skip_reason`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SkipReason::Running => "running",
            SkipReason::Queued => "queued",
            SkipReason::Backoff => "backoff",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            SkipReason::Running => {
                "run skipped: the previous run went on through the whole slot (the source runs \
                 again as soon as it ends)"
            }
            SkipReason::Queued => {
                "run skipped: waited for a free worker through the whole slot (all \
                 max_concurrent_runs busy); it runs as soon as one is free"
            }
            SkipReason::Backoff => "run skipped: backing off after failures",
        }
    }
}

/// Where a source's run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Queued,
    Running,
}

/// Why a source runs now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    /// Its schedule.
    Tick,
    /// The first crawl right after start (or after being added by a reload).
    Start,
}

/// A source's run state.
#[derive(Debug)]
struct RunState {
    phase: Phase,
    trigger: Trigger,
    /// A tick came while running: run again when the run ends.
    again: bool,
    /// Start of the slot the last run claimed.
    served: Option<DateTime<Utc>>,
    /// The last tick that found the source due, until the next tick closes its slot, and
    /// whether a run started in that slot.
    pending: Option<(DateTime<Utc>, bool)>,
}

/// One source's state across ticks and reloads.
struct Slot {
    name: String,
    source: Mutex<SourceConfig>,
    /// Host of its `base_url`: one run per host at a time (`queue.rs`).
    host: Mutex<String>,
    state: Mutex<RunState>,
    failures: AtomicU64,
    not_before: Mutex<Option<Instant>>,
    /// Fixed per source and process: the source's offset into its slots.
    jitter_seed: u64,
}

/// The next due time of every scheduled source.
#[derive(Default)]
struct Timetable {
    /// (due time in Unix milliseconds, source) → the tick that opens the slot.
    due: BTreeMap<(i64, String), DateTime<Utc>>,
    /// Each scheduled source's key in `due`.
    keys: HashMap<String, i64>,
}

/// Shared by the dispatch job and the workers.
struct Shared {
    crawler: Arc<Crawler>,
    metrics: Arc<Metrics>,
    cancel: watch::Receiver<bool>,
    schedule: Mutex<ScheduleConfig>,
    slots: Mutex<BTreeMap<String, Arc<Slot>>>,
    timetable: Mutex<Timetable>,
    queue: HostQueue<Arc<Slot>>,
    in_flight: AtomicU64,
    drained: Notify,
    /// Skips not yet written to `sources`.
    skips: Mutex<Vec<RunSkip>>,
    /// Start runs not finished yet; the heap is trimmed when the last one ends.
    start_runs: AtomicU64,
    last_trim: Mutex<Instant>,
    /// Beaten by every dispatch: `/healthz` fails when the dispatcher stops.
    heartbeat: Arc<std::sync::atomic::AtomicI64>,
}

/// The schedule of all sources and the workers that run them.
pub(crate) struct Jobs {
    shared: Arc<Shared>,
    workers: usize,
}

impl Jobs {
    /// No sources yet ([`Jobs::sync`] adds them); starts `workers` workers and the dispatch job.
    pub(crate) async fn start(
        scheduler: &mut JobScheduler,
        crawler: Arc<Crawler>,
        metrics: Arc<Metrics>,
        cancel: watch::Receiver<bool>,
        schedule: ScheduleConfig,
        workers: usize,
        heartbeat: Arc<std::sync::atomic::AtomicI64>,
    ) -> anyhow::Result<Self> {
        let shared = Arc::new(Shared {
            crawler,
            metrics,
            cancel,
            schedule: Mutex::new(schedule),
            slots: Mutex::new(BTreeMap::new()),
            timetable: Mutex::new(Timetable::default()),
            queue: HostQueue::default(),
            in_flight: AtomicU64::new(0),
            drained: Notify::new(),
            skips: Mutex::new(Vec::new()),
            start_runs: AtomicU64::new(0),
            last_trim: Mutex::new(Instant::now()),
            heartbeat,
        });
        for _ in 0..workers {
            tokio::spawn(worker(Arc::clone(&shared)));
        }
        let dispatch = Arc::clone(&shared);
        let busy = Arc::new(tokio::sync::Mutex::new(()));
        scheduler
            .add(Job::new_async(DISPATCH, move |_, _| {
                let shared = Arc::clone(&dispatch);
                let busy = Arc::clone(&busy);
                Box::pin(async move {
                    // A dispatch still writing skips lets this second's pass go: the next
                    // one finds the same due sources.
                    if let Ok(_guard) = busy.try_lock() {
                        shared.dispatch().await;
                    }
                })
            })?)
            .await?;
        Ok(Self { shared, workers })
    }

    /// Replaces the jitter, backoff and lease settings for the next runs (on reload).
    pub(crate) fn set_schedule(&self, schedule: ScheduleConfig) {
        *lock(&self.shared.schedule) = schedule;
    }

    /// Workers serving the queue.
    pub(crate) fn workers(&self) -> usize {
        self.workers
    }

    /// Scheduled sources.
    pub(crate) fn len(&self) -> usize {
        lock(&self.shared.timetable).keys.len()
    }

    /// Names of the sources crawling now.
    pub(crate) fn running(&self) -> Vec<String> {
        lock(&self.shared.slots)
            .values()
            .filter(|s| lock(&s.state).phase == Phase::Running)
            .map(|s| s.name.clone())
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

    /// Makes the schedule match `sources`: new ones added, removed or disabled ones
    /// unscheduled, changed ones rescheduled, each logged with its next run. With `run_now`, the
    /// sources added are also queued at once (the first crawl at start). Returns a one-line
    /// summary of the changes.
    pub(crate) async fn sync(
        &mut self,
        sources: &[SourceConfig],
        run_now: bool,
    ) -> anyhow::Result<String> {
        let shared = &self.shared;
        let (mut added, mut removed, mut changed) = (0, 0, 0);
        let wanted: BTreeMap<&str, &SourceConfig> = sources
            .iter()
            .filter(|s| s.enabled)
            .map(|s| (s.name.as_str(), s))
            .collect();
        let jitter_s = lock(&shared.schedule).jitter_s;
        let now = Utc::now();
        let mut first = Vec::new();
        {
            let mut table = lock(&shared.timetable);
            let gone: Vec<String> = table
                .keys
                .keys()
                .filter(|n| !wanted.contains_key(n.as_str()))
                .cloned()
                .collect();
            for name in gone {
                table.unschedule(&name);
                removed += 1;
                tracing::info!(source = %name, "source unscheduled");
            }
        }
        for (name, src) in wanted {
            shared.metrics.register(name);
            let existing = lock(&shared.slots).get(name).cloned();
            let scheduled = lock(&shared.timetable).keys.contains_key(name);
            let slot = match existing {
                Some(slot) if scheduled => {
                    if format!("{:?}", *lock(&slot.source)) == format!("{src:?}") {
                        continue;
                    }
                    changed += 1;
                    slot
                }
                Some(slot) => {
                    added += 1;
                    slot
                }
                None => {
                    added += 1;
                    let slot = Arc::new(Slot {
                        name: name.to_string(),
                        source: Mutex::new(src.clone()),
                        host: Mutex::new(String::new()),
                        state: Mutex::new(RunState {
                            phase: Phase::Idle,
                            trigger: Trigger::Tick,
                            again: false,
                            served: None,
                            pending: None,
                        }),
                        failures: AtomicU64::new(0),
                        not_before: Mutex::new(None),
                        jitter_seed: jitter_seed(name),
                    });
                    lock(&shared.slots).insert(name.to_string(), Arc::clone(&slot));
                    slot
                }
            };
            *lock(&slot.source) = src.clone();
            *lock(&slot.host) = host_of(src);
            let next = {
                let mut table = lock(&shared.timetable);
                table.unschedule(name);
                table.plan(&slot, src, now, jitter_s)?
            };
            let next = next
                .map(|t| {
                    t.with_timezone(&crate::scrape::vietnam())
                        .format("%Y-%m-%d %H:%M:%S %:z")
                        .to_string()
                })
                .unwrap_or_else(|| "never".into());
            if run_now {
                tracing::info!(source = %name, next_run = %next, "scheduled; crawling now");
                first.push(slot);
            } else {
                tracing::info!(source = %name, next_run = %next, "scheduled");
            }
        }
        for slot in first {
            shared.start_runs.fetch_add(1, Ordering::SeqCst);
            if !shared.due(&slot, None, Trigger::Start) {
                shared.start_runs.fetch_sub(1, Ordering::SeqCst);
            }
        }
        Ok(format!(
            "{added} added, {removed} removed, {changed} changed"
        ))
    }
}

impl Timetable {
    fn unschedule(&mut self, name: &str) {
        if let Some(at) = self.keys.remove(name) {
            self.due.remove(&(at, name.to_string()));
        }
    }

    /// Enters the source's first tick after `after` (plus its jitter); returns that tick.
    fn plan(
        &mut self,
        slot: &Slot,
        src: &SourceConfig,
        after: DateTime<Utc>,
        jitter_s: u64,
    ) -> anyhow::Result<Option<DateTime<Utc>>> {
        let cron = parse_cron(&src.schedule).map_err(|e| {
            anyhow::anyhow!(
                "source {:?}: cannot schedule {:?}: {e}",
                src.name,
                src.schedule
            )
        })?;
        // Whole seconds, as `lease::slot_at` counts them, so that a run's slot and the tick
        // that opened it compare equal.
        use chrono::Timelike;
        let after = after.with_nanosecond(0).unwrap_or(after);
        let local = after.with_timezone(&crate::scrape::vietnam());
        let Ok(tick) = cron.find_next_occurrence(&local, false) else {
            return Ok(None);
        };
        let tick = tick.with_nanosecond(0).unwrap_or(tick);
        let following = cron.find_next_occurrence(&tick, false).ok();
        let tick = tick.with_timezone(&Utc);
        // The jitter stays inside the slot, so that a source's due times are a slot apart.
        let slot_ms = following
            .map(|f| (f.with_timezone(&Utc) - tick).num_milliseconds())
            .unwrap_or(i64::MAX);
        let jitter_ms = i64::try_from(jitter_s.saturating_mul(1000))
            .unwrap_or(i64::MAX)
            .min(slot_ms);
        let offset = if jitter_ms > 0 {
            i64::try_from(slot.jitter_seed % u64::try_from(jitter_ms).unwrap_or(1)).unwrap_or(0)
        } else {
            0
        };
        let at = tick.timestamp_millis().saturating_add(offset);
        self.due.insert((at, slot.name.clone()), tick);
        self.keys.insert(slot.name.clone(), at);
        Ok(Some(tick))
    }
}

fn parse_cron(schedule: &str) -> Result<croner::Cron, croner::errors::CronError> {
    use croner::parser::{CronParser, Seconds};
    CronParser::builder()
        .seconds(Seconds::Required)
        .dom_and_dow(true)
        .build()
        .parse(schedule)
}

/// The host whose sources run one at a time.
fn host_of(src: &SourceConfig) -> String {
    url::Url::parse(&src.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_else(|| src.base_url.clone())
}

impl Shared {
    /// One pass of the dispatch job: every source whose due time passed is handed to the queue
    /// (or counted as skipped) and its next tick entered; skips are written to `sources`.
    async fn dispatch(self: &Arc<Self>) {
        self.heartbeat
            .store(Utc::now().timestamp(), std::sync::atomic::Ordering::SeqCst);
        if *self.cancel.borrow() {
            return;
        }
        let now = Utc::now();
        let jitter_s = lock(&self.schedule).jitter_s;
        let mut fired = Vec::new();
        {
            let slots = lock(&self.slots);
            let mut table = lock(&self.timetable);
            while let Some(entry) = table.due.first_entry() {
                if entry.key().0 > now.timestamp_millis() {
                    break;
                }
                let ((_, name), tick) = entry.remove_entry();
                table.keys.remove(&name);
                let Some(slot) = slots.get(&name) else {
                    continue;
                };
                let src = lock(&slot.source).clone();
                if let Err(e) = table.plan(slot, &src, now.max(tick), jitter_s) {
                    tracing::error!(source = %name, "{e}");
                }
                fired.push((Arc::clone(slot), tick));
            }
        }
        for (slot, tick) in fired {
            self.due(&slot, Some(tick), Trigger::Tick);
        }
        let skips = std::mem::take(&mut *lock(&self.skips));
        if !skips.is_empty() {
            if let Err(e) = self.crawler.store().record_skips(&skips).await {
                tracing::warn!(
                    "cannot record {} skipped run(s) in sources (they are in the log and \
                     chiso_runs_skipped_total): {e}",
                    skips.len()
                );
            }
        }
    }

    /// A run of `slot` is due (for the slot opened by `tick`, or right now at start): queue it
    /// unless it is queued or running already. A tick first closes the previous slot: when no
    /// run started in it, that slot is counted as skipped. Returns whether a run was queued.
    fn due(&self, slot: &Arc<Slot>, tick: Option<DateTime<Utc>>, trigger: Trigger) -> bool {
        if *self.cancel.borrow() {
            return false;
        }
        let mut st = lock(&slot.state);
        if let (Some(tick), Some((open, ran))) = (tick, st.pending) {
            if open < tick {
                st.pending = None;
                if !ran {
                    let reason = match st.phase {
                        Phase::Running => SkipReason::Running,
                        Phase::Queued => SkipReason::Queued,
                        // Idle with a slot unserved: its run was not queued again because the
                        // source started backing off.
                        Phase::Idle => SkipReason::Backoff,
                    };
                    self.skip(slot, reason, open);
                }
            }
        }
        let backing_off = lock(&slot.not_before).is_some_and(|t| Instant::now() < t);
        if backing_off {
            if let Some(tick) = tick {
                self.skip(slot, SkipReason::Backoff, tick);
            }
            return false;
        }
        if let Some(tick) = tick {
            // A run that started late, in this tick's slot, already serves it.
            if st.served.is_some_and(|s| s >= tick) {
                return false;
            }
            st.pending = Some((tick, false));
        }
        match st.phase {
            Phase::Idle => {
                st.phase = Phase::Queued;
                st.trigger = trigger;
                drop(st);
                let host = lock(&slot.host).clone();
                self.queue.push(&host, Arc::clone(slot));
                true
            }
            // The queued run serves this slot when it starts.
            Phase::Queued => false,
            Phase::Running => {
                st.again = true;
                false
            }
        }
    }

    /// Counts a slot in which no run started: log line, metrics, and `sources` at the next
    /// dispatch.
    fn skip(&self, slot: &Slot, reason: SkipReason, open: DateTime<Utc>) {
        self.metrics.record_skip(&slot.name, reason.as_str());
        let at = open
            .with_timezone(&crate::scrape::vietnam())
            .format("%Y-%m-%d %H:%M:%S %:z")
            .to_string();
        if reason == SkipReason::Backoff {
            tracing::info!(source = %slot.name, reason = reason.as_str(), slot = %at, "{}", reason.describe());
        } else {
            tracing::warn!(
                source = %slot.name,
                reason = reason.as_str(),
                slot = %at,
                queued = self.queue.len(),
                "{}",
                reason.describe()
            );
        }
        lock(&self.skips).push(RunSkip {
            source: slot.name.clone(),
            reason: reason.as_str().to_string(),
            at: open,
        });
    }

    /// Gives freed heap back to the system once a burst of runs is over (no run in flight,
    /// nothing queued), at most every [`TRIM_EVERY`], and after the crawl at start.
    ///
    /// The burst's HTTP connections stay in the client's pool until it closes them, up to two
    /// [`POOL_IDLE_TIMEOUT`](crate::fetch::POOL_IDLE_TIMEOUT) periods later (about 12 KB each:
    /// buffers and a channel, most of an idle daemon's heap at thousands of hosts), so the heap
    /// is trimmed once more after that when nothing has started meanwhile.
    fn maybe_trim(self: &Arc<Self>, start_run_ended: bool) {
        let last_start = start_run_ended && self.start_runs.fetch_sub(1, Ordering::SeqCst) == 1;
        if !(last_start || self.is_idle()) {
            return;
        }
        let mut last = lock(&self.last_trim);
        if last_start || last.elapsed() >= TRIM_EVERY {
            *last = Instant::now();
            drop(last);
            super::notify::release_startup_memory();
            let shared = Arc::clone(self);
            tokio::spawn(async move {
                let pool_closed = crate::fetch::POOL_IDLE_TIMEOUT * 2 + Duration::from_secs(1);
                tokio::time::sleep(pool_closed).await;
                if shared.is_idle() {
                    super::notify::release_startup_memory();
                }
            });
        }
    }

    /// No run in flight and nothing queued.
    fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::SeqCst) == 0 && self.queue.len() == 0
    }
}

/// A worker: takes the next source from the queue and runs it, until shutdown.
async fn worker(shared: Arc<Shared>) {
    let mut cancel = shared.cancel.clone();
    loop {
        let (host, slot) = tokio::select! {
            next = shared.queue.pop() => next,
            _ = async { let _ = cancel.wait_for(|c| *c).await; } => return,
        };
        let trigger = {
            let mut st = lock(&slot.state);
            st.phase = Phase::Running;
            st.trigger
        };
        shared.in_flight.fetch_add(1, Ordering::SeqCst);
        run(&slot, &shared, trigger).await;
        let again = {
            let mut st = lock(&slot.state);
            st.phase = Phase::Idle;
            std::mem::take(&mut st.again)
        };
        shared.queue.done(&host);
        shared.in_flight.fetch_sub(1, Ordering::SeqCst);
        shared.drained.notify_waiters();
        if again {
            // The slot skipped while it ran is run now, unless this run already served it.
            let schedule = lock(&slot.source).schedule.clone();
            let backing_off = lock(&slot.not_before).is_some_and(|t| Instant::now() < t);
            if let Some(current) = super::lease::slot_at(&schedule, Utc::now()) {
                if !backing_off {
                    shared.due(&slot, Some(current.start), Trigger::Tick);
                }
            }
        }
        shared.maybe_trim(trigger == Trigger::Start);
    }
}

/// One run of one source: lease (for the slot open now), crawl, backoff.
async fn run(slot: &Slot, shared: &Shared, trigger: Trigger) {
    if *shared.cancel.borrow() {
        return;
    }
    let source = lock(&slot.source).clone();
    let window = super::lease::slot_at(&source.schedule, Utc::now());
    {
        let mut st = lock(&slot.state);
        st.served = window.map(|w| w.start);
        if let (Some((open, ran)), Some(w)) = (st.pending.as_mut(), window) {
            if *open == w.start {
                *ran = true;
            }
        }
    }
    let (base_s, lease_s) = {
        let s = lock(&shared.schedule);
        (s.backoff_base_s, s.lease_s)
    };
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

/// Failure backoff and metrics after a run.
fn record(slot: &Slot, shared: &Shared, source: &SourceConfig, base_s: u64, report: &SourceReport) {
    let failures = if report.stats.status == "failed" {
        let n = slot.failures.fetch_add(1, Ordering::SeqCst) + 1;
        let delay = backoff(base_s, n);
        *lock(&slot.not_before) = Some(Instant::now() + delay);
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
        *lock(&slot.not_before) = None;
        0
    };
    shared.metrics.record_run(report, failures);
}

/// `base_s` doubled for each consecutive failure after the first, capped at a day.
fn backoff(base_s: u64, failures: u64) -> Duration {
    let exp = failures.saturating_sub(1).min(20) as u32;
    Duration::from_secs(base_s.saturating_mul(1u64 << exp)).min(MAX_BACKOFF)
}

/// A number fixed per source for this process (different between processes, so that instances
/// sharing a database do not all come at the same second), without a random number generator
/// dependency: the source's offset into each slot is this modulo the jitter.
fn jitter_seed(source: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    static KEYS: std::sync::OnceLock<std::collections::hash_map::RandomState> =
        std::sync::OnceLock::new();
    let mut h = KEYS
        .get_or_init(std::collections::hash_map::RandomState::new)
        .build_hasher();
    h.write(source.as_bytes());
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::{backoff, jitter_seed, MAX_BACKOFF};
    use std::time::Duration;

    #[test]
    fn jitter_seed_is_fixed_per_source() {
        assert_eq!(jitter_seed("baohatinh"), jitter_seed("baohatinh"));
        assert_ne!(jitter_seed("baohatinh"), jitter_seed("baonghean"));
    }

    #[test]
    fn backoff_doubles_and_caps_at_a_day() {
        assert_eq!(backoff(60, 1), Duration::from_secs(60));
        assert_eq!(backoff(60, 2), Duration::from_secs(120));
        assert_eq!(backoff(60, 5), Duration::from_secs(960));
        assert_eq!(backoff(60, 40), MAX_BACKOFF);
    }
}
