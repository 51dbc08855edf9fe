//! The command line: one clap definition, one `match` on the subcommand, named exit codes.
//!
//! Each command lives in its own file; errors travel as `anyhow::Error` up to [`main`], which maps
//! configuration errors to exit code 2 and everything else to 1.

mod admin;
pub mod alerts;
pub mod backfill;

mod crawl;
pub mod extract;
pub mod reprocess;
pub mod scrape;
mod serve;
pub mod trend;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code of a command that ran to the end.
pub const EXIT_OK: u8 = 0;
/// Exit code of a runtime failure (network, database, input data).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code of an unusable configuration file.
pub const EXIT_CONFIG: u8 = 2;

/// chiso: turns Vietnamese provincial news into indicator data.
#[derive(Debug, Parser)]
#[command(name = "chiso", version, about, long_about = None)]
pub struct Cli {
    /// Configuration file [default: $CHISO_CONFIG, else ./config/chiso.toml]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands; names are contracts (DESIGN.md, the issues).
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: crawl every source on its schedule and deliver alerts.
    Run,
    /// Serve the read-only web pages and JSON API on `[daemon] listen`.
    Serve,
    /// Crawl the configured sources.
    Crawl(CrawlArgs),
    /// Fill a source's history over a date range from its sitemaps, archive and listings.
    Backfill(backfill::BackfillArgs),
    /// Extract indicator facts from article text.
    Extract(extract::ExtractArgs),
    /// Scrape article fields from saved HTML.
    Scrape(scrape::ScrapeArgs),
    /// Show the series of one indicator for one area.
    Trend(trend::TrendArgs),
    /// List areas, indicators or reports.
    Query(trend::QueryArgs),
    /// Export every fact with its provenance.
    Export(trend::ExportArgs),
    /// Re-run scraping and extraction on stored pages, without the network.
    Reprocess(reprocess::ReprocessArgs),
    /// List, test, dispatch and retry alerts.
    Alerts(alerts::AlertsArgs),
    /// Per-source state of the crawler and pending alerts.
    Status,
    /// Database maintenance.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Configuration file checks.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// List the configured sources.
    Sources,
    /// Serve a small built-in site on 127.0.0.1, crawl it into a fresh SQLite file, show the result.
    Demo(crate::demo::DemoArgs),
}

/// `chiso db ...`
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply pending migrations to the configured database.
    Migrate,
}

/// `chiso config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration and print a summary of sources and alert channels.
    Check,
}

/// Arguments of `chiso crawl`.
#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Crawl each source once and exit.
    #[arg(long)]
    pub once: bool,
    /// Only this source.
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
}

/// Runs one command and maps its outcome to an exit code.
pub fn main(cli: Cli) -> ExitCode {
    // The daemon sets its level from the configuration; a one-shot crawl reports progress.
    match cli.command {
        Command::Run => {}
        Command::Crawl(_) | Command::Backfill(_) => init_logging("info"),
        _ => init_logging("warn"),
    }
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            if err.downcast_ref::<crate::config::ConfigError>().is_some() {
                eprintln!("chiso: {err}");
                ExitCode::from(EXIT_CONFIG)
            } else {
                eprintln!("chiso: error: {}", describe(&err));
                ExitCode::from(EXIT_FAILURE)
            }
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Extract(args) => extract::run(args),
        Command::Scrape(args) => {
            let selectors = source_selectors(cli.config.as_deref(), args.source.as_deref())?;
            scrape::run_with(args, selectors.as_ref())
        }
        Command::Run => crawl::run(cli.config.as_deref()),
        Command::Serve => serve::serve(cli.config.as_deref()),
        Command::Crawl(args) => crawl::crawl(cli.config.as_deref(), args),
        Command::Backfill(args) => backfill::run(cli.config.as_deref(), args),
        Command::Trend(args) => trend::trend(cli.config.as_deref(), args),
        Command::Query(args) => trend::query(cli.config.as_deref(), args),
        Command::Export(args) => trend::export(cli.config.as_deref(), args),
        Command::Reprocess(args) => reprocess::run(cli.config.as_deref(), args),
        Command::Alerts(args) => alerts::run(cli.config.as_deref(), args),
        Command::Status => admin::status(cli.config.as_deref()),
        Command::Db {
            command: DbCommand::Migrate,
        } => admin::db_migrate(cli.config.as_deref()),
        Command::Config {
            command: ConfigCommand::Check,
        } => admin::config_check(cli.config.as_deref()),
        Command::Sources => admin::sources(cli.config.as_deref()),
        Command::Demo(args) => {
            crate::app::runtime()?.block_on(crate::demo::run(args))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The selectors of `--source NAME` from the configuration (`None` without `--source`, or for a
/// source that has none: the generic extractor then runs).
fn source_selectors(
    config: Option<&std::path::Path>,
    source: Option<&str>,
) -> anyhow::Result<Option<crate::scrape::Selectors>> {
    let Some(name) = source else {
        return Ok(None);
    };
    let config = crate::app::load_config(config)?;
    let src = config.source(name).ok_or_else(|| {
        anyhow::anyhow!(
            "no source named {name:?} in {}; known: {}",
            config.path.display(),
            config
                .sources
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    Ok(src.selectors.clone())
}

/// The error and its causes on one line, leaving out causes that repeat what was already said
/// (drivers often wrap the same message two or three times).
fn describe(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// Logs go to stderr (journald keeps them), without colours unless stderr is a terminal; the
/// level comes from `RUST_LOG`, else `default` (`warn` for commands whose output is data). A bare
/// level such as `info` applies to chiso only: the libraries below it (the scheduler, sqlx,
/// hyper...) log warnings and errors unless `RUST_LOG` asks for more.
pub(crate) fn init_logging(default: &str) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(default_filter(default)))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,chiso=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// The filter for a configured log level: a bare level is chiso's, dependencies stay at `warn`
/// (or quieter when the level is); a directive list (`chiso=debug,sqlx=info`) is used as written.
fn default_filter(level: &str) -> String {
    let level = level.trim();
    if level.contains('=') || level.contains(',') {
        return level.to_string();
    }
    match level.to_ascii_lowercase().as_str() {
        "off" | "error" => level.to_string(),
        _ => format!("warn,chiso={level}"),
    }
}

#[cfg(test)]
mod tests {
    use super::default_filter;

    #[test]
    fn a_bare_level_is_chisos_and_dependencies_stay_at_warn() {
        assert_eq!(default_filter("info"), "warn,chiso=info");
        assert_eq!(default_filter("debug"), "warn,chiso=debug");
        assert_eq!(default_filter("error"), "error");
        assert_eq!(default_filter("chiso=debug,info"), "chiso=debug,info");
    }
}
