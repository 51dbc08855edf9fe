//! `chiso config check`, `chiso sources` and `chiso db migrate`: looking at and preparing a
//! deployment before the daemon runs.

use crate::app::{load_config, prepare_store, runtime};
use crate::config::{redact_url, Config};
use std::path::Path;
use std::process::ExitCode;

/// `chiso config check`: validates and prints a summary of sources and channels.
pub fn config_check(explicit: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(explicit)?;
    println!("{}: OK", config.path.display());
    println!("database: {}", redact_url(&config.database.url));
    print_sources(&config);
    println!("alert channels: {}", config.alerts.len());
    for a in &config.alerts {
        let filters = [
            ("provinces", &a.provinces),
            ("areas", &a.areas),
            ("indicators", &a.indicators),
            ("keywords", &a.keywords),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", v.join("|")))
        .collect::<Vec<_>>()
        .join(" ");
        println!(
            "  {:<40} min_facts={} {}",
            a.name.clone().unwrap_or_else(|| redact_url(&a.url)),
            a.min_facts,
            if filters.is_empty() {
                "(every new report)".to_string()
            } else {
                filters
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `chiso sources`: the configured sources, one line each.
pub fn sources(explicit: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(explicit)?;
    print_sources(&config);
    Ok(ExitCode::SUCCESS)
}

fn print_sources(config: &Config) {
    let enabled = config.sources.iter().filter(|s| s.enabled).count();
    println!("sources: {} ({enabled} enabled)", config.sources.len());
    for s in &config.sources {
        println!(
            "  {:<16} {:<14} {:<32} schedule \"{}\"  feeds {} sitemaps {} listings {}  selectors {}{}",
            s.name,
            s.province,
            s.base_url,
            s.schedule,
            s.feeds.len(),
            s.sitemaps.len(),
            s.listings.len(),
            if s.selectors.is_some() {
                "custom"
            } else {
                "generic"
            },
            if s.enabled { "" } else { "  (disabled)" }
        );
    }
}

/// `chiso db migrate`: applies migrations, loads the gazetteer and records the sources.
pub fn db_migrate(explicit: Option<&Path>) -> anyhow::Result<ExitCode> {
    let config = load_config(explicit)?;
    let rt = runtime()?;
    rt.block_on(async {
        let (store, prepared) = prepare_store(&config).await?;
        let counts = store.counts().await?;
        println!(
            "database {}: {} migration(s) applied, {} area row(s) loaded; now {} sources, {} areas, {} articles, {} facts",
            redact_url(&config.database.url),
            prepared.migrations,
            prepared.areas,
            counts.sources,
            counts.areas,
            counts.articles,
            counts.facts
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// `chiso status`: per source, the last run and its outcome, the next scheduled run, consecutive
/// failures, articles, facts, the scheduled runs that did not start and the last run's selector
/// fallbacks; then a warning per source whose selectors fell back, a line per source with skipped
/// runs (when and why the last was skipped), and alerts by status.
pub fn status(explicit: Option<&Path>) -> anyhow::Result<ExitCode> {
    use croner::parser::{CronParser, Seconds};
    let config = load_config(explicit)?;
    let rt = runtime()?;
    let (rows, alerts) = rt.block_on(async {
        let (store, _) = prepare_store(&config).await?;
        anyhow::Ok((store.source_status().await?, store.alert_counts().await?))
    })?;
    let tz = crate::scrape::vietnam();
    let now = chrono::Utc::now().with_timezone(&tz);
    let fmt = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "-".into())
    };
    println!(
        "{:<16} {:<16} {:<11} {:<16} {:<16} {:>5} {:>8} {:>7} {:>7} {:>9}",
        "source",
        "last run",
        "outcome",
        "last success",
        "next run",
        "fails",
        "articles",
        "facts",
        "skipped",
        "fallbacks"
    );
    for r in &rows {
        let next = config
            .source(&r.name)
            .filter(|s| s.enabled)
            .and_then(|s| {
                CronParser::builder()
                    .seconds(Seconds::Required)
                    .dom_and_dow(true)
                    .build()
                    .parse(&s.schedule)
                    .ok()
            })
            .and_then(|c| c.find_next_occurrence(&now, false).ok())
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "(disabled)".into());
        let outcome = match (&r.last_status, r.last_finished) {
            (Some(s), _) => s.clone(),
            (None, _) => "never run".into(),
        };
        println!(
            "{:<16} {:<16} {:<11} {:<16} {:<16} {:>5} {:>8} {:>7} {:>7} {:>9}",
            r.name,
            fmt(r.last_started),
            outcome,
            fmt(r.last_success),
            next,
            r.consecutive_failures,
            r.articles,
            r.facts,
            r.runs_skipped,
            r.selector_fallbacks
        );
    }
    for r in rows.iter().filter(|r| r.runs_skipped > 0) {
        println!(
            "skipped: {}: {} scheduled run(s) did not start, the last due {} ({})",
            r.name,
            r.runs_skipped,
            fmt(r.last_skipped_at),
            r.last_skip_reason.as_deref().unwrap_or("-")
        );
    }
    for r in rows.iter().filter(|r| r.selector_fallbacks > 0) {
        println!(
            "warning: {}: the selectors fell back to the generic extractor on {} page(s) of the \
             last run: the site's markup has changed, check [source.selectors]",
            r.name, r.selector_fallbacks
        );
    }
    let mut by_status: std::collections::BTreeMap<&str, i64> = Default::default();
    for (_, s, n) in &alerts {
        *by_status.entry(s.as_str()).or_default() += n;
    }
    let alerts: Vec<String> = by_status.iter().map(|(s, n)| format!("{s} {n}")).collect();
    println!(
        "alerts: {}",
        if alerts.is_empty() {
            "none".to_string()
        } else {
            alerts.join(", ")
        }
    );
    Ok(ExitCode::SUCCESS)
}
