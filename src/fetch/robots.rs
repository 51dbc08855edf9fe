//! robots.txt: parsing the rules that apply to our user agent, and the per-origin cache.
//!
//! A small parser in the manner of RFC 9309 (groups by `User-agent`, `Allow`/`Disallow` with `*`
//! and `$`, the longest matching rule wins, `Allow` wins ties) plus the common `Crawl-delay`
//! extension. Written here rather than pulled in because it is small and we need Crawl-delay.
//! The cache keeps one entry per origin (scheme, host, port): rules for a day, an "unavailable"
//! verdict (5xx, timeout) only for a few minutes so that the host is tried again soon.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Mutex as AsyncMutex;
use tokio::time::Instant;

/// How long rules read from a robots.txt are trusted.
pub const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long a host whose robots.txt failed (5xx, timeout) is left alone before asking again.
pub const ROBOTS_RETRY: Duration = Duration::from_secs(30);
/// Largest robots.txt read (RFC 9309 asks crawlers to read at least 500 KiB).
pub const ROBOTS_MAX_BYTES: u64 = 512 * 1024;

/// The rules of one robots.txt that apply to one user agent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Robots {
    rules: Vec<Rule>,
    /// `Crawl-delay` of the matching group.
    pub crawl_delay: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    allow: bool,
    pattern: String,
}

/// What is known about an origin's robots.txt.
#[derive(Debug, Clone)]
pub enum RobotsState {
    /// Rules were read (a 4xx counts as "no rules").
    Rules(Robots),
    /// It could not be read (5xx, timeout): disallow everything until retried.
    Unavailable,
}

/// The product token robots.txt groups are matched against: `chiso` for `chiso/0.1 (+https://…)`.
pub fn agent_token(user_agent: &str) -> String {
    user_agent
        .split(|c: char| c == '/' || c.is_whitespace())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

impl Robots {
    /// Parses a robots.txt for the agent `token` (lower case, see [`agent_token`]).
    pub fn parse(text: &str, token: &str) -> Robots {
        #[derive(Default)]
        struct Group {
            agents: Vec<String>,
            rules: Vec<Rule>,
            delay: Option<Duration>,
        }
        let mut groups: Vec<Group> = Vec::new();
        let mut in_agents = false;
        for raw in text.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            let value = value.trim();
            match key.as_str() {
                "user-agent" => {
                    if !in_agents {
                        groups.push(Group::default());
                        in_agents = true;
                    }
                    if let Some(g) = groups.last_mut() {
                        g.agents.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    if value.is_empty() {
                        continue; // "Disallow:" with nothing means no restriction
                    }
                    if let Some(g) = groups.last_mut() {
                        g.rules.push(Rule {
                            allow: key == "allow",
                            pattern: value.to_string(),
                        });
                    }
                }
                "crawl-delay" => {
                    in_agents = false;
                    let secs = value
                        .parse::<f64>()
                        .ok()
                        .filter(|s| s.is_finite() && *s >= 0.0);
                    if let (Some(g), Some(s)) = (groups.last_mut(), secs) {
                        g.delay = Some(Duration::from_secs_f64(s.min(86_400.0)));
                    }
                }
                _ => {} // sitemap, host and unknown lines do not end a group
            }
        }
        let specific = |g: &Group| {
            g.agents.iter().any(|a| {
                a != "*" && !a.is_empty() && !token.is_empty() && token.contains(a.as_str())
            })
        };
        let chosen: Vec<&Group> = if groups.iter().any(specific) {
            groups.iter().filter(|g| specific(g)).collect()
        } else {
            groups
                .iter()
                .filter(|g| g.agents.iter().any(|a| a == "*"))
                .collect()
        };
        Robots {
            rules: chosen
                .iter()
                .flat_map(|g| g.rules.iter().cloned())
                .collect(),
            crawl_delay: chosen.iter().filter_map(|g| g.delay).max(),
        }
    }

    /// Whether `path` (path and query, as in the URL) may be fetched.
    pub fn allows(&self, path: &str) -> bool {
        let mut best: Option<(usize, bool)> = None;
        for rule in &self.rules {
            if pattern_matches(&rule.pattern, path) {
                let len = rule.pattern.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, rule.allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// robots.txt path matching: a prefix match where `*` is any run of characters and a final `$`
/// anchors the end.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut pos = 0usize;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !path.starts_with(part) {
                return false;
            }
            pos = part.len();
            continue;
        }
        let last = i == parts.len() - 1;
        if last && anchored {
            return path.len() >= pos + part.len() && path.ends_with(part);
        }
        match path[pos..].find(part) {
            Some(at) => pos += at + part.len(),
            None => return false,
        }
    }
    !anchored || pos == path.len()
}

/// One lock per origin, so that robots.txt is fetched once even when many tasks ask at once.
pub type RobotsSlot = Arc<AsyncMutex<Option<(RobotsState, Instant)>>>;

/// Per-origin robots.txt verdicts with their expiry.
#[derive(Debug, Default)]
pub struct RobotsCache {
    origins: Mutex<HashMap<String, RobotsSlot>>,
}

impl RobotsCache {
    /// The slot of an origin (`https://host:port`); the caller locks it, checks freshness with
    /// [`is_fresh`] and fetches when needed.
    pub fn slot(&self, origin: &str) -> RobotsSlot {
        let mut map = self.origins.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(origin.to_string()).or_default().clone()
    }
}

/// Whether a cached verdict is still good.
pub fn is_fresh(state: &RobotsState, fetched: Instant) -> bool {
    let ttl = match state {
        RobotsState::Rules(_) => ROBOTS_TTL,
        RobotsState::Unavailable => ROBOTS_RETRY,
    };
    fetched.elapsed() < ttl
}

#[cfg(test)]
mod tests {
    use super::*;

    const TXT: &str = "# sample\nUser-agent: *\nDisallow: /admin/\nDisallow: /*?print=1$\nAllow: /admin/public\nCrawl-delay: 1\n\nUser-agent: chiso\nUser-agent: otherbot\nDisallow: /tim-kiem\nAllow: /tim-kiem/huong-dan\nCrawl-delay: 2.5\nSitemap: https://example.vn/sitemap.xml\n";

    #[test]
    fn specific_group_wins_over_star() {
        let r = Robots::parse(TXT, "chiso");
        assert!(!r.allows("/tim-kiem?q=gdp"));
        assert!(r.allows("/tim-kiem/huong-dan"));
        assert!(
            r.allows("/admin/"),
            "star rules do not apply when a group names us"
        );
        assert_eq!(r.crawl_delay, Some(Duration::from_millis(2500)));
    }

    #[test]
    fn star_group_for_other_agents() {
        let r = Robots::parse(TXT, "somebot");
        assert!(!r.allows("/admin/settings"));
        assert!(r.allows("/admin/public/x"), "longer allow wins");
        assert!(!r.allows("/bai-viet?print=1"));
        assert!(r.allows("/bai-viet?print=12"), "$ anchors the end");
        assert!(r.allows("/kinh-te/"));
        assert_eq!(r.crawl_delay, Some(Duration::from_secs(1)));
    }

    #[test]
    fn empty_and_missing_rules_allow_everything() {
        let r = Robots::parse("User-agent: *\nDisallow:\n", "chiso");
        assert!(r.allows("/anything"));
        assert!(Robots::default().allows("/"));
        let all = Robots::parse("User-agent: *\nDisallow: /\n", "chiso");
        assert!(!all.allows("/"));
        assert!(!all.allows("/tin-tuc-post1.html"));
    }

    #[test]
    fn token_from_user_agent() {
        assert_eq!(agent_token("chiso/0.1 (+https://x)"), "chiso");
        assert_eq!(agent_token("Mozilla/5.0"), "mozilla");
    }

    #[test]
    fn wildcards() {
        assert!(pattern_matches("/*.pdf$", "/files/a.pdf"));
        assert!(!pattern_matches("/*.pdf$", "/files/a.pdf?x"));
        assert!(pattern_matches("/a*b*c", "/axxbyyc-and-more"));
        assert!(!pattern_matches("/a*b*c", "/axxcyyb"));
    }
}
