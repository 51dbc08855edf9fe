//! The dispatcher: claims due alerts with a lease, delivers them, and records the outcome with
//! capped exponential backoff; an alert that fails its last attempt is marked `failed`.
//!
//! Exactly-once per channel, as far as a receiver can see it: an alert is marked `sent` right
//! after the receiver acknowledged it, one alert at a time, and its lease is renewed just before
//! it is sent so that a lease taken over by another instance is never sent twice. The remaining
//! window (a crash between the acknowledgement and the `sent` write) is covered by the
//! `Idempotency-Key` header and the mail `Message-ID`, both the dedupe key.

use super::channel::Target;
use super::send::{self, Delivery, SendError};
use super::AlertPayload;
use super::OutboxAlert;
use crate::config::{AlertConfig, Config};
use crate::store::Store;
use chrono::Utc;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

/// Attempts before an alert is marked `failed`.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;
/// Wait after the first failed attempt; doubled after each further one.
pub const DEFAULT_BACKOFF_BASE: Duration = Duration::from_secs(30);
/// Longest wait between two attempts.
pub const DEFAULT_BACKOFF_CAP: Duration = Duration::from_secs(3600);
/// Alerts claimed per query.
pub const DEFAULT_BATCH: i64 = 32;
/// Added to the send timeout to make a lease: a lease outlives any one delivery.
pub const LEASE_MARGIN: Duration = Duration::from_secs(30);

/// How the dispatcher retries and claims; [`DispatchOptions::from_config`] gives the defaults.
#[derive(Debug, Clone)]
pub struct DispatchOptions {
    /// Alerts claimed per query.
    pub batch: i64,
    /// Attempts before `failed`.
    pub max_attempts: u32,
    /// First backoff.
    pub backoff_base: Duration,
    /// Longest backoff.
    pub backoff_cap: Duration,
    /// Time allowed for one HTTP request.
    pub timeout: Duration,
}

impl DispatchOptions {
    /// The defaults, with the HTTP timeout and user agent of `[http]`.
    pub fn from_config(config: &Config) -> Self {
        DispatchOptions {
            batch: DEFAULT_BATCH,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            backoff_base: DEFAULT_BACKOFF_BASE,
            backoff_cap: DEFAULT_BACKOFF_CAP,
            timeout: Duration::from_secs(config.http.timeout_s.max(1)),
        }
    }

    /// The wait after the `attempts`-th failed attempt (1-based): base·2^(attempts−1), capped.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(30));
        self.backoff_base
            .saturating_mul(factor)
            .min(self.backoff_cap)
            .max(Duration::from_millis(1))
    }
}

/// What one dispatch pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DispatchReport {
    /// Alerts claimed.
    pub claimed: usize,
    /// Acknowledged by their receiver.
    pub sent: usize,
    /// Failed, to be retried later.
    pub retried: usize,
    /// Failed for good (last attempt, or an error retrying cannot fix).
    pub failed: usize,
    /// Taken over by another instance before they were sent (not sent here).
    pub lost: usize,
}

/// A configured channel as the dispatcher uses it.
struct Channel<'a> {
    config: &'a AlertConfig,
    target: Result<Target, String>,
}

/// The HTTP client of the dispatcher: the configured user agent and timeout.
pub fn http_client(config: &Config, timeout: Duration) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .user_agent(config.http.user_agent.clone())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .build()?)
}

/// One pass: claims and delivers every alert due now, in batches, with explicit options.
pub async fn dispatch_with(
    store: &dyn Store,
    config: &Config,
    instance: &str,
    opts: &DispatchOptions,
) -> anyhow::Result<DispatchReport> {
    let channels: HashMap<String, Channel<'_>> = config
        .alerts
        .iter()
        .map(|a| {
            (
                super::channel_name(a),
                Channel {
                    config: a,
                    target: Target::parse(&a.url).map_err(|e| e.to_string()),
                },
            )
        })
        .collect();
    let client = http_client(config, opts.timeout)?;
    let lease = opts.timeout.saturating_mul(2) + LEASE_MARGIN;
    let lease = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(2));
    // Alerts put back with a backoff are due after this instant, so one pass never retries one
    // alert twice.
    let pass_start = Utc::now();
    let mut report = DispatchReport::default();
    // None of this instance's alerts is in flight between passes: whatever it still leases was
    // left by a crash of an earlier process with the same name.
    let released = store.release_alert_leases(instance).await?;
    if released > 0 {
        tracing::info!(
            released,
            instance,
            "took back alerts leased before a restart"
        );
    }
    loop {
        let claimed = store
            .claim_alerts(instance, pass_start, Utc::now() + lease, opts.batch)
            .await?;
        if claimed.is_empty() {
            break;
        }
        report.claimed += claimed.len();
        // One queue per channel, the channels side by side: a slow or dead receiver delays
        // only its own alerts.
        let mut groups: Vec<Vec<OutboxAlert>> = Vec::new();
        for alert in claimed {
            match groups.iter_mut().find(|g| g[0].channel == alert.channel) {
                Some(g) => g.push(alert),
                None => groups.push(vec![alert]),
            }
        }
        let ctx = Pass {
            store,
            instance,
            opts,
            client: &client,
            channels: &channels,
            lease,
        };
        for r in join_all(groups.into_iter().map(|g| ctx.channel_queue(g)).collect()).await {
            report.add(r?);
        }
    }
    Ok(report)
}

/// What every channel queue of one claimed batch shares.
struct Pass<'a> {
    store: &'a dyn Store,
    instance: &'a str,
    opts: &'a DispatchOptions,
    client: &'a reqwest::Client,
    channels: &'a HashMap<String, Channel<'a>>,
    lease: chrono::Duration,
}

impl Pass<'_> {
    /// Delivers one channel's claimed alerts in order, recording each outcome as it comes.
    async fn channel_queue(&self, alerts: Vec<OutboxAlert>) -> anyhow::Result<DispatchReport> {
        let mut report = DispatchReport::default();
        for alert in alerts {
            if !self
                .store
                .renew_alert_lease(alert.id, self.instance, Utc::now() + self.lease)
                .await?
            {
                report.lost += 1;
                continue;
            }
            let attempts = u32::try_from(alert.attempts).unwrap_or(u32::MAX);
            let outcome = deliver_one(self.client, self.channels, &alert).await;
            match outcome {
                Ok(()) => {
                    if self
                        .store
                        .mark_alert_sent(alert.id, self.instance, Utc::now())
                        .await?
                    {
                        report.sent += 1;
                        tracing::info!(alert = alert.id, channel = %alert.channel, "alert sent");
                    } else {
                        report.lost += 1;
                    }
                }
                Err(e) => {
                    let (message, retry_at) = match &e {
                        SendError::Permanent(m) => (m.clone(), None),
                        SendError::Retryable {
                            message,
                            retry_after,
                        } => {
                            let done = attempts.saturating_add(1);
                            if done >= self.opts.max_attempts {
                                (message.clone(), None)
                            } else {
                                let wait = self.opts.backoff(done).max(
                                    retry_after.unwrap_or_default().min(self.opts.backoff_cap),
                                );
                                let wait = chrono::Duration::from_std(wait)
                                    .unwrap_or(chrono::Duration::hours(1));
                                (message.clone(), Some(Utc::now() + wait))
                            }
                        }
                    };
                    let recorded = self
                        .store
                        .mark_alert_attempt_failed(alert.id, self.instance, &message, retry_at)
                        .await?;
                    if !recorded {
                        report.lost += 1;
                    } else if retry_at.is_some() {
                        report.retried += 1;
                        tracing::warn!(alert = alert.id, channel = %alert.channel,
                            error = %message, "alert delivery failed; will retry");
                    } else {
                        report.failed += 1;
                        tracing::error!(alert = alert.id, channel = %alert.channel,
                            error = %message, "alert delivery failed for good");
                    }
                }
            }
        }
        Ok(report)
    }
}

impl DispatchReport {
    fn add(&mut self, o: DispatchReport) {
        self.claimed += o.claimed;
        self.sent += o.sent;
        self.retried += o.retried;
        self.failed += o.failed;
        self.lost += o.lost;
    }
}

/// Runs futures of one type side by side on the current task and returns their outputs (the
/// dispatcher borrows the store, so spawned `'static` tasks do not fit).
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in futures.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *slot = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

async fn deliver_one(
    client: &reqwest::Client,
    channels: &HashMap<String, Channel<'_>>,
    alert: &super::OutboxAlert,
) -> Result<(), SendError> {
    let Some(channel) = channels.get(&alert.channel) else {
        // The configuration may come back (a reload with a typo fixed): retry, then fail.
        return Err(SendError::Retryable {
            message: format!("channel {:?} is not configured", alert.channel),
            retry_after: None,
        });
    };
    let target = channel
        .target
        .as_ref()
        .map_err(|e| SendError::Permanent(e.clone()))?;
    let payload: AlertPayload = serde_json::from_str(&alert.payload)
        .map_err(|e| SendError::Permanent(format!("stored payload is not valid: {e}")))?;
    let d = Delivery {
        payload: &payload,
        channel: &alert.channel,
        dedupe_key: &alert.dedupe_key,
        secret: channel.config.secret.as_deref(),
        max_facts: usize::try_from(channel.config.max_facts).unwrap_or(usize::MAX),
    };
    send::deliver(client, target, &d).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let o = DispatchOptions {
            batch: 1,
            max_attempts: 8,
            backoff_base: Duration::from_secs(30),
            backoff_cap: Duration::from_secs(3600),
            timeout: Duration::from_secs(1),
        };
        assert_eq!(o.backoff(1), Duration::from_secs(30));
        assert_eq!(o.backoff(2), Duration::from_secs(60));
        assert_eq!(o.backoff(4), Duration::from_secs(240));
        assert_eq!(o.backoff(20), Duration::from_secs(3600));
    }
}
