//! `chiso scrape`: article fields from saved HTML pages.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `chiso scrape`.
#[derive(Debug, Args)]
pub struct ScrapeArgs {
    /// The page's URL (resolves relative links, picks the source's selectors).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Use the selectors of this configured source.
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Read lines {"id", "url", "path"} (path may be gzipped) and write one line per page.
    #[arg(long, value_name = "IN.jsonl", conflicts_with = "file")]
    pub batch: Option<PathBuf>,
    /// The HTML file; `-` or nothing reads standard input.
    #[arg(value_name = "FILE.html")]
    pub file: Option<PathBuf>,
}

/// Runs `chiso scrape`.
pub fn run(_args: &ScrapeArgs) -> anyhow::Result<ExitCode> {
    Ok(super::not_yet_available("scrape"))
}
