//! Alerts: tell people when a new report appears, reliably.
//!
//! The flow: when the crawler saves an article, [`outbox_rows`] decides which channels want it
//! and the store writes those rows in the article's transaction (an outbox, so a crash loses
//! nothing). The dispatcher ([`dispatch_once`], [`run_dispatcher`]) claims due rows with a lease,
//! delivers them (`channel` parses the Apprise-style URLs, `send` and `mail` speak to the
//! services, `format` writes the messages) and retries with backoff. [`atom_feed`] serves the
//! same reports to feed readers.

mod channel;
mod dispatch;
mod feed;
mod format;
mod mail;
mod payload;
mod send;

pub use crate::store::{AlertListing, FeedEntry, OutboxAlert};
pub use channel::{ChannelError, MailTarget, MailTls, Target};
pub use dispatch::{
    dispatch_with, http_client, DispatchOptions, DispatchReport, DEFAULT_BACKOFF_BASE,
    DEFAULT_BACKOFF_CAP, DEFAULT_MAX_ATTEMPTS,
};
pub use feed::atom_feed;
pub use format::{fact_line, message, vn_number, vn_quantity, Flavor, Limit};
pub use payload::{areas_of, channel_name, dedupe_key, wants, AlertPayload};
pub use send::{
    deliver, signature, webhook_body, Delivery, SendError, EVENT_HEADER, IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
};

use crate::config::{Config, SourceConfig};
use crate::extract::Fact;
use crate::store::{NewAlert, NewArticle, Store};
use std::sync::Arc;
use std::time::Duration;

/// How often the daemon's dispatcher looks for due alerts.
pub const DISPATCH_INTERVAL: Duration = Duration::from_secs(5);

/// The outbox rows for an article about to be saved: one per matching channel and event.
/// Rows with event "new" are stored by the store only when the article is new; rows with event
/// "updated" only when it was updated (content changed) — and only for channels with
/// `updates = true`. The dedupe key hashes the channel, the URL and the facts, so an "updated"
/// row whose facts did not change collides with the earlier row and is dropped.
pub fn outbox_rows(
    config: &Config,
    source: &SourceConfig,
    article: &NewArticle,
    facts: &[Fact],
) -> Vec<NewAlert> {
    let mut rows = Vec::new();
    for alert in &config.alerts {
        if !wants(alert, &source.province, article.title.as_deref(), facts) {
            continue;
        }
        let channel = channel_name(alert);
        let key = dedupe_key(&channel, &article.url, facts);
        let events: &[&str] = if alert.updates {
            &["new", "updated"]
        } else {
            &["new"]
        };
        for event in events {
            let payload = AlertPayload {
                event: (*event).to_string(),
                source: source.name.clone(),
                province: source.province.clone(),
                url: article.url.clone(),
                title: article.title.clone(),
                published_at: article.published_at,
                areas: areas_of(facts),
                facts: facts.to_vec(),
            };
            // Serialising plain strings and numbers cannot fail; skip the row if it ever does.
            let Ok(json) = serde_json::to_string(&payload) else {
                continue;
            };
            rows.push(NewAlert {
                channel: channel.clone(),
                event: (*event).to_string(),
                dedupe_key: key.clone(),
                payload: json,
            });
        }
    }
    rows
}

/// Delivers due alerts once (claims them with a lease so that several instances never send one
/// alert twice; on PostgreSQL with FOR UPDATE SKIP LOCKED), retries with exponential backoff,
/// marks failed after the last attempt. Returns counts.
pub async fn dispatch_once(
    store: &dyn Store,
    config: &Config,
    instance: &str,
) -> anyhow::Result<DispatchReport> {
    dispatch_with(
        store,
        config,
        instance,
        &DispatchOptions::from_config(config),
    )
    .await
}

/// The daemon's dispatcher loop (every [`DISPATCH_INTERVAL`]) until `cancel` turns true. A
/// failing pass (database down) is logged and retried on the next tick; it never ends the loop.
/// Each pass uses the latest configuration sent on `config` (the daemon sends a new one on
/// SIGHUP), so changed channels and filters apply from the next pass.
pub async fn run_dispatcher(
    store: Arc<dyn Store>,
    config: tokio::sync::watch::Receiver<Arc<Config>>,
    instance: String,
    mut cancel: tokio::sync::watch::Receiver<bool>,
) {
    if config.borrow().alerts.is_empty() {
        tracing::debug!("no alert channels configured; dispatcher idle");
    }
    loop {
        if *cancel.borrow() {
            break;
        }
        let config = Arc::clone(&config.borrow());
        match dispatch_once(store.as_ref(), &config, &instance).await {
            Ok(r) if r.claimed > 0 => tracing::info!(
                sent = r.sent,
                retried = r.retried,
                failed = r.failed,
                lost = r.lost,
                "alert dispatch pass"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "alert dispatch pass failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(DISPATCH_INTERVAL) => {}
            changed = cancel.changed() => {
                if changed.is_err() {
                    break;
                }
            }
        }
    }
}
