//! Per-host politeness: one request at a time to a host, at least an interval apart.
//!
//! Each host has its own async mutex holding the earliest instant the next request may start.
//! A request holds its host's guard from the wait until its response has been read, so requests to
//! one host are serialised while other hosts proceed concurrently. The map of hosts is behind a
//! plain mutex that is only held to look up or insert an entry, never across an await.
//! Crawl-delay from robots.txt raises a host's interval; `Retry-After` pushes its next slot back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use tokio::time::Instant;

/// The state of one host.
#[derive(Debug)]
pub struct HostSlot {
    /// Earliest start of the next request.
    next_at: Option<Instant>,
    /// Pause between the starts of two requests (configured, or Crawl-delay when larger).
    interval: Duration,
}

/// Host-keyed limiter shared by all tasks of one `Fetcher`.
#[derive(Debug)]
pub struct HostLimiter {
    default_interval: Duration,
    hosts: Mutex<HashMap<String, Arc<AsyncMutex<HostSlot>>>>,
}

/// Permission to send one request to a host; dropping it lets the next request in.
pub struct Permit {
    guard: OwnedMutexGuard<HostSlot>,
}

impl HostLimiter {
    /// A limiter with `interval` between two requests to one host.
    pub fn new(interval: Duration) -> Self {
        Self {
            default_interval: interval,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, host: &str) -> Arc<AsyncMutex<HostSlot>> {
        let mut map = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(host.to_ascii_lowercase())
            .or_insert_with(|| {
                Arc::new(AsyncMutex::new(HostSlot {
                    next_at: None,
                    interval: self.default_interval,
                }))
            })
            .clone()
    }

    /// Waits for the host's turn, then returns a permit; the next request to this host may start
    /// one interval after now, and not before this permit is dropped.
    pub async fn acquire(&self, host: &str) -> Permit {
        let mut guard = self.slot(host).lock_owned().await;
        if let Some(at) = guard.next_at {
            tokio::time::sleep_until(at).await;
        }
        let now = Instant::now();
        guard.next_at = Some(now + guard.interval);
        Permit { guard }
    }

    /// Raises a host's interval (robots.txt Crawl-delay); never lowers it below the configured one.
    pub async fn raise_interval(&self, host: &str, interval: Duration) {
        let slot = self.slot(host);
        let mut s = slot.lock().await;
        s.interval = s.interval.max(interval).max(self.default_interval);
    }
}

impl Permit {
    /// Holds the host back for `wait` from now (a `Retry-After`), whichever is later.
    pub fn hold_for(&mut self, wait: Duration) {
        let until = Instant::now() + wait;
        let current = self.guard.next_at.unwrap_or(until);
        self.guard.next_at = Some(current.max(until));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_host_is_spaced_two_hosts_are_not() {
        let lim = HostLimiter::new(Duration::from_millis(300));
        let t0 = Instant::now();
        drop(lim.acquire("a.example").await);
        drop(lim.acquire("b.example").await);
        let t1 = Instant::now();
        drop(lim.acquire("A.example").await);
        let t2 = Instant::now();
        assert!(
            t2 >= t0 + Duration::from_millis(300),
            "same host (case-insensitive) waits"
        );
        // b.example did not wait behind a.example: its permit came before a's interval ended.
        assert!(t1 < t2);
    }

    #[tokio::test]
    async fn retry_after_and_crawl_delay_push_the_next_slot() {
        let lim = HostLimiter::new(Duration::from_millis(10));
        let t0 = Instant::now();
        let mut p = lim.acquire("h").await;
        p.hold_for(Duration::from_millis(400));
        drop(p);
        drop(lim.acquire("h").await);
        assert!(Instant::now() >= t0 + Duration::from_millis(400));
        lim.raise_interval("h", Duration::from_millis(300)).await;
        drop(lim.acquire("h").await);
        let t1 = Instant::now();
        drop(lim.acquire("h").await);
        assert!(Instant::now() >= t1 + Duration::from_millis(290));
    }
}
