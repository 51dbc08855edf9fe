//! The discovery run of one source: feeds, sitemaps, listings, in that order, through the fetcher.
//!
//! Every page is fetched conditionally with the validators the caller's cache holds. Sitemap
//! indexes are followed breadth-first, newest children first, at most `MAX_SITEMAP_CHILDREN` per
//! index and `MAX_SITEMAP_DEPTH` levels deep: a polling run needs this month's file, not the
//! archive. Listings are paginated up to `max_listing_pages`, stopping at the first page that brings
//! nothing new (every accepted link already seen in this run or known to the store), at a 304, or
//! at a page already visited. A failure is recorded in the report and the run goes on.
//!
//! From each document (feed, sitemap, listing page) a run takes at most `max_new_per_run` URLs
//! that the store does not know, newest first (by publication date, else `lastmod`, else document
//! order); the rest are counted as deferred, and the document's validators are not kept so that
//! the next run reads it whole and takes the next batch instead of getting a 304. A 10,000-item
//! feed thus costs a few dozen page fetches per run, never one run of hours.

use super::{
    discover_feeds, parse_feed, parse_listing, parse_sitemap, ArticleFilter, Candidate,
    DiscoverReport, Sitemap, ValidatorCache, Via,
};
use crate::config::SourceConfig;
use crate::fetch::{FetchOutcome, Fetcher, Page, Validators};
use std::collections::{HashMap, HashSet, VecDeque};
use url::Url;

/// Child sitemaps fetched per index (newest first).
pub const MAX_SITEMAP_CHILDREN: usize = 4;
/// Index levels followed below a configured sitemap.
pub const MAX_SITEMAP_DEPTH: usize = 2;

/// Tells which canonical URLs the store already has.
type IsKnown<'a> = &'a (dyn Fn(&[String]) -> HashSet<String> + Sync);

/// Runs discovery for one source. Never fails as a whole: per-URL errors are in the report.
pub async fn discover(
    fetcher: &Fetcher,
    src: &SourceConfig,
    cache: &dyn ValidatorCache,
    is_known: IsKnown<'_>,
) -> DiscoverReport {
    let mut run = Run {
        fetcher,
        cache,
        report: DiscoverReport::default(),
        index: HashMap::new(),
    };
    let cap = usize::try_from(src.max_new_per_run.max(1)).unwrap_or(usize::MAX);
    let filter = match ArticleFilter::new(src) {
        Ok(f) => f,
        Err(e) => {
            run.report
                .errors
                .push((src.base_url.clone(), e.to_string()));
            return run.report;
        }
    };
    let base = filter.base().clone();
    let mut feeds = run.resolve_all(&base, &src.feeds);
    let sitemaps = run.resolve_all(&base, &src.sitemaps);
    let listings = run.resolve_all(&base, &src.listings);

    if feeds.is_empty() && sitemaps.is_empty() {
        // Nothing configured: look for feeds on the home page; with no listings either, the home
        // page's own links are the listing.
        if let Some(page) = run.fetch(&base, false).await {
            let found = discover_feeds(&page.text, &page.url);
            tracing::debug!(source = %src.name, feeds = found.len(), "feed discovery on base_url");
            run.report.discovered_feeds.clone_from(&found);
            feeds = found;
            if feeds.is_empty() && listings.is_empty() {
                let (links, _) = parse_listing(&page.text, &page.url);
                let cands = links
                    .into_iter()
                    .filter(|u| filter.accepts(u))
                    .map(listing_candidate);
                run.add_capped(&base, cands.collect(), is_known, cap);
            }
        }
    }

    for url in &feeds {
        if let Some(page) = run.fetch(url, true).await {
            match parse_feed(page.text.as_bytes(), &page.url) {
                Ok(items) => {
                    let accepted = items.into_iter().filter(|c| filter.accepts(&c.url));
                    run.add_capped(url, accepted.collect(), is_known, cap);
                }
                Err(e) => run.report.errors.push((url.to_string(), e.to_string())),
            }
        }
    }

    run.sitemaps(sitemaps, &filter, is_known, cap).await;

    let max_pages = src.max_listing_pages.max(1);
    for start in listings {
        run.paginate(start, max_pages, &filter, is_known, cap).await;
    }
    tracing::debug!(
        source = %src.name,
        candidates = run.report.candidates.len(),
        fetched = run.report.pages_fetched,
        not_modified = run.report.not_modified,
        errors = run.report.errors.len(),
        deferred = run.report.deferred,
        "discovery done"
    );
    run.report
}

struct Run<'a> {
    fetcher: &'a Fetcher,
    cache: &'a dyn ValidatorCache,
    report: DiscoverReport,
    /// Canonical URL → position in `report.candidates`.
    index: HashMap<String, usize>,
}

impl Run<'_> {
    fn resolve_all(&mut self, base: &Url, items: &[String]) -> Vec<Url> {
        let mut out = Vec::new();
        for s in items {
            match base.join(s) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => out.push(u),
                Ok(u) => self
                    .report
                    .errors
                    .push((s.clone(), format!("unsupported scheme {:?}", u.scheme()))),
                Err(e) => self
                    .report
                    .errors
                    .push((s.clone(), format!("invalid URL: {e}"))),
            }
        }
        out
    }

    /// Fetches a page (conditionally when `conditional`), storing new validators; `None` on 304
    /// or on error (recorded).
    async fn fetch(&mut self, url: &Url, conditional: bool) -> Option<Page> {
        let validators = if conditional {
            self.cache.get(url.as_str())
        } else {
            None
        };
        match self.fetcher.get(url, validators.as_ref()).await {
            Ok(FetchOutcome::NotModified) => {
                self.report.not_modified += 1;
                None
            }
            Ok(FetchOutcome::Fetched(page)) => {
                self.report.pages_fetched += 1;
                let v = page.validators();
                if conditional && !v.is_empty() {
                    self.cache.put(url.as_str(), v);
                }
                Some(page)
            }
            Err(e) => {
                self.report.errors.push((url.to_string(), e.to_string()));
                None
            }
        }
    }

    /// Adds candidates, merging duplicates (the first source wins; missing fields are filled).
    /// Returns how many were not in this run yet.
    fn add_all(&mut self, cands: impl IntoIterator<Item = Candidate>) -> usize {
        let mut added = 0;
        for c in cands {
            let key = c.url.to_string();
            match self.index.get(&key) {
                Some(&i) => {
                    let have = &mut self.report.candidates[i];
                    if have.title.is_none() {
                        have.title = c.title;
                    }
                    if have.published.is_none() {
                        have.published = c.published;
                    }
                    if have.lastmod.is_none() {
                        have.lastmod = c.lastmod;
                    }
                }
                None => {
                    self.index.insert(key, self.report.candidates.len());
                    self.report.candidates.push(c);
                    added += 1;
                }
            }
        }
        added
    }

    /// Adds the candidates of one document (`doc`): every known one (for metadata), and of the
    /// new ones the `cap` newest; the others are counted in `deferred` and the document's
    /// validators dropped so that the next run reads it again. Returns how many were new.
    fn add_capped(
        &mut self,
        doc: &Url,
        cands: Vec<Candidate>,
        is_known: IsKnown<'_>,
        cap: usize,
    ) -> usize {
        let keys: Vec<String> = cands.iter().map(|c| c.url.to_string()).collect();
        let known = is_known(&keys);
        let (old, mut fresh): (Vec<Candidate>, Vec<Candidate>) = cands.into_iter().partition(|c| {
            let k = c.url.to_string();
            known.contains(&k) || self.index.contains_key(&k)
        });
        // Newest first; undated ones after the dated, in document order (the sort is stable).
        fresh.sort_by(|a, b| {
            let date = |c: &Candidate| c.published.or(c.lastmod);
            date(b).cmp(&date(a))
        });
        let new = fresh.len();
        if new > cap {
            let left = new - cap;
            fresh.truncate(cap);
            self.report.deferred += u64::try_from(left).unwrap_or(u64::MAX);
            self.cache.put(doc.as_str(), Validators::default());
            tracing::info!(
                document = %doc,
                taken = cap,
                left,
                "more new URLs than max_new_per_run: the newest taken, the rest left for later runs"
            );
        }
        self.add_all(old);
        self.add_all(fresh)
    }

    async fn sitemaps(
        &mut self,
        roots: Vec<Url>,
        filter: &ArticleFilter,
        is_known: IsKnown<'_>,
        cap: usize,
    ) {
        let mut queue: VecDeque<(Url, usize)> = roots.into_iter().map(|u| (u, 0)).collect();
        let mut visited = HashSet::new();
        while let Some((url, depth)) = queue.pop_front() {
            if !visited.insert(url.to_string()) {
                continue;
            }
            let Some(page) = self.fetch(&url, true).await else {
                continue;
            };
            match parse_sitemap(page.text.as_bytes(), &page.url) {
                Ok(Sitemap::Index(children)) => {
                    if depth >= MAX_SITEMAP_DEPTH {
                        self.report
                            .errors
                            .push((url.to_string(), "sitemap index nested too deep".into()));
                        continue;
                    }
                    let children = children
                        .into_iter()
                        .filter(|c| crate::fetch::same_site(filter.base(), c));
                    for child in children.take(MAX_SITEMAP_CHILDREN) {
                        queue.push_back((child, depth + 1));
                    }
                }
                Ok(Sitemap::Urls(items)) => {
                    let accepted = items.into_iter().filter(|c| filter.accepts(&c.url));
                    self.add_capped(&url, accepted.collect(), is_known, cap);
                }
                Err(e) => self.report.errors.push((url.to_string(), e.to_string())),
            }
        }
    }

    async fn paginate(
        &mut self,
        start: Url,
        max_pages: u32,
        filter: &ArticleFilter,
        is_known: IsKnown<'_>,
        cap: usize,
    ) {
        let mut visited = HashSet::new();
        let mut url = start;
        for page_no in 1..=max_pages {
            if !visited.insert(url.to_string()) {
                break;
            }
            let Some(page) = self.fetch(&url, true).await else {
                break;
            };
            let (links, next) = parse_listing(&page.text, &page.url);
            let accepted: Vec<Url> = links.into_iter().filter(|u| filter.accepts(u)).collect();
            let keys: Vec<String> = accepted.iter().map(Url::to_string).collect();
            let known = is_known(&keys);
            let fresh = keys
                .iter()
                .filter(|k| !known.contains(*k) && !self.index.contains_key(*k))
                .count();
            let cands = accepted.into_iter().map(listing_candidate).collect();
            let deferred = self.report.deferred;
            self.add_capped(&url, cands, is_known, cap);
            if self.report.deferred > deferred {
                // This page alone filled the run's share of the listing.
                break;
            }
            tracing::debug!(listing = %url, page = page_no, fresh, "listing page");
            if fresh == 0 {
                break;
            }
            match next {
                Some(n) => url = n,
                None => break,
            }
        }
    }
}

fn listing_candidate(url: Url) -> Candidate {
    Candidate {
        url,
        title: None,
        published: None,
        lastmod: None,
        via: Via::Listing,
    }
}
