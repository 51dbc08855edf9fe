//! `chiso scrape`: article fields from saved HTML pages.
//!
//! One page prints `{"title", "published", "author", "sapo", "body"}`; `--batch IN.jsonl` reads
//! lines `{"id", "url", "path"}` and streams one line `{"id", "title", "published", "author",
//! "body"}` per input line, in order (the body there is the sapo followed by the body, the text
//! the indicator extractor reads). A line that fails yields `{"id", "error"}` and the run goes on.

use crate::scrape::{scrape, Article, Selectors};
use anyhow::{bail, Context};
use clap::Args;
use serde::Deserialize;
use serde_json::{json, Value};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
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

/// Runs `chiso scrape` without source selectors.
pub fn run(args: &ScrapeArgs) -> anyhow::Result<ExitCode> {
    run_with(args, None)
}

/// Runs `chiso scrape` with the selectors of the source named by `--source`, if any.
pub fn run_with(args: &ScrapeArgs, selectors: Option<&Selectors>) -> anyhow::Result<ExitCode> {
    if let Some(batch) = &args.batch {
        return run_batch(batch, selectors);
    }
    let url = parse_url(args.url.as_deref())?;
    let bytes = match args.file.as_deref() {
        None => read_stdin()?,
        Some(p) if p == Path::new("-") => read_stdin()?,
        Some(p) => read_page(p)?,
    };
    let html = String::from_utf8_lossy(&bytes);
    let a = scrape(&html, url.as_ref(), selectors);
    let mut out = json!({
        "title": a.title,
        "published": published(&a),
        "author": a.author,
        "sapo": a.sapo,
        "body": a.body,
    });
    // With `--source`, say when its selectors were set aside for the generic extractor.
    if let Some(why) = a.selector_fallback {
        out["selector_fallback"] = json!(why);
    }
    let stdout = io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    serde_json::to_writer(&mut w, &out)?;
    writeln!(w)?;
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn parse_url(s: Option<&str>) -> anyhow::Result<Option<url::Url>> {
    s.map(|u| url::Url::parse(u).with_context(|| format!("--url {u:?} is not a valid URL")))
        .transpose()
}

fn published(a: &Article) -> Value {
    a.published
        .map_or(Value::Null, |d| Value::String(d.to_rfc3339()))
}

fn read_stdin() -> anyhow::Result<Vec<u8>> {
    let mut buf = Vec::new();
    io::stdin()
        .lock()
        .read_to_end(&mut buf)
        .context("reading standard input")?;
    Ok(gunzip_if_needed(buf)?)
}

/// Reads a page file, gunzipping it when it starts with the gzip magic bytes.
fn read_page(path: &Path) -> anyhow::Result<Vec<u8>> {
    let buf = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    gunzip_if_needed(buf).with_context(|| format!("decompressing {}", path.display()))
}

fn gunzip_if_needed(buf: Vec<u8>) -> io::Result<Vec<u8>> {
    if buf.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(buf.len() * 5);
        flate2::read::MultiGzDecoder::new(&buf[..]).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(buf)
    }
}

/// One input line of `--batch`.
#[derive(Deserialize)]
struct BatchLine {
    #[serde(default)]
    id: Value,
    #[serde(default)]
    url: Option<String>,
    path: PathBuf,
}

fn run_batch(input: &Path, selectors: Option<&Selectors>) -> anyhow::Result<ExitCode> {
    let file = File::open(input).with_context(|| format!("opening {}", input.display()))?;
    let base = input.parent().map(Path::to_path_buf).unwrap_or_default();
    let reader = BufReader::new(file);
    let stdout = io::stdout();
    let mut w = BufWriter::with_capacity(1 << 16, stdout.lock());
    for (n, line) in reader.lines().enumerate() {
        let line =
            line.with_context(|| format!("reading line {} of {}", n + 1, input.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let out = match serde_json::from_str::<BatchLine>(&line) {
            Ok(item) => match batch_one(&item, &base, selectors) {
                Ok(v) => v,
                Err(e) => json!({"id": item.id, "error": format!("{e:#}")}),
            },
            Err(e) => {
                let id = serde_json::from_str::<Value>(&line)
                    .ok()
                    .and_then(|v| v.get("id").cloned())
                    .unwrap_or(Value::Null);
                json!({"id": id, "error": format!("line {}: {e}", n + 1)})
            }
        };
        serde_json::to_writer(&mut w, &out)?;
        w.write_all(b"\n")?;
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn batch_one(
    item: &BatchLine,
    base: &Path,
    selectors: Option<&Selectors>,
) -> anyhow::Result<Value> {
    let url = parse_url(item.url.as_deref())?;
    let path = if item.path.is_absolute() {
        item.path.clone()
    } else {
        base.join(&item.path)
    };
    if path.as_os_str().is_empty() {
        bail!("empty path");
    }
    let bytes = read_page(&path)?;
    let html = String::from_utf8_lossy(&bytes);
    let a = scrape(&html, url.as_ref(), selectors);
    Ok(json!({
        "id": item.id,
        "title": a.title,
        "published": published(&a),
        "author": a.author,
        "body": a.text(),
    }))
}
