//! Semantic checks that serde cannot do: cron expressions, regexes, CSS selectors, URLs, unique
//! names. Each failure becomes one message naming the file, the line (when it can be found in the
//! text) and the key, e.g. `chiso.toml:14: source[1] "baonghean": schedule: ...`.

use super::{Config, ConfigError, SourceConfig, ALERT_SCHEMES};
use std::collections::HashSet;
use std::net::SocketAddr;
use url::Url;

/// Checks a parsed configuration; `text` is the file's content, used to find line numbers.
pub(super) fn validate(config: &Config, text: &str) -> Result<(), ConfigError> {
    let file = config.path.display().to_string();
    let err = |line: Option<usize>, key: &str, msg: String| {
        let at = line.map(|l| format!(":{l}")).unwrap_or_default();
        ConfigError(format!("{file}{at}: {key}: {}", super::one_line(&msg)))
    };
    let top_line = |section: &str, key: &str| find_key_line(text, section, 0, key);

    let db = &config.database.url;
    if !(db.starts_with("sqlite:") || db.starts_with("postgres:") || db.starts_with("postgresql:"))
    {
        return Err(err(
            top_line("[database]", "url"),
            "database.url",
            format!(
                "unsupported database URL {:?}: expected sqlite://FILE or postgres://...",
                redact_url(db)
            ),
        ));
    }
    if config.http.user_agent.trim().is_empty() {
        return Err(err(
            top_line("[http]", "user_agent"),
            "http.user_agent",
            "must not be empty".into(),
        ));
    }
    for (key, value) in [
        ("timeout_s", config.http.timeout_s),
        ("max_body_bytes", config.http.max_body_bytes),
    ] {
        if value == 0 {
            return Err(err(
                top_line("[http]", key),
                &format!("http.{key}"),
                "must be greater than 0".into(),
            ));
        }
    }
    if config.schedule.lease_s < 3 {
        return Err(err(
            top_line("[schedule]", "lease_s"),
            "schedule.lease_s",
            format!(
                "{} is too short: a lease is renewed every third of it (at least 3)",
                config.schedule.lease_s
            ),
        ));
    }
    if config.schedule.max_concurrent_runs == Some(0) {
        return Err(err(
            top_line("[schedule]", "max_concurrent_runs"),
            "schedule.max_concurrent_runs",
            "0 would never run a source (at least 1)".to_string(),
        ));
    }
    let listen = &config.daemon.listen;
    if !listen.is_empty() && listen.parse::<SocketAddr>().is_err() {
        return Err(err(
            top_line("[daemon]", "listen"),
            "daemon.listen",
            format!("{listen:?} is not an address such as 127.0.0.1:9464 (use \"\" to switch the listener off)"),
        ));
    }

    let mut names = HashSet::new();
    for (i, source) in config.sources.iter().enumerate() {
        let line = |key: &str| find_key_line(text, "[[source]]", i, key);
        let label = format!("source[{i}] {:?}", source.name);
        let fail = |key: &str, msg: String| err(line(key), &format!("{label}: {key}"), msg);
        if source.name.is_empty()
            || !source
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        {
            return Err(fail(
                "name",
                "must be a non-empty ASCII name (letters, digits, '-', '_', '.')".into(),
            ));
        }
        if !names.insert(source.name.as_str()) {
            return Err(fail(
                "name",
                format!("duplicate source name {:?}", source.name),
            ));
        }
        if source.province.trim().is_empty() {
            return Err(fail("province", "must not be empty".into()));
        }
        let base = parse_http_url(&source.base_url).map_err(|m| fail("base_url", m))?;
        for (key, list) in [
            ("feeds", &source.feeds),
            ("sitemaps", &source.sitemaps),
            ("listings", &source.listings),
        ] {
            for (j, u) in list.iter().enumerate() {
                resolve_source_url(&base, u).map_err(|m| fail(key, format!("[{j}] {m}")))?;
            }
        }
        if let Some(template) = &source.archive_url {
            if !template.contains("{year}") {
                return Err(fail(
                    "archive_url",
                    format!(
                        "{template:?} has no {{year}} (placeholders: {{year}}, {{month}}, {{day}})"
                    ),
                ));
            }
            let sample = template
                .replace("{year}", "2024")
                .replace("{month}", "01")
                .replace("{day}", "01");
            resolve_source_url(&base, &sample).map_err(|m| fail("archive_url", m))?;
        }
        check_cron(&source.schedule).map_err(|m| fail("schedule", m))?;
        if source.max_new_per_run == 0 {
            return Err(fail(
                "max_new_per_run",
                "must be at least 1 (it bounds the new URLs taken from one feed per run)".into(),
            ));
        }
        for (key, pattern) in [
            ("article_pattern", &source.article_pattern),
            ("deny_pattern", &source.deny_pattern),
        ] {
            if let Some(p) = pattern {
                regex::Regex::new(p)
                    .map_err(|e| fail(key, format!("invalid regular expression {p:?}: {e}")))?;
            }
        }
        if let Some(selectors) = &source.selectors {
            selectors.validate().map_err(|e| {
                let key = e.field.split('[').next().unwrap_or("");
                let l = find_key_line(text, "[source.selectors]", i, key);
                err(
                    l,
                    &format!("{label}: selectors.{}", e.field),
                    format!("invalid CSS selector {:?}: {}", e.selector, e.message),
                )
            })?;
        }
    }

    for (i, alert) in config.alerts.iter().enumerate() {
        let line = find_key_line(text, "[[alert]]", i, "url");
        check_alert_url(&alert.url).map_err(|m| err(line, &format!("alert[{i}]: url"), m))?;
    }
    Ok(())
}

/// Parses a cron expression with seconds, as the scheduler will.
pub(crate) fn check_cron(expr: &str) -> Result<(), String> {
    use croner::parser::{CronParser, Seconds};
    CronParser::builder()
        .seconds(Seconds::Required)
        .dom_and_dow(true)
        .build()
        .parse(expr)
        .map(|_| ())
        .map_err(|e| {
            format!("invalid cron expression {expr:?} (six fields, seconds first, e.g. \"0 */30 * * * *\"): {e}")
        })
}

fn parse_http_url(s: &str) -> Result<Url, String> {
    let url = Url::parse(s).map_err(|e| format!("invalid URL {s:?}: {e}"))?;
    check_http(&url, s)?;
    Ok(url)
}

fn check_http(url: &Url, s: &str) -> Result<(), String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{s:?}: only http and https URLs are fetched"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{s:?}: URL has no host"));
    }
    Ok(())
}

/// A feed, sitemap or listing URL: absolute, or relative to the source's `base_url`.
pub fn resolve_source_url(base: &Url, s: &str) -> Result<Url, String> {
    let url = base
        .join(s)
        .map_err(|e| format!("invalid URL {s:?}: {e}"))?;
    check_http(&url, s)?;
    Ok(url)
}

/// A channel URL is valid when the alert module can build a channel from it (one parser for
/// validation and delivery: Telegram tokens contain a `:` that generic URL parsers take for a port).
fn check_alert_url(s: &str) -> Result<(), String> {
    let scheme = s.split_once("://").map(|(sc, _)| sc).unwrap_or("");
    if !ALERT_SCHEMES.contains(&scheme) {
        return Err(format!(
            "unknown channel scheme {scheme:?} in {:?}; known: {}",
            redact_url(s),
            ALERT_SCHEMES.join(", ")
        ));
    }
    crate::alert::Target::parse(s)
        .map(|_| ())
        .map_err(|e| e.reason)
}

/// A URL with its secrets replaced by `***`, for logs and listings: passwords, user-info without a
/// password (`TOKEN@host`) and query strings everywhere; the whole address of token-bearing
/// schemes (Telegram, Slack, Discord) and of `ntfy://TOPIC` (the topic is the secret); the path
/// of webhooks and ntfy servers (services put tokens and topics there). Never fails, whatever the
/// text.
pub fn redact_url(s: &str) -> String {
    let Some((scheme, rest)) = s.split_once("://") else {
        return "<unparseable URL>".to_string();
    };
    let scheme = scheme.to_ascii_lowercase();
    if matches!(scheme.as_str(), "tgram" | "slack" | "discord") {
        return format!("{scheme}://***");
    }
    let query = if rest.contains('?') { "?***" } else { "" };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let ntfy = matches!(scheme.as_str(), "ntfy" | "ntfys");
    if ntfy && path.len() <= 1 {
        // `ntfy://TOPIC`: the address is the topic on ntfy.sh, and anyone who knows it can read it.
        return format!("{scheme}://***{query}");
    }
    let host = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            // A lone user-info is a token as often as a name (`jsons://TOKEN@host`).
            None => format!("***@{host}"),
        },
        None => authority.to_string(),
    };
    let path = if (ntfy || matches!(scheme.as_str(), "json" | "jsons")) && path.len() > 1 {
        "/***"
    } else {
        path
    };
    format!("{scheme}://{host}{path}{query}")
}

/// Finds the 1-based line of `key = ...` inside the `nth` occurrence of the table `header`
/// (`[http]`, `[[source]]`, `[source.selectors]` counted per enclosing `[[source]]`). Best effort:
/// a file written with inline tables or dotted keys may not be found, and then no line is shown.
fn find_key_line(text: &str, header: &str, nth: usize, key: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut start = None;
    if header == "[source.selectors]" {
        // The selectors table of the nth [[source]].
        let src = nth_header(&lines, "[[source]]", nth)?;
        let end = next_header_idx(&lines, src + 1, |h| h == "[[source]]").unwrap_or(lines.len());
        for (idx, l) in lines.iter().enumerate().take(end).skip(src + 1) {
            if header_of(l) == Some("[source.selectors]") {
                start = Some(idx);
                break;
            }
        }
    } else {
        start = nth_header(&lines, header, nth);
    }
    let start = start?;
    let end = next_header_idx(&lines, start + 1, |_| true).unwrap_or(lines.len());
    lines[start + 1..end]
        .iter()
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|p| start + 1 + p + 1)
        .or(Some(start + 1))
}

fn header_of(line: &str) -> Option<&str> {
    let t = line.trim();
    let t = t.split('#').next().unwrap_or("").trim();
    (t.starts_with('[') && t.ends_with(']')).then_some(t)
}

fn nth_header(lines: &[&str], header: &str, nth: usize) -> Option<usize> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| header_of(l).map(|h| h.replace(' ', "")) == Some(header.to_string()))
        .nth(nth)
        .map(|(i, _)| i)
}

fn next_header_idx(lines: &[&str], from: usize, pred: impl Fn(&str) -> bool) -> Option<usize> {
    (from..lines.len()).find(|&i| header_of(lines[i]).is_some_and(&pred))
}

/// Used by `SourceConfig` users that need the parsed base URL.
impl SourceConfig {
    /// The base URL, parsed (validated at load time).
    pub fn base(&self) -> Result<Url, String> {
        parse_http_url(&self.base_url)
    }
}

#[cfg(test)]
mod tests {
    use super::{check_alert_url, redact_url};

    #[test]
    fn secrets_never_shown() {
        assert_eq!(
            redact_url("postgres://chiso:s3cret@db/chiso"),
            "postgres://chiso:***@db/chiso"
        );
        assert_eq!(redact_url("no scheme"), "<unparseable URL>");
    }

    /// One case (or more) per alert scheme: nothing secret survives, the host stays readable.
    #[test]
    fn every_alert_scheme_is_redacted() {
        let cases = [
            (
                "json://127.0.0.1:9000/hook/T0K3N",
                "json://127.0.0.1:9000/***",
            ),
            (
                "json://T0K3N@hooks.example.vn/x",
                "json://***@hooks.example.vn/***",
            ),
            (
                "jsons://hooks.example.vn/T0K3N/abc?x=1",
                "jsons://hooks.example.vn/***?***",
            ),
            (
                "jsons://T0K3N@hooks.example.vn",
                "jsons://***@hooks.example.vn",
            ),
            (
                "jsons://user:pw@hooks.example.vn/",
                "jsons://user:***@hooks.example.vn/",
            ),
            (
                "json://hooks.example.vn?token=T0K3N",
                "json://hooks.example.vn?***",
            ),
            ("slack://T000/B000/XXXX", "slack://***"),
            ("discord://1234/T0K3N", "discord://***"),
            ("tgram://123456:ABC-def/-100200", "tgram://***"),
            ("ntfy://s3cret-topic", "ntfy://***"),
            (
                "ntfy://s3cret-topic?base=http://127.0.0.1:1",
                "ntfy://***?***",
            ),
            (
                "ntfys://ntfy.example.vn/s3cret-topic",
                "ntfys://ntfy.example.vn/***",
            ),
            (
                "ntfys://u:pw@ntfy.example.vn:8443/topic",
                "ntfys://u:***@ntfy.example.vn:8443/***",
            ),
            (
                "ntfy://T0K3N@ntfy.example.vn/topic",
                "ntfy://***@ntfy.example.vn/***",
            ),
            (
                "mailto://user:pw@smtp.example.vn?from=a@b.vn&to=c@d.vn",
                "mailto://user:***@smtp.example.vn?***",
            ),
            (
                "mailtos://user:pw@smtp.example.vn:465?to=a@b.vn",
                "mailtos://user:***@smtp.example.vn:465?***",
            ),
            (
                "mailtos://apikey@smtp.example.vn",
                "mailtos://***@smtp.example.vn",
            ),
        ];
        for (url, shown) in cases {
            assert_eq!(redact_url(url), shown, "{url}");
            for secret in [
                "T0K3N", "s3cret", "pw@", "XXXX", "ABC-def", "apikey", "c@d.vn",
            ] {
                assert!(!redact_url(url).contains(secret), "{url}");
            }
        }
        // Every scheme chiso accepts has a case above.
        for scheme in super::ALERT_SCHEMES {
            assert!(
                cases
                    .iter()
                    .any(|(u, _)| u.starts_with(&format!("{scheme}://"))),
                "{scheme}"
            );
        }
    }

    #[test]
    fn telegram_tokens_with_colons_are_valid_channels() {
        assert!(check_alert_url("tgram://123456:ABC-def/-100200").is_ok());
        assert!(check_alert_url("json://127.0.0.1:9000/hook").is_ok());
        assert!(check_alert_url("pigeon://x").is_err());
    }
}
