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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::Kind;

    fn alert() -> AlertConfig {
        AlertConfig {
            url: "json://127.0.0.1/x".into(),
            name: None,
            provinces: vec![],
            areas: vec![],
            indicators: vec![],
            keywords: vec![],
            min_facts: 1,
            updates: false,
            secret: None,
            max_facts: 5,
        }
    }

    fn fact(area: &str) -> Fact {
        Fact {
            area: Some(area.into()),
            area_level: None,
            area_code: None,
            province: Some("Hà Tĩnh".into()),
            metric: "thu ngân sách".into(),
            indicator: Some("budget_revenue".into()),
            value: 1.0,
            value_high: None,
            unit: "tỷ đồng".into(),
            value_base: None,
            unit_base: None,
            total: None,
            year: None,
            period: None,
            kind: Kind::Actual,
            approx: false,
            plan_pct: None,
            yoy_pct: None,
            sentence: String::new(),
            span: [0, 0],
            from_title: false,
        }
    }

    #[test]
    fn min_facts_zero_alerts_on_every_article_unless_narrowed() {
        let mut a = alert();
        assert!(!wants(&a, "Hà Tĩnh", Some("Tin"), &[]));
        a.min_facts = 0;
        assert!(wants(&a, "Hà Tĩnh", Some("Tin"), &[]));
        a.areas = vec!["Kỳ Anh".into()];
        assert!(!wants(&a, "Hà Tĩnh", Some("Tin"), &[]));
        assert!(wants(&a, "Hà Tĩnh", Some("Tin"), &[fact("thị xã Kỳ Anh")]));
        assert!(!wants(&a, "Hà Tĩnh", Some("Tin"), &[fact("huyện Can Lộc")]));
    }

    #[test]
    fn places_match_with_or_without_level_word_and_case() {
        assert!(place_matches("huyện Kỳ Anh", "kỳ anh"));
        assert!(place_matches("Kỳ Anh", "huyện Kỳ Anh"));
        assert!(place_matches("tỉnh Hà Tĩnh", "Hà Tĩnh"));
        assert!(!place_matches("huyện Kỳ Anh", "thị xã Kỳ Anh"));
        assert!(!place_matches("huyện Kỳ Anh", "Anh"));
    }

    #[test]
    fn province_filter_uses_facts_when_the_source_is_elsewhere() {
        let mut a = alert();
        a.provinces = vec!["Hà Tĩnh".into()];
        // A national paper writing about Hà Tĩnh.
        assert!(wants(&a, "Hà Nội", None, &[fact("huyện Kỳ Anh")]));
        a.provinces = vec!["Nghệ An".into()];
        assert!(!wants(&a, "Hà Nội", None, &[fact("huyện Kỳ Anh")]));
    }

    #[test]
    fn keywords_are_case_insensitive() {
        let mut a = alert();
        a.keywords = vec!["TỔNG KẾT".into()];
        assert!(wants(
            &a,
            "Hà Tĩnh",
            Some("Kỳ Anh tổng kết năm"),
            &[fact("x")]
        ));
        assert!(!wants(&a, "Hà Tĩnh", None, &[fact("x")]));
    }

    #[test]
    fn dedupe_key_ignores_sentences_but_not_values() {
        let f = fact("huyện Kỳ Anh");
        let mut moved = f.clone();
        moved.span = [5, 9];
        moved.sentence = "khác".into();
        assert_eq!(
            dedupe_key("c", "u", std::slice::from_ref(&f)),
            dedupe_key("c", "u", &[moved])
        );
        let mut changed = f.clone();
        changed.value = 2.0;
        assert_ne!(
            dedupe_key("c", "u", std::slice::from_ref(&f)),
            dedupe_key("c", "u", &[changed])
        );
        assert_ne!(
            dedupe_key("c", "u", std::slice::from_ref(&f)),
            dedupe_key("d", "u", &[f])
        );
    }
}
