//! `chiso backfill`: the history of a source over a date range, on day one.
//!
//! A walk reads the source's feeds, every child of its sitemap indexes that may hold the range
//! (children whose `lastmod` is before the range, or whose file name dates them outside it, are
//! skipped unread), its optional day/month archive pages (`archive_url`), and its paginated
//! listings as deep as the range needs (until the dates a page shows pass `--since`), whatever
//! `max_listing_pages` says. It fetches only the article pages that may be published in the range
//! and are not stored yet, and stores those whose publication day in Asia/Ho_Chi_Minh is in the
//! range, with their facts, through the crawl's scrape and extract stages; no alert rows unless
//! asked.
//!
//! Politeness: the same [`Fetcher`] as `crawl` (per-host interval, robots.txt, retries), a
//! per-host hourly budget, and the source's lease (the one `chiso run` and `crawl --once` take)
//! held and renewed for the whole walk, so that a daemon on the same database skips the source
//! meanwhile instead of doubling its requests.
//!
//! Resumable: every document read to the end is recorded in `backfill_progress`, every article
//! page fetched and left out of the range in `backfill_skipped`, and stored articles are known by
//! URL: a walk killed at any point and started again fetches none of those again.
//!
//! Layout: `walk` (documents and the per-article decision), `article` (fetch → scrape → extract
//! → store of one page), `budget` (requests per host and hour), `progress` (bar or log lines).

mod article;
mod budget;
mod progress;
mod walk;

pub use progress::Progress;
pub use walk::{verdict, Item, Verdict};

use crate::config::{Config, SourceConfig};
use crate::extract::Extractor;
use crate::fetch::Fetcher;
use crate::store::{Claim, LeaseRequest, Store};
use budget::HourBudget;
use chrono::{NaiveDate, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// An inclusive range of publication days in Asia/Ho_Chi_Minh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    /// First day.
    pub since: NaiveDate,
    /// Last day.
    pub until: NaiveDate,
}

impl DayRange {
    /// Whether `day` is in the range.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.since <= day && day <= self.until
    }
}

/// What a backfill is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The publication days to fill.
    pub range: DayRange,
    /// Write alert rows for the stored articles, as a crawl would.
    pub alerts: bool,
    /// Read feeds, sitemaps and listings only, and count the range's articles per month.
    pub dry_run: bool,
}

/// What the backfill of one source did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The source.
    pub source: String,
    /// Feeds, sitemaps, listing and archive pages read.
    pub pages: u64,
    /// Documents not read: recorded as done by an earlier run, or dated outside the range.
    pub pages_skipped: u64,
    /// Article pages fetched.
    pub fetched: u64,
    /// Articles stored new.
    pub stored: u64,
    /// Facts stored with them.
    pub facts: u64,
    /// Article links already stored: not fetched.
    pub known: u64,
    /// Article links dated outside the range by their listing or sitemap, or set aside by an
    /// earlier run: not fetched.
    pub out_of_range: u64,
    /// Article pages fetched and not stored: published outside the range, or without a date.
    pub set_aside: u64,
    /// Pages that failed (fetch, parse, too short, store); the next run tries them again.
    pub errors: u64,
    /// The first errors, for the summary.
    pub messages: Vec<String>,
    /// `--dry-run`: articles of the range per month (`YYYY-MM`), from the dates the feeds,
    /// sitemaps and listings give.
    pub months: BTreeMap<String, u64>,
    /// `--dry-run`: links that may be in the range but carry no date.
    pub undated: u64,
    /// Wall time.
    pub seconds: f64,
    /// Stopped by Ctrl-C before the end.
    pub interrupted: bool,
}

/// Errors kept in a report's messages.
const MESSAGES: usize = 3;

impl Report {
    fn error(&mut self, message: String) {
        self.errors += 1;
        if self.messages.len() < MESSAGES {
            self.messages.push(message);
        }
    }
}

/// Pause between two claims of a lease another instance holds.
const LEASE_WAIT: Duration = Duration::from_secs(1);

/// Everything a backfill needs, shared by the sources of one command.
pub struct Backfiller {
    config: Arc<Config>,
    store: Arc<dyn Store>,
    fetcher: Fetcher,
    extractor: Extractor<'static>,
    instance: String,
    budget: HourBudget,
}

impl Backfiller {
    /// Builds the HTTP client and the extractor; `max_requests_per_hour` (0: no bound) caps the
    /// requests to one host in any hour.
    pub fn new(
        config: &Config,
        store: Arc<dyn Store>,
        max_requests_per_hour: u32,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            config: Arc::new(config.clone()),
            fetcher: Fetcher::new(&config.http)?,
            extractor: crate::app::extractor_for(config)?,
            store,
            instance: crate::store::instance_name(),
            budget: HourBudget::new(max_requests_per_hour),
        })
    }

    /// The HTTP client (its counters feed tests).
    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// Backfills one source under its lease: waits while another instance holds it, renews it
    /// every third of `[schedule] lease_s`, stops between pages when it is lost or on Ctrl-C,
    /// gives it back at the end.
    pub async fn backfill(
        &self,
        src: &SourceConfig,
        opts: &Options,
        progress: &Progress,
    ) -> anyhow::Result<Report> {
        let started = Instant::now();
        let lease = Duration::from_secs(self.config.schedule.lease_s.max(3));
        let length = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60));
        let mut told = false;
        loop {
            let now = Utc::now();
            let req = LeaseRequest {
                source: &src.name,
                instance: &self.instance,
                now,
                slot_start: None,
                lease_until: now + length,
                next_run_at: None,
            };
            match self.store.claim_source(&req).await? {
                Claim::Claimed { .. } => break,
                Claim::Unknown => anyhow::bail!("source {:?} is not in the database", src.name),
                Claim::Leased { owner, until } => {
                    if !told {
                        tracing::info!(
                            source = %src.name,
                            %owner,
                            until = %until,
                            "another instance is crawling this source: waiting for its lease"
                        );
                        told = true;
                    }
                }
                Claim::Busy | Claim::Done { .. } => {}
            }
            tokio::time::sleep(LEASE_WAIT).await;
        }

        let (stop_tx, stop_rx) = watch::channel(false);
        let walk = walk::run(self, src, opts, progress, stop_rx);
        tokio::pin!(walk);
        let every = lease / 3;
        let mut renew = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut lost = false;
        let mut interrupted = false;
        let result = loop {
            tokio::select! {
                r = &mut walk => break r,
                // Ctrl-C: stop between two pages, give the lease back, report what was done.
                _ = tokio::signal::ctrl_c(), if !interrupted => {
                    tracing::warn!(source = %src.name, "interrupted: stopping after the page in hand");
                    interrupted = true;
                    let _ = stop_tx.send(true);
                }
                _ = renew.tick() => {
                    let until = Utc::now() + length;
                    match self.store.renew_source_lease(&src.name, &self.instance, until).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(source = %src.name, "lease lost to another instance: stopping the backfill");
                            lost = true;
                            let _ = stop_tx.send(true);
                        }
                        Err(e) => tracing::warn!(source = %src.name, "cannot renew the lease: {e}"),
                    }
                }
            }
        };
        if !lost {
            if let Err(e) = self
                .store
                .release_source_lease(&src.name, &self.instance)
                .await
            {
                tracing::warn!(source = %src.name, "cannot give the lease back: {e}");
            }
        }
        let mut report = result?;
        if lost {
            report.error("stopped: the source's lease was taken by another instance".into());
        }
        if interrupted {
            report.interrupted = true;
            report.error("interrupted (Ctrl-C): the same command continues".into());
        }
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }
}
