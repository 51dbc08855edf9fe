//! robots.txt: the rules that apply to our user agent, and the per-origin cache.
//!
//! Parsing and matching are `texting_robots`'s (RFC 9309 and Google's test cases: groups chosen
//! by an exact, case-insensitive product token, `Allow`/`Disallow` with `*` and `$`, the longest
//! match wins, `Allow` wins ties, percent-encoding normalised, plus `Crawl-delay`). It replaced a
//! hand-written parser that chose groups by substring (`User-agent: so` applied to `chiso`).
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

/// The rules of one robots.txt that apply to one user agent; the default allows everything.
#[derive(Debug, Clone, Default)]
pub struct Robots {
    rules: Option<Arc<texting_robots::Robot>>,
    /// `Crawl-delay` of the matching group.
    pub crawl_delay: Option<Duration>,
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
    /// Parses a robots.txt for the agent `token` (lower case, see [`agent_token`]). A file the
    /// parser cannot read at all (garbage served as robots.txt) allows everything, as RFC 9309
    /// asks of unparseable content.
    pub fn parse(text: &str, token: &str) -> Robots {
        match texting_robots::Robot::new(token, text.as_bytes()) {
            Ok(robot) => Robots {
                crawl_delay: robot
                    .delay
                    .filter(|d| d.is_finite() && *d >= 0.0)
                    .map(|d| Duration::from_secs_f64(f64::from(d).min(86_400.0))),
                rules: Some(Arc::new(robot)),
            },
            Err(e) => {
                tracing::debug!("robots.txt unreadable, everything allowed: {e}");
                Robots::default()
            }
        }
    }

    /// Whether `path` (path and query, as in the URL) may be fetched.
    pub fn allows(&self, path: &str) -> bool {
        self.rules.as_ref().is_none_or(|r| r.allowed(path))
    }
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
        let r = Robots::parse(
            "User-agent: *\nDisallow: /*.pdf$\nDisallow: /a*b*c\n",
            "chiso",
        );
        assert!(!r.allows("/files/a.pdf"));
        assert!(r.allows("/files/a.pdf?x"));
        assert!(!r.allows("/axxbyyc-and-more"));
        assert!(r.allows("/axxcyyb"));
    }

    /// A group names an agent by its whole product token, never by a part of it.
    #[test]
    fn regression_group_for_a_substring_of_our_token_is_not_ours() {
        let txt = "User-agent: so\nDisallow: /\n\nUser-agent: *\nDisallow: /admin/\n";
        let r = Robots::parse(txt, "chiso");
        assert!(r.allows("/kinh-te/bai-1.html"));
        assert!(!r.allows("/admin/x"));
        let r = Robots::parse("User-agent: CHISO\nDisallow: /\n", "chiso");
        assert!(
            !r.allows("/kinh-te/bai-1.html"),
            "tokens compare without case"
        );
    }

    #[test]
    fn garbage_allows_everything() {
        let r = Robots::parse(
            "\u{0}\u{1}<html><body>not robots</body></html>\n::::",
            "chiso",
        );
        assert!(r.allows("/kinh-te/bai-1.html"));
        assert_eq!(r.crawl_delay, None);
    }
}
