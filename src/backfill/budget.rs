//! `[backfill] max_requests_per_hour`: at most so many requests to one host in any hour, on top
//! of the fetcher's `min_interval_ms` between two requests.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

const HOUR: Duration = Duration::from_secs(3600);

/// A sliding one-hour window of request start times per host.
pub(crate) struct HourBudget {
    max: usize,
    hosts: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl HourBudget {
    /// A budget of `max` requests per host and hour; 0 means no bound.
    pub(crate) fn new(max: u32) -> Self {
        Self {
            max: usize::try_from(max).unwrap_or(usize::MAX),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits until a request to `host` fits in the budget, then counts it.
    pub(crate) async fn take(&self, host: &str) {
        while let Some(wait) = self.reserve(host, Instant::now()) {
            tracing::info!(
                host,
                wait_s = wait.as_secs(),
                "max_requests_per_hour reached for this host: waiting"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Counts a request to `host` at `now` when it fits; otherwise how long to wait.
    fn reserve(&self, host: &str, now: Instant) -> Option<Duration> {
        if self.max == 0 {
            return None;
        }
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        let window = hosts.entry(host.to_string()).or_default();
        while window
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= HOUR)
        {
            window.pop_front();
        }
        if window.len() < self.max {
            window.push_back(now);
            return None;
        }
        window
            .front()
            .map(|t| (*t + HOUR).saturating_duration_since(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_over_the_budget_waits_for_the_oldest_to_leave_the_hour() {
        let budget = HourBudget::new(2);
        let t0 = Instant::now();
        assert_eq!(budget.reserve("a", t0), None);
        assert_eq!(budget.reserve("a", t0 + Duration::from_secs(600)), None);
        assert_eq!(budget.reserve("b", t0 + Duration::from_secs(600)), None);
        assert_eq!(
            budget.reserve("a", t0 + Duration::from_secs(1200)),
            Some(Duration::from_secs(2400))
        );
        assert_eq!(budget.reserve("a", t0 + HOUR), None);
        assert_eq!(HourBudget::new(0).reserve("a", t0), None);
    }
}
