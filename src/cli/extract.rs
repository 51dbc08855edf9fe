//! `chiso extract`: facts from one article or from a JSONL batch.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `chiso extract` (names fixed by EXTRACTION.md).
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Province of the source, used as context to resolve area names.
    #[arg(long, value_name = "NAME")]
    pub province: Option<String>,
    /// Publication date (YYYY-MM-DD); resolves relative periods such as "năm qua".
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub published: Option<String>,
    /// The input is an HTML page: scrape the article text first.
    #[arg(long)]
    pub html: bool,
    /// Read lines {"id", "text", "published", "province"} and write one {"id", "facts"} line each.
    #[arg(long, value_name = "IN.jsonl", conflicts_with = "file")]
    pub batch: Option<PathBuf>,
    /// The article text (or HTML with --html); `-` or nothing reads standard input.
    #[arg(value_name = "FILE|-")]
    pub file: Option<PathBuf>,
}

/// Runs `chiso extract`.
pub fn run(_args: &ExtractArgs) -> anyhow::Result<ExitCode> {
    Ok(super::not_yet_available("extract"))
}
