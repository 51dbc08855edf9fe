//! The request loop of [`Fetcher`]: robots.txt, per-host pacing, retries, redirects, streaming.
//!
//! Redirects are followed here rather than inside reqwest so that every hop goes through the
//! limiter and robots.txt of its own host, and so that a redirect to another scheme is refused
//! with a typed error. Retry decisions come from `retry.rs`; this file only carries them out.

use super::charset;
use super::error::{FetchError, FetchErrorKind};
use super::limiter::HostLimiter;
use super::retry::{self, Verdict};
use super::robots::{self, Robots, RobotsCache, RobotsState};
use super::{sha256_hex, FetchOutcome, FetchStats, Page, Validators};
use crate::config::HttpConfig;
use reqwest::header::{self, HeaderMap, HeaderValue};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};
use tokio::time::Instant;
use url::Url;

/// The polite HTTP client of chiso. Cheap to clone (an `Arc` inside); make one per process so that
/// all tasks share the per-host limits and the robots.txt cache.
#[derive(Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    agent_token: String,
    respect_robots: bool,
    max_body_bytes: u64,
    max_retries: u32,
    retry_after_cap: Duration,
    max_redirects: usize,
    limiter: HostLimiter,
    robots: RobotsCache,
    stats: Mutex<FetchStats>,
}

/// What one HTTP exchange produced.
enum Exchange {
    Redirect(String),
    NotModified,
    Page(Page),
}

/// Limits of one logical fetch (a page, or a robots.txt).
#[derive(Clone, Copy)]
struct Limits {
    max_body: u64,
    retries: u32,
    robots: bool,
}

/// Longest Crawl-delay honoured; a larger one is capped (and logged) so that one robots.txt cannot
/// stall a source for hours.
const MAX_CRAWL_DELAY: Duration = Duration::from_secs(120);

/// How long a kept-alive connection waits for its next request. Requests to one host are at
/// least `min_interval_ms` (1 s by default) apart within a run, and runs of a source are minutes
/// apart, so a connection is reused within a run and not across runs. The pool's clean-up of
/// closed connections runs at this period too (hyper's default is 90 s), so that thousands of
/// hosts do not keep the remains of their last connection between runs. Each pooled connection
/// holds about 12 KB (buffers and a channel): at 10,000 hosts crawled over three minutes, the
/// connections waiting out this timeout are most of the first cycle's peak memory, so it is a few
/// seconds (a `min_interval_ms` or Crawl-delay above it costs a new connection per request).
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(5);

impl Fetcher {
    /// Builds the client from `[http]`: user agent, total timeout, decompression, no automatic
    /// redirects (followed by hand, see the module header).
    pub fn new(http: &HttpConfig) -> Result<Fetcher, FetchError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static(
                "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml;q=0.9,*/*;q=0.8",
            ),
        );
        headers.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("vi,en;q=0.5"),
        );
        let timeout = Duration::from_secs(http.timeout_s.max(1));
        let client = reqwest::Client::builder()
            .user_agent(http.user_agent.clone())
            .default_headers(headers)
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .build()
            .map_err(|e| FetchError::new("", FetchErrorKind::Client(e.to_string())))?;
        Ok(Fetcher {
            inner: Arc::new(Inner {
                client,
                agent_token: robots::agent_token(&http.user_agent),
                respect_robots: http.respect_robots,
                max_body_bytes: http.max_body_bytes,
                max_retries: http.max_retries,
                retry_after_cap: Duration::from_secs(http.retry_after_cap_s),
                max_redirects: http.max_redirects,
                limiter: HostLimiter::new(Duration::from_millis(http.min_interval_ms)),
                robots: RobotsCache::default(),
                stats: Mutex::new(FetchStats::default()),
            }),
        })
    }

    /// Fetches a page, conditionally when `validators` are given. A 304 is `NotModified`; 2xx is
    /// a decoded [`Page`]; every other outcome is a [`FetchError`] naming the URL.
    pub async fn get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
    ) -> Result<FetchOutcome, FetchError> {
        let limits = Limits {
            max_body: self.inner.max_body_bytes,
            retries: self.inner.max_retries,
            robots: self.inner.respect_robots,
        };
        let result = self.follow(url, validators, limits).await;
        match &result {
            Ok(FetchOutcome::Fetched(p)) => {
                tracing::debug!(url = %url, final_url = %p.url, status = p.status, bytes = p.bytes, "fetched");
            }
            Ok(FetchOutcome::NotModified) => tracing::debug!(url = %url, "not modified"),
            Err(e) => {
                tracing::debug!(error = %e, "fetch failed");
                let host = host_key(url);
                self.count(&host, |s| s.errors += 1);
            }
        }
        result
    }

    /// The robots.txt verdict for our agent (always true when `respect_robots` is off, always
    /// false for URLs that are not http(s) with a host). Fetches
    /// and caches the host's robots.txt on first use.
    pub async fn allowed(&self, url: &Url) -> bool {
        if check_scheme(url).is_err() {
            return false;
        }
        !self.inner.respect_robots || self.check_robots(url).await.is_ok()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> FetchStats {
        self.inner
            .stats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Follows redirects up to `max_redirects`, each hop checked and paced on its own.
    async fn follow(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        limits: Limits,
    ) -> Result<FetchOutcome, FetchError> {
        let mut current = url.clone();
        let mut hops = 0usize;
        loop {
            check_scheme(&current)?;
            if limits.robots {
                self.check_robots(&current).await?;
            }
            match self.with_retries(&current, validators, limits).await? {
                Exchange::NotModified => return Ok(FetchOutcome::NotModified),
                Exchange::Page(page) => return Ok(FetchOutcome::Fetched(page)),
                Exchange::Redirect(location) => {
                    hops += 1;
                    if hops > self.inner.max_redirects {
                        return Err(FetchError::new(
                            url.as_str(),
                            FetchErrorKind::TooManyRedirects(self.inner.max_redirects),
                        ));
                    }
                    let next = current.join(&location).map_err(|e| {
                        FetchError::new(
                            current.as_str(),
                            FetchErrorKind::BadRedirect(format!("{location:?}: {e}")),
                        )
                    })?;
                    tracing::debug!(from = %current, to = %next, "redirect");
                    current = next;
                }
            }
        }
    }

    /// One URL, retried per `retry.rs`. The host's permit is held during each attempt and
    /// released before any backoff sleep.
    async fn with_retries(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        limits: Limits,
    ) -> Result<Exchange, FetchError> {
        let host = host_key(url);
        let mut attempt = 0u32;
        loop {
            let mut permit = self.inner.limiter.acquire(&host).await;
            let (verdict, error) = match self.exchange(url, validators, limits.max_body).await {
                Ok(Ok(ex)) => return Ok(ex),
                Ok(Err((status, retry_after))) => (
                    retry::for_status(status, retry_after),
                    FetchError::new(url.as_str(), FetchErrorKind::Status(status)),
                ),
                Err(e) => (retry::for_error(&e.kind), e),
            };
            if verdict == Verdict::GiveUp || attempt >= limits.retries {
                return Err(error);
            }
            let sleep = match verdict {
                Verdict::After(asked) => {
                    let wait = if asked > self.inner.retry_after_cap {
                        tracing::warn!(url = %url, asked_s = asked.as_secs(), cap_s = self.inner.retry_after_cap.as_secs(), "Retry-After above the cap; waiting the cap");
                        self.inner.retry_after_cap
                    } else {
                        tracing::warn!(url = %url, wait_s = asked.as_secs_f64(), "server asked to retry later");
                        asked
                    };
                    // The host's limiter holds every request to it, not only this one.
                    permit.hold_for(wait);
                    Duration::ZERO
                }
                _ => retry::backoff(attempt),
            };
            drop(permit);
            tracing::debug!(url = %url, attempt, error = %error, "retrying");
            if !sleep.is_zero() {
                tokio::time::sleep(sleep).await;
            }
            attempt += 1;
        }
    }

    /// One HTTP request. `Ok(Err((status, retry_after)))` is an answer that is not a page.
    #[allow(clippy::type_complexity)]
    async fn exchange(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        max_body: u64,
    ) -> Result<Result<Exchange, (u16, Option<Duration>)>, FetchError> {
        let host = host_key(url);
        self.count(&host, |s| s.requests += 1);
        let mut req = self.inner.client.get(url.clone());
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                req = req.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                req = req.header(header::IF_MODIFIED_SINCE, lm);
            }
        }
        let mut resp = req.send().await.map_err(|e| transport_error(url, &e))?;
        let status = resp.status().as_u16();
        self.count_status(status);
        let head = |name: header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        if status == 304 {
            self.count(&host, |s| s.not_modified += 1);
            return Ok(Ok(Exchange::NotModified));
        }
        if (300..400).contains(&status) {
            return match head(header::LOCATION) {
                Some(loc) => Ok(Ok(Exchange::Redirect(loc))),
                None => Err(FetchError::new(
                    url.as_str(),
                    FetchErrorKind::BadRedirect(format!("status {status} without Location")),
                )),
            };
        }
        if !(200..300).contains(&status) {
            let retry_after = head(header::RETRY_AFTER)
                .and_then(|v| retry::parse_retry_after(&v, SystemTime::now()));
            return Ok(Err((status, retry_after)));
        }
        let etag = head(header::ETAG);
        let last_modified = head(header::LAST_MODIFIED);
        let content_type = head(header::CONTENT_TYPE);
        let too_large = || {
            tracing::warn!(url = %url, limit = max_body, "body size cap hit");
            FetchError::new(url.as_str(), FetchErrorKind::TooLarge { limit: max_body })
        };
        if resp.content_length().is_some_and(|n| n > max_body) {
            return Err(too_large());
        }
        let mut body: Vec<u8> = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| transport_error(url, &e))? {
            if (body.len() + chunk.len()) as u64 > max_body {
                self.count(&host, |s| s.bytes += body.len() as u64);
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        self.count(&host, |s| s.bytes += body.len() as u64);
        if body.starts_with(&[0x1f, 0x8b]) {
            // A gzip file served as such (`.xml.gz` sitemaps), not as a Content-Encoding.
            body = gunzip_capped(&body, max_body).map_err(|kind| {
                if matches!(kind, FetchErrorKind::TooLarge { .. }) {
                    tracing::warn!(url = %url, limit = max_body, "body size cap hit after gunzip");
                }
                FetchError::new(url.as_str(), kind)
            })?;
        }
        let (text, encoding, source) = charset::decode(&body, content_type.as_deref());
        tracing::trace!(url = %url, charset = encoding.name(), ?source, "decoded");
        Ok(Ok(Exchange::Page(Page {
            url: url.clone(),
            status,
            content_hash: sha256_hex(&text),
            text,
            bytes: body.len(),
            etag,
            last_modified,
            content_type,
        })))
    }

    /// Looks up (fetching once per origin and caching) the robots.txt verdict for `url`.
    async fn check_robots(&self, url: &Url) -> Result<(), FetchError> {
        let origin = url.origin().ascii_serialization();
        let slot = self.inner.robots.slot(&origin);
        let mut cached = slot.lock().await;
        let state = match &*cached {
            Some((state, at)) if robots::is_fresh(state, *at) => state.clone(),
            _ => {
                let state = self.fetch_robots(url).await;
                *cached = Some((state.clone(), Instant::now()));
                state
            }
        };
        drop(cached);
        match state {
            RobotsState::Unavailable => Err(FetchError::new(
                url.as_str(),
                FetchErrorKind::RobotsUnavailable,
            )),
            RobotsState::Rules(r) => {
                let path = match url.query() {
                    Some(q) => format!("{}?{q}", url.path()),
                    None => url.path().to_string(),
                };
                if r.allows(&path) {
                    Ok(())
                } else {
                    tracing::debug!(url = %url, "disallowed by robots.txt");
                    Err(FetchError::new(
                        url.as_str(),
                        FetchErrorKind::RobotsDisallowed,
                    ))
                }
            }
        }
    }

    /// Reads `/robots.txt` of the URL's origin: 2xx gives rules, 4xx allows everything, 5xx and
    /// network failures disallow everything until `ROBOTS_RETRY` has passed.
    async fn fetch_robots(&self, url: &Url) -> RobotsState {
        let mut robots_url = url.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        robots_url.set_fragment(None);
        let limits = Limits {
            max_body: robots::ROBOTS_MAX_BYTES,
            retries: 0,
            robots: false,
        };
        // Boxed: `follow` may call back into here for a redirect hop (async recursion).
        let result = Box::pin(self.follow(&robots_url, None, limits)).await;
        let state = match result {
            Ok(FetchOutcome::Fetched(page)) => {
                RobotsState::Rules(Robots::parse(&page.text, &self.inner.agent_token))
            }
            Ok(FetchOutcome::NotModified) => RobotsState::Rules(Robots::default()),
            Err(FetchError {
                kind: FetchErrorKind::Status(s),
                ..
            }) if (400..500).contains(&s) => RobotsState::Rules(Robots::default()),
            Err(e) if e.is_retryable() => {
                tracing::warn!(error = %e, "robots.txt unavailable; host paused");
                RobotsState::Unavailable
            }
            Err(e) => {
                tracing::debug!(error = %e, "robots.txt unusable; treated as absent");
                RobotsState::Rules(Robots::default())
            }
        };
        if let RobotsState::Rules(r) = &state {
            if let Some(delay) = r.crawl_delay {
                let delay = if delay > MAX_CRAWL_DELAY {
                    tracing::warn!(host = %host_key(url), delay_s = delay.as_secs(), "Crawl-delay capped");
                    MAX_CRAWL_DELAY
                } else {
                    delay
                };
                self.inner
                    .limiter
                    .raise_interval(&host_key(url), delay)
                    .await;
            }
        }
        state
    }

    fn count(&self, host: &str, f: impl Fn(&mut super::HostStats)) {
        let mut stats = self
            .inner
            .stats
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(&mut stats.total);
        f(stats.by_host.entry(host.to_string()).or_default());
    }

    fn count_status(&self, status: u16) {
        let mut stats = self
            .inner
            .stats
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *stats.by_status.entry(status).or_default() += 1;
    }
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("agent", &self.inner.agent_token)
            .finish_non_exhaustive()
    }
}

/// The limiter and statistics key: the host in lower case (the port is ignored: one machine).
fn host_key(url: &Url) -> String {
    url.host_str().unwrap_or("").to_ascii_lowercase()
}

/// Gunzips a body, refusing output larger than `max` bytes.
fn gunzip_capped(body: &[u8], max: u64) -> Result<Vec<u8>, FetchErrorKind> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(body)
        .take(max.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| FetchErrorKind::Body(format!("bad gzip body: {e}")))?;
    if out.len() as u64 > max {
        return Err(FetchErrorKind::TooLarge { limit: max });
    }
    Ok(out)
}

fn check_scheme(url: &Url) -> Result<(), FetchError> {
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(FetchError::new(
                url.as_str(),
                FetchErrorKind::UnsupportedScheme(other.to_string()),
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(FetchError::new(url.as_str(), FetchErrorKind::NoHost));
    }
    Ok(())
}

fn transport_error(url: &Url, e: &reqwest::Error) -> FetchError {
    let kind = if e.is_timeout() {
        FetchErrorKind::Timeout
    } else if e.is_body() || e.is_decode() {
        FetchErrorKind::Body(error_chain(e))
    } else {
        FetchErrorKind::Connect(error_chain(e))
    };
    FetchError::new(url.as_str(), kind)
}

/// reqwest's top-level message is terse ("error sending request"); the causes say why.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}
