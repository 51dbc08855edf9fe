//! `chiso demo`: the whole flow offline in one command. A small built-in site of our own writing
//! is served on 127.0.0.1, crawled into a fresh SQLite file, its archive (older reports only its
//! monthly sitemap index lists) backfilled since 2019, and what was stored is printed with a
//! sample trend spanning those years, so that a newcomer without network access sees discovery,
//! fetching, scraping, extraction, backfill and storage work together.

mod server;
mod site;

use crate::backfill::{Backfiller, DayRange, Options as BackfillOptions, Progress};
use crate::config::{Config, SourceConfig};
use crate::scrape::Selectors;
use clap::Args;
use std::path::PathBuf;

/// Gazetteer code of huyện Thạch Hà (Hà Tĩnh), the district the demo site reports on.
const DEMO_AREA_CODE: &str = "445";

/// Arguments of `chiso demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// SQLite file to create [default: a new file in the system's temporary folder].
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

/// The demo's source: the built-in site with CMS-A selectors.
fn demo_source(base: &str) -> SourceConfig {
    SourceConfig {
        name: "baodemo".into(),
        province: "Hà Tĩnh".into(),
        base_url: base.to_string(),
        schedule: crate::config::DEFAULT_SCHEDULE.into(),
        feeds: vec!["/rss/home.rss".into()],
        sitemaps: vec!["/sitemap.xml".into()],
        listings: Vec::new(),
        article_pattern: Some(r"-post\d+\.html$".into()),
        deny_pattern: None,
        max_listing_pages: 1,
        max_new_per_run: crate::config::DEFAULT_MAX_NEW_PER_RUN,
        selectors: Some(Selectors {
            title: Some("h1.article__title".into()),
            published: Some("time[datetime]".into()),
            author: Some(".article__author".into()),
            body: Some("div.article__body".into()),
            sapo: Some(".article__sapo".into()),
            remove: vec![
                ".ads_middle".into(),
                ".related-news".into(),
                "figcaption".into(),
            ],
        }),
        archive_url: None,
        enabled: true,
    }
}

/// Runs the demo and prints its report; returns the SQLite file it wrote.
pub async fn run(args: &DemoArgs) -> anyhow::Result<PathBuf> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(crate::daemon::http::serve(
        listener,
        server::handler(base.clone()),
        stop_rx,
    ));

    let db = match &args.db {
        Some(p) => p.clone(),
        None => std::env::temp_dir()
            .join(format!("chiso-demo-{}", std::process::id()))
            .join("chiso.db"),
    };
    if db.exists() {
        anyhow::bail!(
            "{} already exists: the demo writes a fresh database",
            db.display()
        );
    }
    let mut config = Config::default();
    config.database.url = format!("sqlite://{}", db.display());
    config.http.min_interval_ms = 50;
    config.sources = vec![demo_source(&base)];
    println!(
        "demo site: {base} ({} articles in its feed, {} more in its archive)",
        site::ARTICLES.len(),
        site::ARCHIVE.len()
    );
    println!("database:  {}", db.display());

    let reports = crate::daemon::crawl_once(&config, None).await?;
    for r in &reports {
        let s = &r.stats;
        println!(
            "crawl {}: {} — {} page(s) fetched, {} new article(s), {} fact(s), {} error(s)",
            r.source, s.status, s.pages_fetched, s.new_articles, s.facts, s.errors
        );
    }
    // The archive the feed no longer lists: `chiso backfill --source baodemo --since 2019-01-01`.
    let (store, _) = crate::app::prepare_store(&config).await?;
    let range = DayRange {
        since: chrono::NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default(),
        until: chrono::Utc::now()
            .with_timezone(&crate::scrape::vietnam())
            .date_naive(),
    };
    let opts = BackfillOptions {
        range,
        alerts: false,
        dry_run: false,
    };
    let backfiller = Backfiller::new(&config, std::sync::Arc::clone(&store), 0)?;
    for src in &config.sources {
        let progress = Progress::new(&src.name);
        let r = backfiller.backfill(src, &opts, &progress).await;
        progress.finish();
        let r = r?;
        println!(
            "backfill {} since {}: {} page(s) read, {} article(s) fetched, {} stored, {} fact(s), {} already stored, {} error(s)",
            r.source, range.since, r.pages, r.fetched, r.stored, r.facts, r.known, r.errors
        );
    }
    let _ = stop_tx.send(true);
    let _ = server.await;
    let area = crate::query::view::area_view(
        store.as_ref(),
        crate::gazetteer::Gazetteer::embedded(),
        crate::taxonomy::Taxonomy::embedded(),
        DEMO_AREA_CODE,
        None,
    )
    .await?;
    let years: Vec<i32> = area
        .series
        .iter()
        .flat_map(|t| &t.rows)
        .filter_map(|r| r.period.get(..4).and_then(|y| y.parse().ok()))
        .collect();
    println!(
        "\nindicator_series for {} ({}–{}):",
        area.area,
        years.iter().min().copied().unwrap_or_default(),
        years.iter().max().copied().unwrap_or_default()
    );
    println!(
        "  {:<28} {:<8} {:<7} {:>12}  unit",
        "indicator / metric", "period", "kind", "value"
    );
    for t in &area.series {
        for r in &t.rows {
            for (kind, p) in [("actual", &r.actual), ("target", &r.target)] {
                if let Some(p) = p {
                    println!(
                        "  {:<28} {:<8} {:<7} {:>12}  {}",
                        t.indicator,
                        r.period,
                        kind,
                        // Values converted through the base unit carry float noise.
                        (p.value * 1e6).round() / 1e6,
                        p.unit
                    );
                }
            }
        }
    }
    println!(
        "\nTry: sqlite3 {} \"SELECT period, kind, value, unit FROM indicator_series WHERE indicator = 'income_per_capita'\"",
        db.display()
    );
    Ok(db)
}
