//! `chiso reprocess`: re-runs scraping and extraction on stored pages, without the network, so
//! that an improved extractor (or a source's new selectors) reaches every stored article.

use crate::app::{extractor_for, load_config, prepare_store, runtime};
use crate::extract::{ExtractOptions, EXTRACTOR_VERSION};
use crate::store::{content_hash, NewArticle, ReprocessFilter, SaveStatus};
use clap::Args;
use std::path::Path;
use std::process::ExitCode;

/// Pages read from the database per round trip; memory stays constant whatever the database size.
const PAGE: i64 = 200;

/// Arguments of `chiso reprocess`.
#[derive(Debug, Args)]
pub struct ReprocessArgs {
    /// Only pages fetched on or after this day (YYYY-MM-DD, Asia/Ho_Chi_Minh).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<String>,
    /// Only this source.
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
}

/// What a reprocessing pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReprocessCounts {
    /// Articles read.
    pub articles: u64,
    /// Articles whose scraped text changed (article updated, facts replaced).
    pub text_changed: u64,
    /// Articles whose facts were re-extracted from unchanged text.
    pub facts_replaced: u64,
    /// Facts now stored for the articles read.
    pub facts: u64,
}

/// Runs `chiso reprocess`.
pub fn run(explicit: Option<&Path>, args: &ReprocessArgs) -> anyhow::Result<ExitCode> {
    let config = load_config(explicit)?;
    let since = match &args.since {
        None => None,
        Some(s) => {
            let day = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|e| anyhow::anyhow!("--since {s:?}: expected YYYY-MM-DD ({e})"))?;
            let midnight = day
                .and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(crate::scrape::vietnam()).single())
                .ok_or_else(|| anyhow::anyhow!("--since {s:?}: not a valid day"))?;
            Some(midnight.with_timezone(&chrono::Utc))
        }
    };
    if let Some(name) = &args.source {
        if config.source(name).is_none() {
            anyhow::bail!("no source named {name:?} in {}", config.path.display());
        }
    }
    let filter = ReprocessFilter {
        since,
        source: args.source.clone(),
    };
    let counts = runtime()?.block_on(reprocess(&config, &filter))?;
    println!(
        "reprocessed {} article(s): {} with changed text, {} re-extracted; {} fact(s) now stored (extractor {})",
        counts.articles, counts.text_changed, counts.facts_replaced, counts.facts, EXTRACTOR_VERSION
    );
    Ok(ExitCode::SUCCESS)
}

/// Re-scrapes and re-extracts every stored page matching `filter`.
pub async fn reprocess(
    config: &crate::config::Config,
    filter: &ReprocessFilter,
) -> anyhow::Result<ReprocessCounts> {
    let (store, _) = prepare_store(config).await?;
    let extractor = extractor_for(config)?;
    let mut counts = ReprocessCounts::default();
    let mut after = 0i64;
    loop {
        let pages = store.raw_pages(filter, after, PAGE).await?;
        let Some(last) = pages.last() else { break };
        after = last.id;
        for page in pages {
            counts.articles += 1;
            let src = config.source(&page.source);
            let province = src.map(|s| s.province.clone());
            let (title, published, author, sapo, body, text) = match &page.raw_html {
                Some(html) => {
                    let url = url::Url::parse(&page.url).ok();
                    let a = crate::scrape::scrape(
                        html,
                        url.as_ref(),
                        src.and_then(|s| s.selectors.as_ref()),
                    );
                    let text = a.text();
                    (
                        a.title,
                        a.published.or(page.published_at),
                        a.author,
                        a.sapo,
                        a.body,
                        text,
                    )
                }
                None => (
                    page.title.clone(),
                    page.published_at,
                    None,
                    None,
                    page.body.clone(),
                    page.body.clone(),
                ),
            };
            let opts = ExtractOptions::for_article(title.clone(), published, province);
            let facts = extractor.extract(&text, &opts);
            counts.facts += facts.len() as u64;
            let changed = page.raw_html.is_some()
                && content_hash(title.as_deref(), sapo.as_deref(), &body)
                    != store
                        .article_state(&page.url)
                        .await?
                        .map(|s| s.content_hash)
                        .unwrap_or_default();
            if changed {
                let article = NewArticle {
                    source: page.source.clone(),
                    url: page.url.clone(),
                    title,
                    published_at: published,
                    author,
                    sapo,
                    body,
                    raw_html: page.raw_html.clone(),
                    etag: page.etag.clone(),
                    last_modified: page.last_modified.clone(),
                    fetched_at: page.fetched_at,
                    extractor_version: EXTRACTOR_VERSION.to_string(),
                };
                let out = store.save_article(&article, &facts, &[]).await?;
                if out.status == SaveStatus::Updated {
                    counts.text_changed += 1;
                }
            } else {
                store
                    .replace_facts(page.id, &facts, EXTRACTOR_VERSION)
                    .await?;
                counts.facts_replaced += 1;
            }
        }
    }
    Ok(counts)
}
