//! The TOML configuration: loading, defaults and validation with errors that name the key.
//!
//! One file holds everything a deployment decides: the database, HTTP politeness, the sources
//! with their schedules and selectors, and the alert channels. Unknown keys are errors (a typo must
//! not silently fall back to a default), and every error names the file, the key and, where it can
//! be found, the line. The `DEFAULT_*` constants feed both serde defaults and the README.

mod validate;

pub use validate::redact_url;

use crate::scrape::Selectors;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Where the configuration is looked for when neither `--config` nor `$CHISO_CONFIG` is given.
pub const DEFAULT_CONFIG_PATH: &str = "config/chiso.toml";
/// The environment variable that names the configuration file.
pub const CONFIG_ENV: &str = "CHISO_CONFIG";
/// The environment variable that overrides `[database] url` (tests, containers, CI).
pub const DATABASE_URL_ENV: &str = "CHISO_DATABASE_URL";
/// Embedded SQLite file, relative to the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/chiso.db";
/// Identifies chiso to the sites it reads.
pub const DEFAULT_USER_AGENT: &str = "chiso/0.1 (+https://github.com/chiso-vn/chiso)";
/// Minimum pause between two requests to one host.
pub const DEFAULT_MIN_INTERVAL_MS: u64 = 1000;
/// Total time allowed for one request, body included.
pub const DEFAULT_TIMEOUT_S: u64 = 30;
/// Largest body accepted; larger pages are refused while streaming.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;
/// How often a request is retried after a timeout, a connection error or a 5xx.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// The longest `Retry-After` chiso is willing to honour.
pub const DEFAULT_RETRY_AFTER_CAP_S: u64 = 300;
/// Redirects followed before a request fails.
pub const DEFAULT_MAX_REDIRECTS: usize = 5;
/// Every 30 minutes, on the minute (cron with seconds).
pub const DEFAULT_SCHEDULE: &str = "0 */30 * * * *";
/// Largest offset of a source's runs into its slots, so that sources sharing a schedule spread
/// out.
pub const DEFAULT_JITTER_S: u64 = 60;
/// Pause after a source's first failed run; doubled per further failure, capped at a day.
pub const DEFAULT_BACKOFF_BASE_S: u64 = 60;
/// `[[source]] max_new_per_run`: new article URLs taken from one feed, sitemap or listing page in
/// one run. At the default politeness (one request a second per host) a run of a source with one
/// big feed stays under a minute.
pub const DEFAULT_MAX_NEW_PER_RUN: u32 = 30;
/// `[schedule] lease_s`: how long a claimed source stays leased to one instance without renewal
/// (renewed every third of it while the crawl runs).
pub const DEFAULT_LEASE_S: u64 = 60;
/// Local address of `/healthz` and `/metrics`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9464";
/// Time the daemon gives in-flight work after SIGTERM.
pub const DEFAULT_SHUTDOWN_TIMEOUT_S: u64 = 10;
/// Connections in the database pool.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 5;
/// Runs in flight per database connection when `[schedule] max_concurrent_runs` is not set (250
/// with the default pool). A run holds a connection only for one statement or one article's
/// transaction at a time and spends most of its time waiting on the network (a second between
/// two requests to its host), so many runs share one connection.
pub const RUNS_PER_CONNECTION: u32 = 50;
/// Alert channel schemes understood by the alert dispatcher (Apprise style).
pub const ALERT_SCHEMES: &[&str] = &[
    "json", "jsons", "slack", "discord", "tgram", "ntfy", "ntfys", "mailto", "mailtos",
];

/// A configuration that cannot be used; the message names the file, the key and the line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where facts are stored.
    #[serde(default)]
    pub database: DatabaseConfig,
    /// How chiso behaves on the network.
    #[serde(default)]
    pub http: HttpConfig,
    /// Scheduler settings shared by all sources.
    #[serde(default)]
    pub schedule: ScheduleConfig,
    /// Daemon lifecycle and its local HTTP endpoint.
    #[serde(default)]
    pub daemon: DaemonConfig,
    /// Extraction settings.
    #[serde(default)]
    pub extract: ExtractConfig,
    /// `chiso backfill` settings.
    #[serde(default)]
    pub backfill: BackfillConfig,
    /// The news sites to watch (`[[source]]`).
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
    /// Alert channels (`[[alert]]`).
    #[serde(default, rename = "alert")]
    pub alerts: Vec<AlertConfig>,
    /// The file this configuration was read from (for messages and relative paths).
    #[serde(skip)]
    pub path: PathBuf,
}

/// `[database]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://relative/or/absolute.db` or `postgres://user:pass@host/db`.
    #[serde(default = "default_database_url")]
    pub url: String,
    /// Connections in the pool.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
}

/// `[http]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Sent with every request; robots.txt rules are matched against it.
    #[serde(default = "default_user_agent")]
    pub user_agent: String,
    /// Minimum pause between two requests to the same host.
    #[serde(default = "default_min_interval_ms")]
    pub min_interval_ms: u64,
    /// Total time for one request.
    #[serde(default = "default_timeout_s")]
    pub timeout_s: u64,
    /// Largest body accepted.
    #[serde(default = "default_max_body_bytes")]
    pub max_body_bytes: u64,
    /// Obey robots.txt (Disallow and Crawl-delay).
    #[serde(default = "default_true")]
    pub respect_robots: bool,
    /// Retries after a timeout, a connection error or a 5xx.
    #[serde(default = "default_max_retries")]
    pub max_retries: u32,
    /// Longest Retry-After honoured.
    #[serde(default = "default_retry_after_cap_s")]
    pub retry_after_cap_s: u64,
    /// Redirects followed.
    #[serde(default = "default_max_redirects")]
    pub max_redirects: usize,
}

/// `[schedule]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Each source's offset into its slots: a random delay (0..jitter_s seconds, and less than
    /// the slot) drawn once per source and process.
    #[serde(default = "default_jitter_s")]
    pub jitter_s: u64,
    /// Pause after a failed run, doubled per consecutive failure (capped at a day).
    #[serde(default = "default_backoff_base_s")]
    pub backoff_base_s: u64,
    /// Crawl every enabled source once right after start (the current slot of its schedule,
    /// unless another instance already started it).
    #[serde(default = "default_true")]
    pub run_at_start: bool,
    /// Length of a source lease in seconds: an instance that dies loses its sources after this.
    #[serde(default = "default_lease_s")]
    pub lease_s: u64,
    /// Runs of the daemon in flight at once (the others wait in the work queue, in turn);
    /// `None`: [`RUNS_PER_CONNECTION`] per `[database] max_connections`. Bounded so that thousands of sources due in the
    /// same second queue instead of piling up in memory and waiting on the pool.
    #[serde(default)]
    pub max_concurrent_runs: Option<u32>,
}

/// `[daemon]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DaemonConfig {
    /// Address of `/healthz` and `/metrics`; empty string switches the listener off.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Seconds given to in-flight work after SIGTERM.
    #[serde(default = "default_shutdown_timeout_s")]
    pub shutdown_timeout_s: u64,
    /// Log filter when `RUST_LOG` is not set (`info`, `chiso=debug`, ...).
    #[serde(default = "default_log_level")]
    pub log_level: String,
}

/// `[extract]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtractConfig {
    /// A user's own indicator taxonomy; the built-in `config/indicators.toml` when absent.
    /// Relative paths are relative to the configuration file.
    #[serde(default)]
    pub indicators: Option<PathBuf>,
}

/// `[backfill]`: limits of `chiso backfill`, which may read thousands of pages of one site.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackfillConfig {
    /// Requests a backfill sends to one host in any hour; 0 leaves only `min_interval_ms`.
    #[serde(default)]
    pub max_requests_per_hour: u32,
}

/// One `[[source]]`: a news site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Unique short name (`baohatinh`).
    pub name: String,
    /// The province the paper covers: context for area names.
    pub province: String,
    /// The site's home page; links outside its host are not followed.
    pub base_url: String,
    /// Cron expression with seconds.
    #[serde(default = "default_schedule")]
    pub schedule: String,
    /// RSS 2.0 or Atom feeds.
    #[serde(default)]
    pub feeds: Vec<String>,
    /// Sitemaps or sitemap indexes (gzip allowed).
    #[serde(default)]
    pub sitemaps: Vec<String>,
    /// HTML pages that link to articles.
    #[serde(default)]
    pub listings: Vec<String>,
    /// Which discovered URLs are articles (regex on the URL).
    #[serde(default)]
    pub article_pattern: Option<String>,
    /// URLs never fetched even when they match (regex on the URL).
    #[serde(default)]
    pub deny_pattern: Option<String>,
    /// Pagination depth for listings.
    #[serde(default = "default_max_listing_pages")]
    pub max_listing_pages: u32,
    /// New article URLs taken from one feed, sitemap or listing page per run, newest first; the
    /// rest wait for later runs.
    #[serde(default = "default_max_new_per_run")]
    pub max_new_per_run: u32,
    /// Per-source CSS selectors; the generic extractor runs when absent.
    #[serde(default)]
    pub selectors: Option<Selectors>,
    /// A day or month archive page of the site for `chiso backfill`, with `{year}`, `{month}`
    /// and optionally `{day}` (`/archive/{year}/{month}/{day}/`); absent for most sites.
    #[serde(default)]
    pub archive_url: Option<String>,
    /// A source can be kept in the file but switched off.
    #[serde(default = "default_true")]
    pub enabled: bool,
}

/// One `[[alert]]`: a channel and what it wants to hear about.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertConfig {
    /// Channel URL in the style of Apprise (`json://host/path`, `mailto://...`).
    pub url: String,
    /// A name for listings; the redacted URL when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// Only reports about these provinces.
    #[serde(default)]
    pub provinces: Vec<String>,
    /// Only reports about these areas.
    #[serde(default)]
    pub areas: Vec<String>,
    /// Only reports with these indicator keys.
    #[serde(default)]
    pub indicators: Vec<String>,
    /// Only reports whose title contains one of these words.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Minimum facts in a report to alert (0: every new article).
    #[serde(default = "default_min_facts")]
    pub min_facts: u32,
    /// Alert again when an updated article's facts change.
    #[serde(default)]
    pub updates: bool,
    /// HMAC-SHA256 key for webhook signatures.
    #[serde(default)]
    pub secret: Option<String>,
    /// Facts shown in a message.
    #[serde(default = "default_max_facts")]
    pub max_facts: u32,
}

fn default_database_url() -> String {
    DEFAULT_DATABASE_URL.to_string()
}
fn default_max_connections() -> u32 {
    DEFAULT_MAX_CONNECTIONS
}
fn default_user_agent() -> String {
    DEFAULT_USER_AGENT.to_string()
}
fn default_min_interval_ms() -> u64 {
    DEFAULT_MIN_INTERVAL_MS
}
fn default_timeout_s() -> u64 {
    DEFAULT_TIMEOUT_S
}
fn default_max_body_bytes() -> u64 {
    DEFAULT_MAX_BODY_BYTES
}
fn default_true() -> bool {
    true
}
fn default_max_retries() -> u32 {
    DEFAULT_MAX_RETRIES
}
fn default_retry_after_cap_s() -> u64 {
    DEFAULT_RETRY_AFTER_CAP_S
}
fn default_max_redirects() -> usize {
    DEFAULT_MAX_REDIRECTS
}
fn default_jitter_s() -> u64 {
    DEFAULT_JITTER_S
}
fn default_backoff_base_s() -> u64 {
    DEFAULT_BACKOFF_BASE_S
}
fn default_lease_s() -> u64 {
    DEFAULT_LEASE_S
}
fn default_listen() -> String {
    DEFAULT_LISTEN.to_string()
}
fn default_shutdown_timeout_s() -> u64 {
    DEFAULT_SHUTDOWN_TIMEOUT_S
}
fn default_log_level() -> String {
    "info".to_string()
}
fn default_schedule() -> String {
    DEFAULT_SCHEDULE.to_string()
}
fn default_max_listing_pages() -> u32 {
    1
}
fn default_max_new_per_run() -> u32 {
    DEFAULT_MAX_NEW_PER_RUN
}
fn default_min_facts() -> u32 {
    1
}
fn default_max_facts() -> u32 {
    5
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: default_database_url(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            user_agent: default_user_agent(),
            min_interval_ms: DEFAULT_MIN_INTERVAL_MS,
            timeout_s: DEFAULT_TIMEOUT_S,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            respect_robots: true,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_after_cap_s: DEFAULT_RETRY_AFTER_CAP_S,
            max_redirects: DEFAULT_MAX_REDIRECTS,
        }
    }
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        Self {
            jitter_s: DEFAULT_JITTER_S,
            backoff_base_s: DEFAULT_BACKOFF_BASE_S,
            run_at_start: true,
            lease_s: DEFAULT_LEASE_S,
            max_concurrent_runs: None,
        }
    }
}

impl Default for DaemonConfig {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            shutdown_timeout_s: DEFAULT_SHUTDOWN_TIMEOUT_S,
            log_level: default_log_level(),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database: DatabaseConfig::default(),
            http: HttpConfig::default(),
            schedule: ScheduleConfig::default(),
            daemon: DaemonConfig::default(),
            extract: ExtractConfig::default(),
            backfill: BackfillConfig::default(),
            sources: Vec::new(),
            alerts: Vec::new(),
            path: PathBuf::new(),
        }
    }
}

impl Config {
    /// Runs of the daemon (and of `crawl --once`) in flight at once: `[schedule]
    /// max_concurrent_runs`, else [`RUNS_PER_CONNECTION`] per `[database] max_connections`.
    pub fn max_concurrent_runs(&self) -> usize {
        let n = self.schedule.max_concurrent_runs.unwrap_or(
            self.database
                .max_connections
                .max(1)
                .saturating_mul(RUNS_PER_CONNECTION),
        );
        usize::try_from(n.max(1)).unwrap_or(1)
    }

    /// Connections of the database pool: `[database] max_connections`, raised to one per
    /// [`RUNS_PER_CONNECTION`] runs when `max_concurrent_runs` asks for more runs than that, so
    /// that runs do not queue for a connection.
    pub fn pool_size(&self) -> u32 {
        let runs = u32::try_from(self.max_concurrent_runs()).unwrap_or(u32::MAX);
        self.database
            .max_connections
            .max(runs.div_ceil(RUNS_PER_CONNECTION))
    }

    /// The file to read: `--config`, else `$CHISO_CONFIG`, else `./config/chiso.toml`.
    pub fn resolve_path(explicit: Option<&Path>) -> PathBuf {
        if let Some(p) = explicit {
            return p.to_path_buf();
        }
        match std::env::var_os(CONFIG_ENV) {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => PathBuf::from(DEFAULT_CONFIG_PATH),
        }
    }

    /// Reads, parses and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError(format!(
                "{}: cannot read configuration file: {e}",
                path.display()
            ))
        })?;
        Self::parse(&text, path)
    }

    /// Parses and validates configuration text; `path` is used in messages and for relative paths.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let (line, key) = match e.span() {
                Some(s) => (
                    format!(":{}", line_of_offset(text, s.start)),
                    key_at_offset(text, s.start)
                        .map(|k| format!("{k}: "))
                        .unwrap_or_default(),
                ),
                None => (String::new(), String::new()),
            };
            ConfigError(format!(
                "{}{line}: {key}{}",
                path.display(),
                one_line(e.message())
            ))
        })?;
        config.path = path.to_path_buf();
        if let Ok(url) = std::env::var(DATABASE_URL_ENV) {
            if !url.is_empty() {
                config.database.url = url;
            }
        }
        validate::validate(&config, text)?;
        Ok(config)
    }

    /// The indicator taxonomy file chosen by the user, resolved against the config's folder.
    pub fn indicators_path(&self) -> Option<PathBuf> {
        let p = self.extract.indicators.as_ref()?;
        if p.is_absolute() {
            return Some(p.clone());
        }
        let base = self.path.parent().unwrap_or_else(|| Path::new("."));
        Some(base.join(p))
    }

    /// The source of that name.
    pub fn source(&self, name: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.name == name)
    }
}

/// 1-based line number of a byte offset.
pub(crate) fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The dotted key at a byte offset (`database.url`, `source[1].schedule`), found from the table
/// header above the offset and the `key =` on its line; `None` when the text has no such shape.
pub(crate) fn key_at_offset(text: &str, offset: usize) -> Option<String> {
    let end = offset.min(text.len());
    let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let line = &text[line_start..line_end];
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let mut table: Option<String> = None;
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for l in text[..line_start].lines() {
        let t = l.split('#').next().unwrap_or("").trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")) {
            let n = counts.entry(name.trim().to_string()).or_insert(0);
            table = Some(format!("{}[{}]", name.trim(), *n));
            *n += 1;
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            let name = name.trim();
            // `[source.selectors]` belongs to the current `[[source]]`.
            table = match (
                name.split_once('.'),
                counts.get(name.split('.').next().unwrap_or("")),
            ) {
                (Some((parent, child)), Some(n)) => Some(format!("{parent}[{}].{child}", n - 1)),
                _ => Some(name.to_string()),
            };
        }
    }
    match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (None, Some(k)) => Some(k),
        (Some(t), None) => Some(t),
        (None, None) => None,
    }
}

/// Multi-line parser messages (regex carets, TOML hints) folded into one line, so that a
/// configuration error is one message in the journal.
pub(crate) fn one_line(msg: &str) -> String {
    msg.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::Config;

    fn config(text: &str) -> Config {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn concurrent_runs_default_from_the_pool_and_the_pool_grows_with_them() {
        let c = config("");
        assert_eq!((c.max_concurrent_runs(), c.pool_size()), (250, 5));
        let c = config("[database]\nmax_connections = 2\n");
        assert_eq!((c.max_concurrent_runs(), c.pool_size()), (100, 2));
        let c = config("[schedule]\nmax_concurrent_runs = 1000\n");
        assert_eq!((c.max_concurrent_runs(), c.pool_size()), (1000, 20));
        let c = config("[schedule]\nmax_concurrent_runs = 3\n");
        assert_eq!((c.max_concurrent_runs(), c.pool_size()), (3, 5));
    }
}
