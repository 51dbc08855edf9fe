//! `chiso backfill`: the history of one source (or every enabled one) over a date range.

use crate::app::{load_config, prepare_store, runtime};
use crate::backfill::{Backfiller, DayRange, Options, Progress, Report};
use crate::config::{Config, ConfigError, SourceConfig};
use chrono::NaiveDate;
use clap::Args;
use std::path::Path;
use std::process::ExitCode;

/// Arguments of `chiso backfill`.
#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// The source to fill.
    #[arg(long, value_name = "NAME", conflicts_with = "all")]
    pub source: Option<String>,
    /// Every enabled source, one after another.
    #[arg(long)]
    pub all: bool,
    /// First publication day (Asia/Ho_Chi_Minh), inclusive.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: String,
    /// Last publication day, inclusive [default: today in Asia/Ho_Chi_Minh].
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<String>,
    /// Write alert rows for the stored articles, as a crawl would (history is not news: off by
    /// default).
    #[arg(long)]
    pub alerts: bool,
    /// Read feeds, sitemaps and listings only and print the range's articles per month.
    #[arg(long)]
    pub dry_run: bool,
    /// Requests to one host in any hour [default: `[backfill] max_requests_per_hour`; 0: no
    /// bound beyond `[http] min_interval_ms`].
    #[arg(long, value_name = "N")]
    pub max_requests_per_hour: Option<u32>,
}

fn day(flag: &str, value: &str) -> Result<NaiveDate, ConfigError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|e| {
        ConfigError(format!(
            "{flag}: invalid date {value:?} ({e}; expected YYYY-MM-DD)"
        ))
    })
}

/// The range and the sources the arguments name; every mistake is a [`ConfigError`] (exit 2)
/// naming the flag or the source.
pub fn plan(
    config: &Config,
    args: &BackfillArgs,
) -> Result<(DayRange, Vec<SourceConfig>), ConfigError> {
    let since = day("--since", &args.since)?;
    let until = match &args.until {
        Some(u) => day("--until", u)?,
        None => chrono::Utc::now()
            .with_timezone(&crate::scrape::vietnam())
            .date_naive(),
    };
    if until < since {
        return Err(ConfigError(format!(
            "--until {until} is before --since {since}"
        )));
    }
    let sources = match (&args.source, args.all) {
        (Some(name), _) => {
            let Some(src) = config.source(name) else {
                return Err(ConfigError(format!(
                    "--source: no source named {name:?} in {}; known: {}",
                    config.path.display(),
                    config
                        .sources
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            if !src.enabled {
                return Err(ConfigError(format!(
                    "--source: source {name:?} is disabled (enabled = false) in {}",
                    config.path.display()
                )));
            }
            vec![src.clone()]
        }
        (None, true) => config
            .sources
            .iter()
            .filter(|s| s.enabled)
            .cloned()
            .collect(),
        (None, false) => return Err(ConfigError("backfill needs --source NAME or --all".into())),
    };
    Ok((DayRange { since, until }, sources))
}

/// `chiso backfill`: exit 0 when every page was dealt with, 1 when some failed (the same
/// command tries them again), 2 for bad arguments.
pub fn run(explicit: Option<&Path>, args: &BackfillArgs) -> anyhow::Result<ExitCode> {
    let config = load_config(explicit)?;
    let (range, sources) = plan(&config, args)?;
    let opts = Options {
        range,
        alerts: args.alerts,
        dry_run: args.dry_run,
    };
    let per_hour = args
        .max_requests_per_hour
        .unwrap_or(config.backfill.max_requests_per_hour);
    let reports = runtime()?.block_on(async {
        let (store, _) = prepare_store(&config).await?;
        let bf = Backfiller::new(&config, store, per_hour)?;
        let mut reports = Vec::new();
        for src in &sources {
            let progress = Progress::new(&src.name);
            let report = bf.backfill(src, &opts, &progress).await;
            progress.finish();
            let report = report?;
            let interrupted = report.interrupted;
            reports.push(report);
            if interrupted {
                break;
            }
        }
        anyhow::Ok(reports)
    })?;
    if opts.dry_run {
        print_months(&reports, &range);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<16} {:>6} {:>8} {:>7} {:>7} {:>7} {:>8} {:>8} {:>6} {:>8}",
        "source",
        "pages",
        "fetched",
        "stored",
        "facts",
        "known",
        "skipped",
        "set_aside",
        "errors",
        "seconds"
    );
    let mut failed = false;
    for r in &reports {
        failed |= r.errors > 0;
        println!(
            "{:<16} {:>6} {:>8} {:>7} {:>7} {:>7} {:>8} {:>8} {:>6} {:>8.1}",
            r.source,
            r.pages,
            r.fetched,
            r.stored,
            r.facts,
            r.known,
            r.out_of_range,
            r.set_aside,
            r.errors,
            r.seconds
        );
        for m in &r.messages {
            println!("    {m}");
        }
    }
    if failed {
        eprintln!("chiso: some pages failed; the same command tries them again");
        return Ok(ExitCode::from(super::EXIT_FAILURE));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_months(reports: &[Report], range: &DayRange) {
    println!(
        "articles per month from {} to {} (dry run: no article page fetched)",
        range.since, range.until
    );
    for r in reports {
        let total: u64 = r.months.values().sum();
        println!(
            "{}: {total} dated, {} undated, {} pages read",
            r.source, r.undated, r.pages
        );
        for (month, n) in &r.months {
            println!("  {month}  {n}");
        }
    }
}
