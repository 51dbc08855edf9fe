//! One crawl of one source: discover → fetch → scrape → extract → store, recorded in
//! `crawl_runs`.
//!
//! A crawl never fails as a whole because of one page: a page that cannot be fetched is queued in
//! `page_queue` and retried on later runs (so a 500 is not lost even when the feed then answers
//! 304), and the run ends `partial`. Only a source whose discovery produced nothing but errors ends
//! `failed`. A page whose article text is empty or shorter than [`MIN_BODY_CHARS`] counts as a
//! failed page (queued and retried the same way), never as an article. Cancellation (daemon
//! shutdown) is checked between pages: what is stored stays stored, the run ends `interrupted`.

mod cache;

use crate::config::{Config, SourceConfig};
use crate::discover::{self, ArticleFilter, Candidate};
use crate::extract::{ExtractOptions, Extractor, EXTRACTOR_VERSION};
use crate::fetch::{FetchOutcome, Fetcher};
use crate::store::{NewArticle, RunStats, SaveStatus, Store};
use cache::StoreValidatorCache;
use chrono::Utc;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::watch;
use url::Url;

/// Errors kept in a run's `message`: enough to diagnose, short enough for a status line.
const MESSAGE_ERRORS: usize = 3;

/// Fewest non-space characters of article text for a page to be stored as an article. The
/// shortest real news item (a photo caption with a line of text) has a few hundred; an empty
/// template, an error page served with 200 or a truncated page has fewer than this.
pub const MIN_BODY_CHARS: usize = 50;

/// The row of a scraped article and its facts, as the crawl and the backfill store them: the
/// title the article is stored with is the one the extractor sees (the candidate's, from the
/// feed, when the page has none), with the source's province and the publication time as
/// context.
pub(crate) fn article_row(
    extractor: &Extractor<'static>,
    src: &SourceConfig,
    url: String,
    article: &crate::scrape::Article,
    page: &crate::fetch::Page,
    candidate_title: Option<String>,
    published: Option<chrono::DateTime<chrono::FixedOffset>>,
) -> (NewArticle, Vec<crate::extract::Fact>) {
    let title = article.title.clone().or(candidate_title);
    let opts = ExtractOptions::for_article(title.clone(), published, Some(src.province.clone()));
    let facts = extractor.extract(&article.text(), &opts);
    let new = NewArticle {
        source: src.name.clone(),
        url,
        title,
        published_at: published,
        author: article.author.clone(),
        sapo: article.sapo.clone(),
        body: article.body.clone(),
        raw_html: Some(page.text.clone()),
        etag: page.etag.clone(),
        last_modified: page.last_modified.clone(),
        fetched_at: Utc::now(),
        extractor_version: EXTRACTOR_VERSION.to_string(),
    };
    (new, facts)
}

/// Everything a crawl needs, shared by all sources of a process.
pub struct Crawler {
    /// The configuration's alert channels, replaced on SIGHUP.
    config: std::sync::RwLock<Arc<Config>>,
    store: Arc<dyn Store>,
    fetcher: Fetcher,
    extractor: Extractor<'static>,
    instance: String,
    /// The day (in Vietnam) each source last warned that its selectors fell back.
    fallback_warned: std::sync::Mutex<std::collections::HashMap<String, chrono::NaiveDate>>,
}

/// What one crawl of one source did.
#[derive(Debug, Clone)]
pub struct SourceReport {
    /// The source.
    pub source: String,
    /// Counts as stored in `crawl_runs`.
    pub stats: RunStats,
    /// Wall time of the run.
    pub seconds: f64,
}

impl Crawler {
    /// Builds the HTTP client and the extractor for a configuration.
    pub fn new(config: &Config, store: Arc<dyn Store>) -> anyhow::Result<Self> {
        let fetcher = Fetcher::new(&config.http)?;
        let extractor = crate::app::extractor_for(config)?;
        let instance = crate::store::instance_name();
        Ok(Self {
            config: std::sync::RwLock::new(Arc::new(config.clone())),
            store,
            fetcher,
            extractor,
            instance,
            fallback_warned: Default::default(),
        })
    }

    /// Takes a reloaded configuration's alert channels into account for the next articles.
    pub fn set_config(&self, config: &Config) {
        *self.config.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(config.clone());
    }

    /// The HTTP client (its counters feed metrics and tests).
    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// The store the crawler writes to.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// This process's name in `crawl_runs` and on leases.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// One crawl of one source. Never returns an error: failures are counted in the report and
    /// in `crawl_runs`.
    pub async fn crawl_source(
        &self,
        src: &SourceConfig,
        cancel: watch::Receiver<bool>,
    ) -> SourceReport {
        let started = Instant::now();
        let mut stats = RunStats::default();
        let mut errors: Vec<String> = Vec::new();
        let run_id = match self.store.start_run(&src.name, &self.instance).await {
            Ok(id) => Some(id),
            Err(e) => {
                errors.push(format!("cannot record the run: {e}"));
                None
            }
        };
        let interrupted = self.run(src, &cancel, &mut stats, &mut errors).await;
        stats.errors = i64::try_from(errors.len()).unwrap_or(i64::MAX);
        stats.status = if interrupted {
            "interrupted"
        } else if errors.is_empty() {
            "ok"
        } else if stats.pages_fetched == 0 && stats.not_modified == 0 {
            "failed"
        } else {
            "partial"
        }
        .to_string();
        if !errors.is_empty() {
            stats.message = Some(
                errors
                    .iter()
                    .take(MESSAGE_ERRORS)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; "),
            );
        }
        if let Some(id) = run_id {
            if let Err(e) = self.store.finish_run(id, &stats).await {
                tracing::error!(source = %src.name, "cannot close crawl run {id}: {e}");
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        tracing::info!(
            source = %src.name,
            status = %stats.status,
            pages = stats.pages_fetched,
            not_modified = stats.not_modified,
            new = stats.new_articles,
            updated = stats.updated_articles,
            facts = stats.facts,
            errors = stats.errors,
            seconds = format!("{seconds:.1}"),
            "crawl finished"
        );
        SourceReport {
            source: src.name.clone(),
            stats,
            seconds,
        }
    }

    /// The body of a run; returns true when it stopped because of cancellation.
    async fn run(
        &self,
        src: &SourceConfig,
        cancel: &watch::Receiver<bool>,
        stats: &mut RunStats,
        errors: &mut Vec<String>,
    ) -> bool {
        let mut known = match self.store.source_urls(&src.name).await {
            Ok(k) => k,
            Err(e) => {
                errors.push(format!("cannot read known URLs: {e}"));
                return false;
            }
        };
        let cache = match StoreValidatorCache::load(self.store.as_ref(), &src.name).await {
            Ok(c) => c,
            Err(e) => {
                errors.push(format!("cannot read the fetch cache: {e}"));
                return false;
            }
        };
        let is_known = |urls: &[String]| -> HashSet<String> {
            urls.iter()
                .filter(|u| known.contains(*u))
                .cloned()
                .collect()
        };
        let mut stop = cancel.clone();
        let report = tokio::select! {
            r = discover::discover(&self.fetcher, src, &cache, &is_known) => r,
            _ = stop.wait_for(|c| *c) => return true,
        };
        if let Err(e) = cache.flush(self.store.as_ref()).await {
            errors.push(format!("cannot save the fetch cache: {e}"));
        }
        stats.pages_fetched += i64::try_from(report.pages_fetched).unwrap_or(0);
        stats.not_modified += i64::try_from(report.not_modified).unwrap_or(0);
        for (url, message) in &report.errors {
            tracing::warn!(source = %src.name, %url, "discovery: {message}");
            errors.push(format!("{url}: {message}"));
        }

        // Pages that failed before come first, then new candidates.
        let mut queue: Vec<Candidate> = Vec::new();
        match self.store.due_pages(&src.name, Utc::now()).await {
            Ok(due) => {
                queue.extend(
                    due.iter()
                        .filter_map(|u| Url::parse(u).ok())
                        .map(|url| Candidate {
                            url,
                            title: None,
                            published: None,
                            lastmod: None,
                            via: discover::Via::Retry,
                        }),
                )
            }
            Err(e) => errors.push(format!("cannot read the retry queue: {e}")),
        }
        let mut seen: HashSet<String> = queue.iter().map(|c| c.url.to_string()).collect();
        for c in report.candidates {
            let key = c.url.to_string();
            if !known.contains(&key) && seen.insert(key) {
                queue.push(c);
            }
        }

        // Discovery reported a bad filter already; without one, canonical links are only
        // checked for the site and the home page.
        let filter = ArticleFilter::new(src).ok();
        for candidate in queue {
            if *cancel.borrow() {
                return true;
            }
            // A page in flight when the daemon stops is abandoned, not half-stored: the
            // article and its facts are written in one transaction after the fetch.
            let mut stop = cancel.clone();
            tokio::select! {
                _ = self.article(src, filter.as_ref(), &candidate, &mut known, stats, errors) => {}
                _ = stop.wait_for(|c| *c) => return true,
            }
        }
        false
    }

    /// Fetches, scrapes, extracts and stores one article page.
    async fn article(
        &self,
        src: &SourceConfig,
        filter: Option<&ArticleFilter>,
        candidate: &Candidate,
        known: &mut HashSet<String>,
        stats: &mut RunStats,
        errors: &mut Vec<String>,
    ) {
        let url = &candidate.url;
        if !self.fetcher.allowed(url).await {
            tracing::debug!(source = %src.name, %url, "disallowed by robots.txt");
            self.dequeue(candidate).await;
            return;
        }
        let page = match self.fetcher.get(url, None).await {
            Ok(FetchOutcome::Fetched(page)) => page,
            Ok(FetchOutcome::NotModified) => {
                stats.not_modified += 1;
                return;
            }
            Err(e) => {
                stats.pages_fetched += 1;
                tracing::warn!(source = %src.name, %url, "page failed: {e}");
                errors.push(e.to_string());
                self.requeue(src, url.as_str(), &e.to_string()).await;
                return;
            }
        };
        stats.pages_fetched += 1;
        let article = crate::scrape::scrape(&page.text, Some(&page.url), src.selectors.as_ref());
        if let Some(why) = article.selector_fallback {
            stats.selector_fallbacks += 1;
            self.warn_selector_fallback(src, url, why);
        }
        // An empty or near-empty page is an error of the run, retried like a failed fetch, and
        // never stored as an article.
        let body_chars = article.body.chars().filter(|c| !c.is_whitespace()).count();
        if body_chars < MIN_BODY_CHARS {
            let message = if body_chars == 0 {
                "no article text on the page".to_string()
            } else {
                format!(
                    "article text too short ({body_chars} characters, at least {MIN_BODY_CHARS} expected)"
                )
            };
            tracing::warn!(source = %src.name, %url, "page not stored: {message}");
            errors.push(format!("{url}: {message}"));
            self.requeue(src, url.as_str(), &message).await;
            return;
        }
        // The page's own canonical link names the article when it is an article URL of the
        // same site; otherwise (home page, a listing, another site) the fetched URL does.
        let canonical = article
            .canonical_url
            .as_deref()
            .and_then(|c| Url::parse(c).ok())
            .map(|c| discover::canonicalize(&c))
            .filter(|c| trusted_canonical(src, filter, url, c))
            .unwrap_or_else(|| discover::canonicalize(url));
        let key = canonical.to_string();
        if key != url.as_str() && known.contains(&key) {
            self.dequeue(candidate).await;
            return;
        }
        let published = article.published.or(candidate.published);
        let (new, facts) = article_row(
            &self.extractor,
            src,
            key.clone(),
            &article,
            &page,
            candidate.title.clone(),
            published,
        );
        // Outbox rows go in the article's transaction: an alert is never lost nor sent for an
        // article that was not stored.
        let alerts = {
            let config = Arc::clone(&self.config.read().unwrap_or_else(|p| p.into_inner()));
            crate::alert::outbox_rows(&config, src, &new, &facts)
        };
        match self.store.save_article(&new, &facts, &alerts).await {
            Ok(out) => {
                match out.status {
                    SaveStatus::New => stats.new_articles += 1,
                    SaveStatus::Updated => stats.updated_articles += 1,
                    SaveStatus::Unchanged => {}
                }
                if out.status != SaveStatus::Unchanged {
                    stats.facts += i64::try_from(out.facts).unwrap_or(0);
                }
                known.insert(key);
                known.insert(url.to_string());
                self.dequeue(candidate).await;
            }
            Err(e) => {
                tracing::error!(source = %src.name, %url, "cannot store article: {e}");
                errors.push(format!("{url}: cannot store: {e}"));
                self.requeue(src, url.as_str(), &e.to_string()).await;
            }
        }
    }

    /// Warns once per source and day that the source's selectors no longer fit its pages (the
    /// page was scraped with the generic extractor instead); later pages only log at debug.
    fn warn_selector_fallback(
        &self,
        src: &SourceConfig,
        url: &Url,
        why: crate::scrape::SelectorFallback,
    ) {
        let today = Utc::now()
            .with_timezone(&crate::scrape::vietnam())
            .date_naive();
        let first_today = {
            let mut warned = self
                .fallback_warned
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            warned.insert(src.name.clone(), today) != Some(today)
        };
        if first_today {
            tracing::warn!(
                source = %src.name,
                %url,
                reason = ?why,
                "the source's selectors no longer fit its pages (site redesign?): scraped with \
                 the generic extractor instead; counted in chiso_selector_fallback_total, warned \
                 once a day"
            );
        } else {
            tracing::debug!(source = %src.name, %url, reason = ?why, "selector fallback");
        }
    }

    /// Forgets a page in the retry queue once it is stored or disallowed; a page that did not
    /// come from the queue costs no write.
    async fn dequeue(&self, candidate: &Candidate) {
        if candidate.via == discover::Via::Retry {
            let _ = self.store.dequeue_page(candidate.url.as_str()).await;
        }
    }

    /// Queues a failed page: the next run of the source fetches it again (the store gives up
    /// after `MAX_PAGE_ATTEMPTS`).
    async fn requeue(&self, src: &SourceConfig, url: &str, error: &str) {
        let retry_at = Utc::now();
        if let Err(e) = self.store.queue_page(&src.name, url, error, retry_at).await {
            tracing::error!(source = %src.name, %url, "cannot queue page for retry: {e}");
        }
    }
}

/// Whether a page's `<link rel=canonical>` may name the article: it must be an article URL of
/// the source's site (accepted by its filter: same site, `article_pattern` when set, not
/// `deny_pattern`), and neither the home page, nor one of the source's feeds or listings, nor a
/// folder above the page (`/kinh-te/` for `/kinh-te/bai-1.html`): some CMS templates point every
/// page's canonical link at one of those, which would store every article under one URL.
pub(crate) fn trusted_canonical(
    src: &SourceConfig,
    filter: Option<&ArticleFilter>,
    page: &Url,
    canonical: &Url,
) -> bool {
    if !crate::fetch::same_site(page, canonical) && !crate::fetch::same_site(canonical, page) {
        return false;
    }
    if canonical.path() == "/" && canonical.query().is_none() {
        return false;
    }
    if filter.is_some_and(|f| !f.accepts(canonical)) {
        return false;
    }
    let key = canonical.as_str();
    if let Ok(base) = Url::parse(&src.base_url) {
        let configured = src.feeds.iter().chain(&src.listings).chain(&src.sitemaps);
        if discover::canonicalize(&base).as_str() == key
            || configured
                .filter_map(|l| base.join(l).ok())
                .any(|l| discover::canonicalize(&l).as_str() == key)
        {
            return false;
        }
    }
    let folder = canonical.path();
    let above_page = canonical.query().is_none()
        && folder.ends_with('/')
        && page.path().starts_with(folder)
        && page.path() != folder;
    !above_page
}

#[cfg(test)]
mod tests {
    use super::{trusted_canonical, ArticleFilter};
    use crate::config::SourceConfig;
    use url::Url;

    fn source(pattern: Option<&str>) -> SourceConfig {
        let toml = format!(
            "name = \"s\"\nprovince = \"Hà Tĩnh\"\nbase_url = \"https://baohatinh.vn/\"\n\
             listings = [\"/kinh-te/\"]\nfeeds = [\"/rss/home.rss\"]\n{}",
            pattern
                .map(|p| format!("article_pattern = '{p}'\n"))
                .unwrap_or_default()
        );
        toml::from_str(&toml).unwrap()
    }

    fn trusted(src: &SourceConfig, page: &str, canonical: &str) -> bool {
        let filter = ArticleFilter::new(src).ok();
        trusted_canonical(
            src,
            filter.as_ref(),
            &Url::parse(page).unwrap(),
            &Url::parse(canonical).unwrap(),
        )
    }

    #[test]
    fn canonical_home_listing_folder_or_other_site_is_not_trusted() {
        let page = "https://baohatinh.vn/kinh-te/bai-viet-post1.html?utm_source=x";
        for src in [source(None), source(Some(r"-post\d+\.html$"))] {
            assert!(trusted(
                &src,
                page,
                "https://baohatinh.vn/kinh-te/bai-viet-post1.html"
            ));
            assert!(trusted(
                &src,
                page,
                "https://m.baohatinh.vn/kinh-te/bai-viet-post1.html"
            ));
            assert!(!trusted(&src, page, "https://baohatinh.vn/"));
            assert!(!trusted(&src, page, "https://baohatinh.vn/kinh-te/"));
            assert!(!trusted(&src, page, "https://baohatinh.vn/rss/home.rss"));
            assert!(!trusted(&src, page, "https://other.vn/bai-viet-post1.html"));
        }
        // With an article pattern, a canonical link that is not an article URL is refused.
        let src = source(Some(r"-post\d+\.html$"));
        assert!(!trusted(
            &src,
            page,
            "https://baohatinh.vn/chuyen-muc/thoi-su"
        ));
        assert!(trusted(
            &source(None),
            page,
            "https://baohatinh.vn/chuyen-muc/thoi-su-1"
        ));
    }
}
