//! The work queue between the dispatcher and the workers: sources due to run wait here until a
//! worker is free, each at most once.
//!
//! Sources are grouped by host (of their `base_url`), and a host has at most one run in flight:
//! the hosts with waiting sources and no run take turns (round robin), and the sources of one
//! host run one after another in the order they became due. So a provincial portal that hosts
//! every commune's page under one domain gets its sources served in turn, at the fetcher's
//! per-host pace, while the workers serve the other hosts instead of all waiting on that one
//! host's politeness interval.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use tokio::sync::Notify;

/// A FIFO per host, hosts served in turn. `T` is what a worker runs (a source's slot).
pub(crate) struct HostQueue<T> {
    inner: Mutex<Inner<T>>,
    ready: Notify,
}

struct Inner<T> {
    /// Waiting items of each host, in the order they were pushed.
    waiting: HashMap<String, VecDeque<T>>,
    /// Hosts with waiting items and no run in flight, in turn order.
    turn: VecDeque<String>,
    /// Hosts with a run in flight.
    busy: HashSet<String>,
    /// Items waiting in all.
    len: usize,
}

impl<T> Default for HostQueue<T> {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                waiting: HashMap::new(),
                turn: VecDeque::new(),
                busy: HashSet::new(),
                len: 0,
            }),
            ready: Notify::new(),
        }
    }
}

impl<T> HostQueue<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<T>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends an item for `host` and wakes a worker when the host can run now.
    pub(crate) fn push(&self, host: &str, item: T) {
        let wake = {
            let mut q = self.lock();
            q.len += 1;
            let list = q.waiting.entry(host.to_string()).or_default();
            list.push_back(item);
            let first = list.len() == 1;
            if first && !q.busy.contains(host) {
                q.turn.push_back(host.to_string());
                true
            } else {
                false
            }
        };
        if wake {
            self.ready.notify_one();
        }
    }

    /// The next item whose host has no run in flight, marking that host busy until
    /// [`HostQueue::done`]; `None` when there is none now.
    pub(crate) fn try_pop(&self) -> Option<(String, T)> {
        let mut q = self.lock();
        let host = q.turn.pop_front()?;
        let (item, empty) = {
            let list = q.waiting.get_mut(&host)?;
            let item = list.pop_front()?;
            (item, list.is_empty())
        };
        if empty {
            q.waiting.remove(&host);
        }
        q.len -= 1;
        q.busy.insert(host.clone());
        Some((host, item))
    }

    /// Waits for the next item (see [`HostQueue::try_pop`]).
    pub(crate) async fn pop(&self) -> (String, T) {
        loop {
            if let Some(next) = self.try_pop() {
                return next;
            }
            self.ready.notified().await;
        }
    }

    /// Ends the run of `host`: its next waiting item, if any, takes its turn after the hosts
    /// already waiting.
    pub(crate) fn done(&self, host: &str) {
        let wake = {
            let mut q = self.lock();
            q.busy.remove(host);
            if q.waiting.contains_key(host) {
                q.turn.push_back(host.to_string());
                true
            } else {
                false
            }
        };
        if wake {
            self.ready.notify_one();
        }
    }

    /// Items waiting.
    pub(crate) fn len(&self) -> usize {
        self.lock().len
    }
}

#[cfg(test)]
mod tests {
    use super::HostQueue;

    #[test]
    fn one_run_per_host_and_hosts_take_turns() {
        let q = HostQueue::default();
        for i in 0..3 {
            q.push("portal.vn", format!("commune{i}"));
        }
        q.push("a.vn", "a".to_string());
        q.push("b.vn", "b".to_string());
        assert_eq!(q.len(), 5);
        // The portal's first source, then the other hosts: the portal is busy.
        assert_eq!(q.try_pop().unwrap().1, "commune0");
        assert_eq!(q.try_pop().unwrap().1, "a");
        assert_eq!(q.try_pop().unwrap().1, "b");
        assert!(q.try_pop().is_none(), "the portal has a run in flight");
        q.done("a.vn");
        assert!(q.try_pop().is_none());
        // The portal's sources run one after the other, in the order they became due.
        q.done("portal.vn");
        assert_eq!(q.try_pop().unwrap().1, "commune1");
        q.push("a.vn", "a again".to_string());
        q.done("portal.vn");
        assert_eq!(q.try_pop().unwrap().1, "a again");
        assert_eq!(q.try_pop().unwrap().1, "commune2");
        assert_eq!(q.len(), 0);
    }
}
