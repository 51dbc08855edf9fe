//! What an alert carries and which channels want it: the payload stored in the outbox row, the
//! channel filters (provinces, areas, indicators, title keywords, `min_facts`) and the dedupe key.
//!
//! The payload is frozen when the article is saved, so that a later edit of the article or of
//! the extractor never changes a message already queued.

use crate::config::AlertConfig;
use crate::extract::Fact;
use crate::text::name_key;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The JSON stored in `alerts.payload`: the article and every fact of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertPayload {
    /// `new` or `updated`.
    pub event: String,
    /// Source name.
    pub source: String,
    /// The source's province.
    pub province: String,
    /// Canonical article URL.
    pub url: String,
    /// Headline.
    pub title: Option<String>,
    /// Publication time with its offset.
    pub published_at: Option<DateTime<FixedOffset>>,
    /// The distinct areas of the facts, in order of first mention.
    pub areas: Vec<String>,
    /// Every fact of the article (messages show the first `max_facts`).
    pub facts: Vec<Fact>,
}

/// The name a channel is stored and listed under: its `name`, else its redacted URL (never the
/// secret URL itself).
pub fn channel_name(alert: &AlertConfig) -> String {
    match &alert.name {
        Some(n) if !n.trim().is_empty() => n.trim().to_string(),
        _ => crate::config::redact_url(&alert.url),
    }
}

/// The distinct areas named by facts, in order of first mention.
pub fn areas_of(facts: &[Fact]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in facts {
        if let Some(a) = &f.area {
            if !out.iter().any(|x| x == a) {
                out.push(a.clone());
            }
        }
    }
    out
}

/// Level words a user may leave out of a filter (`Kỳ Anh` for `huyện Kỳ Anh`).
const LEVEL_WORDS: &[&str] = &[
    "tỉnh ",
    "thành phố ",
    "tp ",
    "huyện ",
    "thị xã ",
    "quận ",
    "xã ",
    "phường ",
    "thị trấn ",
    "đặc khu ",
];

/// A name without its level word, compared by [`name_key`].
fn bare(name: &str) -> String {
    let key = name_key(name);
    for w in LEVEL_WORDS {
        if let Some(rest) = key.strip_prefix(w) {
            return rest.to_string();
        }
    }
    key
}

/// Whether a place name matches a filter entry: same name, with or without the level word.
fn place_matches(name: &str, wanted: &str) -> bool {
    let (n, w) = (name_key(name), name_key(wanted));
    n == w || bare(name) == w || n == bare(wanted)
}

/// Whether a channel wants this article: every filter that is set must match, and at least
/// `min_facts` facts must pass the fact-level filters (areas, indicators, provinces named by the
/// facts). When an area or indicator filter is set, at least one fact must match it even with
/// `min_facts = 0`.
pub fn wants(alert: &AlertConfig, province: &str, title: Option<&str>, facts: &[Fact]) -> bool {
    if !alert.keywords.is_empty() {
        let title = name_key(title.unwrap_or(""));
        if !alert.keywords.iter().any(|k| {
            let k = name_key(k);
            !k.is_empty() && title.contains(&k)
        }) {
            return false;
        }
    }
    let province_ok = |p: &str| alert.provinces.iter().any(|w| place_matches(p, w));
    let source_in_province = alert.provinces.is_empty() || province_ok(province);
    let relevant = facts
        .iter()
        .filter(|f| {
            alert.areas.is_empty()
                || f.area
                    .as_deref()
                    .is_some_and(|a| alert.areas.iter().any(|w| place_matches(a, w)))
        })
        .filter(|f| {
            alert.indicators.is_empty()
                || f.indicator
                    .as_deref()
                    .is_some_and(|i| alert.indicators.iter().any(|w| w == i))
        })
        .filter(|f| source_in_province || f.province.as_deref().is_some_and(province_ok))
        .count();
    let narrowed = !alert.areas.is_empty() || !alert.indicators.is_empty();
    let needed = if narrowed {
        alert.min_facts.max(1)
    } else {
        alert.min_facts
    };
    if !source_in_province && relevant == 0 {
        return false;
    }
    u32::try_from(relevant).unwrap_or(u32::MAX) >= needed
}

/// `hash(channel, url, fingerprint of the facts)`: an `updated` row whose facts did not change
/// gets the key of the earlier row and is dropped by `UNIQUE(channel, dedupe_key)`. Sent as the
/// `Idempotency-Key` header, so receivers can drop a repeat delivery too.
pub fn dedupe_key(channel: &str, url: &str, facts: &[Fact]) -> String {
    let mut h = Sha256::new();
    h.update(channel.as_bytes());
    h.update([0u8]);
    h.update(url.as_bytes());
    h.update([0u8]);
    h.update(facts_fingerprint(facts).as_bytes());
    let digest = h.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The facts as a sorted list of their meaningful fields (not spans or sentences, which move
/// when unrelated text changes).
fn facts_fingerprint(facts: &[Fact]) -> String {
    let mut lines: Vec<String> = facts
        .iter()
        .map(|f| {
            format!(
                "{:?}|{:?}|{}|{:?}|{}|{:?}|{}|{:?}|{}|{:?}|{:?}",
                f.area,
                f.indicator,
                f.metric,
                f.period,
                f.value,
                f.value_high,
                f.unit,
                f.kind,
                f.approx,
                f.plan_pct,
                f.yoy_pct
            )
        })
        .collect();
    lines.sort();
    lines.join("\n")
}
