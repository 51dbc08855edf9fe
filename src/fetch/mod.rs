//! Polite HTTP fetching: the only module of chiso that touches the network.
//!
//! A [`Fetcher`] wraps one reqwest client and adds what a crawler owes the sites it reads: our
//! user agent, one request at a time per host at least `min_interval_ms` apart, robots.txt
//! (Disallow/Allow, Crawl-delay), retries with backoff and `Retry-After`, conditional GET, a body
//! size cap enforced while streaming, a redirect limit, and charset decoding to NFC text.
//! Discovery and the crawl pipeline call it; nothing else opens connections.
//!
//! Layout: `client` holds the request loop, `retry` the retry decisions, `limiter` the per-host
//! pacing, `robots` the robots.txt parser and cache, `charset` the decoding, `error` the typed
//! error.

mod charset;
mod client;
mod error;
mod limiter;
mod retry;
mod robots;

pub use charset::{charset_param, decode, CharsetSource};
pub use client::{Fetcher, POOL_IDLE_TIMEOUT};
pub use error::{FetchError, FetchErrorKind};
pub use retry::{backoff, parse_retry_after, BACKOFF_BASE, BACKOFF_CAP};
pub use robots::{agent_token, Robots, ROBOTS_MAX_BYTES, ROBOTS_RETRY, ROBOTS_TTL};

use std::collections::BTreeMap;

/// Validators from an earlier response, sent back as `If-None-Match` / `If-Modified-Since`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` header as received.
    pub etag: Option<String>,
    /// The `Last-Modified` header as received.
    pub last_modified: Option<String>,
}

impl Validators {
    /// Whether there is anything to send.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// The result of a successful request.
// `Page` is not boxed: the API is matched by value in the pipeline and a 304 is short-lived.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum FetchOutcome {
    /// 304: the page has not changed since the validators were issued.
    NotModified,
    /// A 2xx page with its body decoded.
    Fetched(Page),
}

/// A fetched page (2xx). Other statuses are errors ([`FetchErrorKind::Status`]).
#[derive(Debug, Clone)]
pub struct Page {
    /// The final URL, after redirects: links on the page resolve against it.
    pub url: url::Url,
    /// The HTTP status (2xx).
    pub status: u16,
    /// The body decoded from its charset and normalised to NFC.
    pub text: String,
    /// Body size in bytes after transfer decompression.
    pub bytes: usize,
    /// `ETag`, to store for the next conditional request.
    pub etag: Option<String>,
    /// `Last-Modified`, to store for the next conditional request.
    pub last_modified: Option<String>,
    /// SHA-256 (hex) of `text`: some servers send the same validators for changed content, and a
    /// changed hash is the reliable sign of a change. The caller compares.
    pub content_hash: String,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
}

impl Page {
    /// The validators to store for the next conditional request of this page.
    pub fn validators(&self) -> Validators {
        Validators {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }
}

/// Counters of one host (or of all hosts together).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostStats {
    /// HTTP requests sent (each retry, redirect hop and robots.txt request counts).
    pub requests: u64,
    /// 304 answers.
    pub not_modified: u64,
    /// `get` calls that ended in an error.
    pub errors: u64,
    /// Body bytes received (after decompression).
    pub bytes: u64,
}

/// A snapshot of what a [`Fetcher`] has done, for crawl reports and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchStats {
    /// Totals over all hosts.
    pub total: HostStats,
    /// Per host (lower case).
    pub by_host: BTreeMap<String, HostStats>,
    /// Responses per HTTP status.
    pub by_status: BTreeMap<u16, u64>,
}

/// Whether `url` belongs to the site whose home is `base`: the same host or a subdomain of it,
/// ignoring a leading `www.` on either. Links that leave the site are not followed.
pub fn same_site(base: &url::Url, url: &url::Url) -> bool {
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    let (Some(b), Some(u)) = (base.host_str(), url.host_str()) else {
        return false;
    };
    let b = b.to_ascii_lowercase();
    let u = u.to_ascii_lowercase();
    let b = b.strip_prefix("www.").unwrap_or(&b);
    let u = u.strip_prefix("www.").unwrap_or(&u);
    u == b || u.strip_suffix(b).is_some_and(|rest| rest.ends_with('.'))
}

/// SHA-256 of a text, as lower-case hex.
pub fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    use std::fmt::Write;
    let digest = sha2::Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> url::Url {
        url::Url::parse(s).unwrap()
    }

    #[test]
    fn same_site_hosts_and_subdomains() {
        let base = u("https://baothanhhoa.vn/");
        assert!(same_site(&base, &u("https://baothanhhoa.vn/kinh-te")));
        assert!(same_site(&base, &u("http://www.baothanhhoa.vn/x")));
        assert!(same_site(
            &base,
            &u("https://vhds.baothanhhoa.vn/x-123.htm")
        ));
        assert!(same_site(
            &u("https://www.baohatinh.vn"),
            &u("https://baohatinh.vn/a")
        ));
        assert!(!same_site(&base, &u("https://notbaothanhhoa.vn/x")));
        assert!(!same_site(&base, &u("https://baothanhhoa.vn.evil.com/x")));
        assert!(!same_site(
            &base,
            &u("https://facebook.com/sharer?u=baothanhhoa.vn")
        ));
        assert!(!same_site(&base, &u("ftp://baothanhhoa.vn/x")));
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
