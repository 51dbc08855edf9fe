//! The typed error of the fetch stage.
//!
//! Callers branch on it: the crawl pipeline retries a source later when an error is retryable and
//! records a page as broken when it is not. Every error names the URL it concerns so that a log
//! line or a crawl report is useful on its own.

/// A request that did not produce a page, with the URL it was for.
#[derive(Debug, thiserror::Error)]
#[error("{url}: {kind}")]
pub struct FetchError {
    /// The URL requested (after redirects, the hop that failed).
    pub url: String,
    /// What went wrong.
    pub kind: FetchErrorKind,
}

/// Why a request failed; [`FetchError::is_retryable`] tells which kinds are worth another try.
#[derive(Debug, thiserror::Error)]
pub enum FetchErrorKind {
    /// Only `http` and `https` are fetched; anything else (ftp, file, data) is refused.
    #[error("unsupported URL scheme {0:?} (only http and https are fetched)")]
    UnsupportedScheme(String),
    /// The URL has no host to connect to.
    #[error("URL has no host")]
    NoHost,
    /// robots.txt forbids this URL to our user agent.
    #[error("disallowed by robots.txt")]
    RobotsDisallowed,
    /// robots.txt answered 5xx or timed out: nothing is fetched from the host until it is read.
    #[error("robots.txt unavailable; host not crawled for now")]
    RobotsUnavailable,
    /// The whole request, body included, took longer than `timeout_s`.
    #[error("timed out")]
    Timeout,
    /// The connection could not be made or broke off.
    #[error("connection failed: {0}")]
    Connect(String),
    /// The server answered with a status that is not a page (4xx, 5xx, unexpected 3xx).
    #[error("HTTP status {0}")]
    Status(u16),
    /// The body is larger than `max_body_bytes`; reading stopped as soon as that was known.
    #[error("body larger than the limit of {limit} bytes")]
    TooLarge {
        /// The configured limit.
        limit: u64,
    },
    /// More redirects than `max_redirects`.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// A redirect without a usable `Location`.
    #[error("bad redirect: {0}")]
    BadRedirect(String),
    /// The body could not be read or decompressed.
    #[error("cannot read body: {0}")]
    Body(String),
    /// The HTTP client could not be built (bad user agent, TLS set-up).
    #[error("HTTP client: {0}")]
    Client(String),
}

impl FetchError {
    /// Pairs a URL with a kind.
    pub fn new(url: impl Into<String>, kind: FetchErrorKind) -> Self {
        Self {
            url: url.into(),
            kind,
        }
    }

    /// Whether trying again later may succeed: timeouts, broken connections, 5xx, 429 and
    /// robots.txt that could not be read. Everything else is a property of the URL or the page.
    pub fn is_retryable(&self) -> bool {
        super::retry::kind_is_retryable(&self.kind)
    }
}
