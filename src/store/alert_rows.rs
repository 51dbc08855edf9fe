//! Plain structs the alert outbox reads from the store: claimed rows, listings and feed entries.
//!
//! The store owns the rows it returns (the alert code below `store` in no import); only the alert
//! code and the store's alert queries (`store/alerts.rs`) use them.

use chrono::{DateTime, FixedOffset, Utc};

/// An alert claimed for delivery: what the dispatcher needs to send it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OutboxAlert {
    /// Row id.
    pub id: i64,
    /// The article it announces.
    pub article_id: i64,
    /// Channel name (matched against the configured channels at send time).
    pub channel: String,
    /// `new` or `updated`.
    pub event: String,
    /// Sent as `Idempotency-Key`; unique per channel.
    pub dedupe_key: String,
    /// JSON `alert::AlertPayload`.
    pub payload: String,
    /// Delivery attempts made before this claim.
    pub attempts: i64,
}

/// One alert as `chiso alerts list` shows it (no payload, no secrets: channels are names).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AlertListing {
    /// Row id (what `chiso alerts retry ID` takes).
    pub id: i64,
    /// Channel name.
    pub channel: String,
    /// `new` or `updated`.
    pub event: String,
    /// `pending`, `sending`, `sent` or `failed`.
    pub status: String,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// When the next attempt is due (pending alerts).
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the outbox row was written (with its article).
    pub created_at: DateTime<Utc>,
    /// When the receiver acknowledged it.
    pub sent_at: Option<DateTime<Utc>>,
    /// The article announced.
    pub article_url: String,
}

/// A stored report as the Atom feed shows it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FeedEntry {
    /// Article id.
    pub article_id: i64,
    /// Canonical URL.
    pub url: String,
    /// Headline.
    pub title: Option<String>,
    /// Source name.
    pub source: String,
    /// The source's province.
    pub province: Option<String>,
    /// Publication time.
    pub published_at: Option<DateTime<FixedOffset>>,
    /// When chiso first stored it (the feed's order).
    pub first_seen_at: DateTime<Utc>,
    /// Facts stored for it.
    pub facts: i64,
}
