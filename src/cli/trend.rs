//! `chiso trend`, `chiso query` and `chiso export`: reading the series back.
//!
//! Argument parsing and output only; the meaning lives in `crate::query`.

use crate::app::{load_config, open_for_reading, runtime};
use crate::config::Config;
use crate::gazetteer::Gazetteer;
use crate::query::format::{self, Format};
use crate::query::series::KindFilter;
use crate::query::{chart, ExportRow, ListFilter, TrendRequest};
use crate::taxonomy::Taxonomy;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use clap::{Args, ValueEnum};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Facts read per page by `chiso export` (memory stays at one page whatever the database size).
pub const EXPORT_PAGE: i64 = 5_000;

/// Reports listed by `chiso query reports` unless `--limit` says otherwise.
pub const DEFAULT_REPORTS_LIMIT: i64 = 50;

/// `--kind` of `chiso trend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum KindArg {
    /// Periods with an achieved value.
    Actual,
    /// Periods with a planned value.
    Target,
    /// Every period, actual and target side by side.
    #[default]
    Both,
}

impl From<KindArg> for KindFilter {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Actual => KindFilter::Actual,
            KindArg::Target => KindFilter::Target,
            KindArg::Both => KindFilter::Both,
        }
    }
}

/// Arguments of `chiso trend`.
#[derive(Debug, Args)]
pub struct TrendArgs {
    /// Area: "huyện Kỳ Anh", "Kỳ Anh" or "ky anh" (an ambiguous name lists the candidates).
    #[arg(long)]
    pub area: String,
    /// Province, to tell apart areas of the same name ("Hà Tĩnh" or "ha tinh").
    #[arg(long)]
    pub province: Option<String>,
    /// Indicator key of the taxonomy (`chiso query indicators` lists those with data).
    #[arg(long)]
    pub indicator: String,
    /// Which periods to list.
    #[arg(long, value_enum, default_value_t = KindArg::Both)]
    pub kind: KindArg,
    /// First year shown.
    #[arg(long)]
    pub from: Option<i32>,
    /// Last year shown.
    #[arg(long)]
    pub to: Option<i32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also draw the series into this file (`.svg` or `.png`).
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
}

/// What `chiso query` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Listing {
    /// Areas with facts, their indicator counts and years.
    Areas,
    /// Indicators with facts, their area counts and years.
    Indicators,
    /// Articles, newest first, with their areas and fact counts.
    Reports,
}

/// Arguments of `chiso query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// What to list.
    #[arg(value_enum)]
    pub what: Listing,
    /// Only articles first seen on or after this day (YYYY-MM-DD, Vietnam time).
    #[arg(long)]
    pub since: Option<NaiveDate>,
    /// Only this province ("Hà Tĩnh" or "ha tinh").
    #[arg(long)]
    pub province: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// At most this many reports.
    #[arg(long, default_value_t = DEFAULT_REPORTS_LIMIT)]
    pub limit: i64,
}

/// `--format` of `chiso export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One header line, one fact per line.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// Arguments of `chiso export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Only facts of articles first seen on or after this day (YYYY-MM-DD, Vietnam time).
    #[arg(long)]
    pub since: Option<NaiveDate>,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Midnight of a day in Vietnam, as the instant `--since` compares with.
fn since_instant(day: Option<NaiveDate>) -> Option<DateTime<Utc>> {
    let tz = chrono::FixedOffset::east_opt(7 * 3600)?;
    let local = day?.and_hms_opt(0, 0, 0)?;
    tz.from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The user's taxonomy named by `[extract] indicators`, if any (for indicator names).
fn user_taxonomy(config: &Config) -> anyhow::Result<Option<Taxonomy>> {
    match config.indicators_path() {
        None => Ok(None),
        Some(path) => Taxonomy::from_file(&path)
            .map(Some)
            .map_err(|e| crate::config::ConfigError(format!("extract.indicators: {e}")).into()),
    }
}

/// The province as stored (the gazetteer's name) for a typed one.
fn stored_province(typed: &str) -> String {
    Gazetteer::embedded()
        .find_province(typed)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| typed.to_string())
}

/// Runs `chiso trend`.
pub fn trend(config: Option<&Path>, args: &TrendArgs) -> anyhow::Result<ExitCode> {
    // Parsing the built-in gazetteer (~30 ms) overlaps with opening the database; the first
    // use below waits for it if it is not done.
    std::thread::spawn(|| {
        crate::gazetteer::Gazetteer::embedded();
    });
    let config = load_config(config)?;
    let user = user_taxonomy(&config)?;
    let taxonomy = user.as_ref().unwrap_or_else(|| Taxonomy::embedded());
    let req = TrendRequest {
        area: args.area.clone(),
        province: args.province.clone(),
        indicator: args.indicator.clone(),
        kind: args.kind.into(),
        from_year: args.from,
        to_year: args.to,
    };
    let t = runtime()?.block_on(async {
        let store = open_for_reading(&config).await?;
        let t =
            crate::query::load_trend(store.as_ref(), Gazetteer::embedded(), taxonomy, &req).await?;
        anyhow::Ok(t)
    })?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    format::write_trend(&mut out, &t, args.format)?;
    out.flush()?;
    if let Some(path) = &args.chart {
        chart::write_chart(&t, path)?;
        eprintln!("chart written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn year(y: Option<i32>) -> String {
    y.map(|y| y.to_string()).unwrap_or_default()
}

/// Runs `chiso query`.
pub fn query(config: Option<&Path>, args: &QueryArgs) -> anyhow::Result<ExitCode> {
    let config = load_config(config)?;
    let filter = ListFilter {
        since: since_instant(args.since),
        province: args.province.as_deref().map(stored_province),
        limit: (args.what == Listing::Reports).then_some(args.limit),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let rt = runtime()?;
    let (header, rows, json): (Vec<&str>, Vec<Vec<String>>, serde_json::Value) =
        rt.block_on(async {
            let store = open_for_reading(&config).await?;
            anyhow::Ok(match args.what {
                Listing::Areas => {
                    let list = store.list_areas(&filter).await?;
                    let rows = list
                        .iter()
                        .map(|a| {
                            vec![
                                a.area.clone().unwrap_or_default(),
                                a.area_level.clone().unwrap_or_default(),
                                a.province.clone().unwrap_or_default(),
                                a.facts.to_string(),
                                a.indicators.to_string(),
                                year(a.first_year),
                                year(a.last_year),
                            ]
                        })
                        .collect();
                    let header = vec![
                        "area",
                        "level",
                        "province",
                        "facts",
                        "indicators",
                        "first_year",
                        "last_year",
                    ];
                    (header, rows, serde_json::to_value(&list)?)
                }
                Listing::Indicators => {
                    let list = store.list_indicators(&filter).await?;
                    let rows = list
                        .iter()
                        .map(|i| {
                            vec![
                                i.indicator.clone().unwrap_or_default(),
                                i.facts.to_string(),
                                i.areas.to_string(),
                                year(i.first_year),
                                year(i.last_year),
                            ]
                        })
                        .collect();
                    let header = vec!["indicator", "facts", "areas", "first_year", "last_year"];
                    (header, rows, serde_json::to_value(&list)?)
                }
                Listing::Reports => {
                    let list = store.list_reports(&filter).await?;
                    let rows = list
                        .iter()
                        .map(|r| {
                            vec![
                                r.first_seen_at.format("%Y-%m-%d %H:%M").to_string(),
                                r.source.clone(),
                                r.facts.to_string(),
                                r.areas.clone().unwrap_or_default(),
                                r.title.clone().unwrap_or_default(),
                                r.url.clone(),
                            ]
                        })
                        .collect();
                    let header = vec!["first_seen", "source", "facts", "areas", "title", "url"];
                    (header, rows, serde_json::to_value(&list)?)
                }
            })
        })?;
    match args.format {
        Format::Table => format::write_table(&mut out, &header, &rows)?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(&header)?;
            for r in &rows {
                w.write_record(r)?;
            }
            w.flush()?;
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `chiso export`: pages through the facts by id and writes each page before reading the
/// next, so that memory does not grow with the database.
pub fn export(config: Option<&Path>, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let config = load_config(config)?;
    let filter = ListFilter {
        since: since_instant(args.since),
        ..ListFilter::default()
    };
    let sink: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    let out = BufWriter::new(sink);
    let count = runtime()?.block_on(async {
        let store = open_for_reading(&config).await?;
        let mut writer = ExportWriter::new(out, args.format);
        let mut after = 0i64;
        loop {
            let page = store.export_page(&filter, after, EXPORT_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            for row in &page {
                writer.write(row)?;
            }
        }
        writer.finish()
    })?;
    eprintln!("exported {count} facts");
    Ok(ExitCode::SUCCESS)
}

/// Writes exported facts one by one in CSV or JSON lines.
struct ExportWriter<W: Write> {
    csv: Option<csv::Writer<W>>,
    jsonl: Option<W>,
    count: u64,
}

impl<W: Write> ExportWriter<W> {
    fn new(out: W, format: ExportFormat) -> Self {
        match format {
            ExportFormat::Csv => ExportWriter {
                csv: Some(csv::Writer::from_writer(out)),
                jsonl: None,
                count: 0,
            },
            ExportFormat::Jsonl => ExportWriter {
                csv: None,
                jsonl: Some(out),
                count: 0,
            },
        }
    }

    fn write(&mut self, row: &ExportRow) -> anyhow::Result<()> {
        if let Some(w) = &mut self.csv {
            w.serialize(row)?;
        } else if let Some(w) = &mut self.jsonl {
            serde_json::to_writer(&mut *w, row)?;
            w.write_all(b"\n")?;
        }
        self.count += 1;
        Ok(())
    }

    fn finish(self) -> anyhow::Result<u64> {
        if let Some(mut w) = self.csv {
            w.flush()?;
        } else if let Some(mut w) = self.jsonl {
            w.flush()?;
        }
        Ok(self.count)
    }
}
