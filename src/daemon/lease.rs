//! Runs of a source under a lease, so that several instances sharing one database split the
//! sources instead of crawling each twice.
//!
//! Before crawling, an instance claims the source's row in `sources` (see `store::leases`): for a
//! scheduled tick, the claim names the slot that tick opens, and fails when another instance holds
//! a live lease or already started a run in that slot. While the crawl runs, the lease is renewed
//! every third of its length; when a renewal finds the lease gone (this instance stalled longer
//! than the lease and another took the source over) or cannot reach the database until the lease
//! runs out, the crawl is stopped between pages. The lease is given back when the crawl ends; an
//! instance killed mid-crawl keeps it until it expires, then any instance takes the source over.
//! A claim that fails (database down) skips the run: crawling without a lease could double it.

use crate::config::SourceConfig;
use crate::crawl::{Crawler, SourceReport};
use crate::store::{Claim, LeaseRequest};
use chrono::{DateTime, Utc};
use std::time::Duration;
use tokio::sync::watch;

/// One slot of a source's schedule: from the tick that opened it to the next tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    /// The tick that opened the slot (at or before now).
    pub start: DateTime<Utc>,
    /// The next tick.
    pub next: Option<DateTime<Utc>>,
}

/// The slot of `schedule` (a six-field cron expression, evaluated in Asia/Ho_Chi_Minh like the
/// scheduler) that contains `now`; `None` when the expression has no earlier tick.
pub(crate) fn slot_at(schedule: &str, now: DateTime<Utc>) -> Option<Slot> {
    use croner::parser::{CronParser, Seconds};
    let cron = CronParser::builder()
        .seconds(Seconds::Required)
        .dom_and_dow(true)
        .build()
        .parse(schedule)
        .ok()?;
    // Schedules count whole seconds; croner keeps the fraction of an inclusive match, which
    // would start the slot at `now` itself.
    use chrono::Timelike;
    let now = now.with_nanosecond(0).unwrap_or(now);
    let local = now.with_timezone(&crate::scrape::vietnam());
    let start = cron.find_previous_occurrence(&local, true).ok()?;
    let next = cron.find_next_occurrence(&local, false).ok();
    Some(Slot {
        start: start.with_timezone(&Utc),
        next: next.map(|n| n.with_timezone(&Utc)),
    })
}

/// Why a source was not crawled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotRun {
    /// Another instance has it (or it is not an enabled source).
    Refused(Claim),
    /// The claim itself failed (database unreachable or locked too long): the run is skipped
    /// rather than risk a second instance crawling the same slot.
    NoClaim(String),
}

impl NotRun {
    /// Whether asking again soon may succeed.
    pub(crate) fn is_transient(&self) -> bool {
        matches!(self, NotRun::Refused(Claim::Busy) | NotRun::NoClaim(_))
    }
}

/// Claims `source` (for `slot`, or regardless of slots when `None`), crawls it while renewing
/// the lease, and gives the lease back. Says why when it did not crawl.
pub(crate) async fn crawl_leased(
    crawler: &Crawler,
    source: &SourceConfig,
    slot: Option<Slot>,
    lease: Duration,
    cancel: watch::Receiver<bool>,
) -> Result<SourceReport, NotRun> {
    let store = crawler.store();
    let instance = crawler.instance();
    let length = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60));
    let now = Utc::now();
    let req = LeaseRequest {
        source: &source.name,
        instance,
        now,
        slot_start: slot.map(|s| s.start),
        lease_until: now + length,
        next_run_at: slot.and_then(|s| s.next),
    };
    match store.claim_source(&req).await {
        Ok(Claim::Claimed { took_over_from }) => {
            if let Some(dead) = took_over_from {
                tracing::warn!(
                    source = %source.name,
                    previous = %dead,
                    "lease of a stopped instance expired: source taken over"
                );
            }
        }
        Ok(refused) => return Err(NotRun::Refused(refused)),
        Err(e) => {
            tracing::error!(source = %source.name, "cannot claim the source's lease: {e}");
            return Err(NotRun::NoClaim(e.to_string()));
        }
    }

    let (stop_tx, stop_rx) = watch::channel(false);
    let crawl = crawler.crawl_source(source, stop_rx);
    tokio::pin!(crawl);
    let every = lease / 3;
    let mut renew = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut held_until = req.lease_until;
    let mut outer = cancel.clone();
    let mut stopping = false;
    let report = loop {
        tokio::select! {
            report = &mut crawl => break report,
            _ = renew.tick() => {
                let until = Utc::now() + length;
                match store.renew_source_lease(&source.name, instance, until).await {
                    Ok(true) => held_until = until,
                    Ok(false) => {
                        tracing::warn!(source = %source.name, "lease lost to another instance: stopping this run");
                        stopping = true;
                        let _ = stop_tx.send(true);
                    }
                    Err(e) => {
                        tracing::warn!(source = %source.name, "cannot renew the lease: {e}");
                        if Utc::now() + chrono::Duration::from_std(every).unwrap_or_default() >= held_until {
                            tracing::warn!(source = %source.name, "lease about to expire unrenewed: stopping this run");
                            stopping = true;
                            let _ = stop_tx.send(true);
                        }
                    }
                }
            }
            // `wait_for` yields a borrow guard; dropping it inside keeps this future `Send`.
            _ = async { let _ = outer.wait_for(|c| *c).await; }, if !stopping => {
                stopping = true;
                let _ = stop_tx.send(true);
            }
        }
    };
    if let Err(e) = store.release_source_lease(&source.name, instance).await {
        tracing::warn!(source = %source.name, "cannot give the lease back (it expires by itself): {e}");
    }
    Ok(report)
}

/// Why a source was not crawled, in words, for the log and `crawl --once`.
pub(crate) fn describe(not_run: &NotRun) -> String {
    match not_run {
        NotRun::Refused(claim) => describe_claim(claim),
        NotRun::NoClaim(e) => format!("its lease could not be claimed: {e}"),
    }
}

fn describe_claim(claim: &Claim) -> String {
    let t = |t: &DateTime<Utc>| {
        t.with_timezone(&crate::scrape::vietnam())
            .format("%H:%M:%S")
            .to_string()
    };
    match claim {
        Claim::Claimed { .. } => "claimed".into(),
        Claim::Leased { owner, until } => {
            format!("leased by {owner} until {}", t(until))
        }
        Claim::Done { at } => format!("this slot's run already started at {}", t(at)),
        Claim::Busy => "its row is locked by another instance (claiming or updating it)".into(),
        Claim::Unknown => "not an enabled source in the database".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::slot_at;
    use chrono::{TimeZone, Utc};

    #[test]
    fn slot_of_a_ten_second_schedule() {
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 8, 0, 17).unwrap();
        let s = slot_at("*/10 * * * * *", now).unwrap();
        assert_eq!(
            s.start,
            Utc.with_ymd_and_hms(2026, 12, 5, 8, 0, 10).unwrap()
        );
        assert_eq!(
            s.next,
            Some(Utc.with_ymd_and_hms(2026, 12, 5, 8, 0, 20).unwrap())
        );
        // Within a second that opens a slot, the slot is that second's.
        let after = Utc.with_ymd_and_hms(2026, 12, 5, 8, 0, 20).unwrap()
            + chrono::Duration::milliseconds(957);
        assert_eq!(
            slot_at("*/10 * * * * *", after).unwrap().start,
            Utc.with_ymd_and_hms(2026, 12, 5, 8, 0, 20).unwrap()
        );
        // A tick fired exactly on time opens its own slot.
        let on_time = Utc.with_ymd_and_hms(2026, 12, 5, 8, 0, 20).unwrap();
        assert_eq!(slot_at("*/10 * * * * *", on_time).unwrap().start, on_time);
    }

    #[test]
    fn slot_in_vietnam_time() {
        // 07:00 in Vietnam is midnight UTC.
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 3, 0, 0).unwrap();
        let s = slot_at("0 0 7 * * *", now).unwrap();
        assert_eq!(s.start, Utc.with_ymd_and_hms(2026, 12, 5, 0, 0, 0).unwrap());
    }
}
