//! The walk of one source's history: feeds, sitemap indexes, archive pages, paginated listings,
//! and for each article link the decision to fetch it or not ([`verdict`]).

use super::article::Outcome;
use super::{Backfiller, DayRange, Options, Progress, Report};
use crate::config::SourceConfig;
use crate::discover::{
    listing_dates, parse_feed, parse_listing, parse_sitemap_dated, period_in_name, ArticleFilter,
    Candidate, DatedSitemap, Via,
};
use crate::extract::vietnam_day;
use crate::fetch::{FetchOutcome, Page};
use crate::store::DoneDocument;
use chrono::{Datelike, NaiveDate};
use std::collections::{HashMap, HashSet, VecDeque};
use tokio::sync::watch;
use url::Url;

/// Index levels followed below a configured sitemap.
const MAX_SITEMAP_DEPTH: usize = 3;
/// Listing pages read from one start page at most, whatever the dates say: a safety bound
/// against listings that never end (a calendar, a loop through query strings).
pub const MAX_LISTING_PAGES: usize = 20_000;

/// An article link found by the walk.
#[derive(Debug, Clone)]
pub struct Item {
    /// The link, with what its feed or sitemap said.
    pub candidate: Candidate,
    /// The day a listing or archive page shows next to it.
    pub listed: Option<NaiveDate>,
    /// Whether a `lastmod` after the range may still be an article of the range: true for
    /// entries of a sitemap whose file name dates it inside the range.
    pub late_lastmod_ok: bool,
}

impl Item {
    /// The publication day the link's document gives (feed or news sitemap date, listing date).
    pub fn day(&self) -> Option<NaiveDate> {
        self.candidate.published.map(vietnam_day).or(self.listed)
    }
}

/// What to do with an article link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Stored already: not fetched.
    Known,
    /// Its dates put it outside the range, or an earlier backfill fetched it and set it aside:
    /// not fetched.
    OutOfRange,
    /// May be an article of the range: fetched.
    Fetch,
}

/// Decides whether a link is fetched: stored ones and ones set aside by an earlier run (for a
/// day outside this range) are not; a publication or listing date decides when there is one;
/// else a `lastmod` before `since` excludes it (a page is not published after it was last
/// modified), and so does one after `until` unless the link comes from a sitemap named for a
/// period of the range.
pub fn verdict(
    item: &Item,
    range: &DayRange,
    known: &HashSet<String>,
    skipped: &HashMap<String, Option<NaiveDate>>,
) -> Verdict {
    let key = item.candidate.url.as_str();
    if known.contains(key) {
        return Verdict::Known;
    }
    if let Some(seen) = skipped.get(key) {
        if !seen.is_some_and(|d| range.contains(d)) {
            return Verdict::OutOfRange;
        }
    }
    if let Some(day) = item.day() {
        return if range.contains(day) {
            Verdict::Fetch
        } else {
            Verdict::OutOfRange
        };
    }
    if let Some(lastmod) = item.candidate.lastmod.map(vietnam_day) {
        if lastmod < range.since || (lastmod > range.until && !item.late_lastmod_ok) {
            return Verdict::OutOfRange;
        }
    }
    Verdict::Fetch
}

/// The first and last day of the period a sitemap's file name gives.
fn named_period(url: &Url) -> Option<(NaiveDate, NaiveDate)> {
    let (y, m, d) = period_in_name(url)?;
    let y = i32::try_from(y).ok()?;
    match (m, d) {
        (0, _) => Some((
            NaiveDate::from_ymd_opt(y, 1, 1)?,
            NaiveDate::from_ymd_opt(y, 12, 31)?,
        )),
        (m, 0) => {
            let first = NaiveDate::from_ymd_opt(y, m, 1)?;
            let next = if m == 12 {
                NaiveDate::from_ymd_opt(y + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(y, m + 1, 1)?
            };
            Some((first, next.pred_opt()?))
        }
        (m, d) => {
            let day = NaiveDate::from_ymd_opt(y, m, d)?;
            Some((day, day))
        }
    }
}

/// The state of one source's walk.
pub(crate) struct Walk<'a> {
    pub(crate) bf: &'a Backfiller,
    pub(crate) src: &'a SourceConfig,
    pub(crate) opts: &'a Options,
    progress: &'a Progress,
    stop: watch::Receiver<bool>,
    /// Canonical URLs of the source's stored articles.
    pub(crate) known: HashSet<String>,
    /// Article pages set aside by earlier runs, with their day.
    pub(crate) skipped: HashMap<String, Option<NaiveDate>>,
    /// Documents read to the end by earlier runs over the same range.
    done: HashMap<String, DoneDocument>,
    pub(crate) report: Report,
    /// Documents known to be read (for the progress bar).
    pages_known: u64,
    /// `--dry-run`: links counted already (a link is in the sitemap and in the listing).
    counted: HashSet<String>,
}

/// Walks one source (the caller holds its lease).
pub(crate) async fn run(
    bf: &Backfiller,
    src: &SourceConfig,
    opts: &Options,
    progress: &Progress,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Report> {
    let filter = ArticleFilter::new(src)?;
    let store = &bf.store;
    let range = opts.range;
    let mut known = store.source_urls(&src.name).await?;
    let mut skipped: HashMap<String, Option<NaiveDate>> = HashMap::new();
    for page in store.backfill_skipped(&src.name).await? {
        // A page stored under another canonical URL is as good as stored.
        if page.stored_as.is_some() {
            known.insert(page.url);
        } else {
            skipped.insert(page.url, page.published);
        }
    }
    let done: HashMap<String, DoneDocument> = if opts.dry_run {
        HashMap::new()
    } else {
        store
            .backfill_done(&src.name, range.since, range.until)
            .await?
            .into_iter()
            .map(|d| (d.document.clone(), d))
            .collect()
    };
    if !done.is_empty() {
        tracing::info!(
            source = %src.name,
            documents = done.len(),
            "resuming: documents read to the end by an earlier run are not fetched again"
        );
    }
    let mut walk = Walk {
        bf,
        src,
        opts,
        progress,
        stop,
        known,
        skipped,
        done,
        report: Report {
            source: src.name.clone(),
            ..Report::default()
        },
        pages_known: 0,
        counted: HashSet::new(),
    };
    let base = filter.base().clone();
    let resolve =
        |list: &[String]| -> Vec<Url> { list.iter().filter_map(|s| base.join(s).ok()).collect() };
    let (feeds, sitemaps, listings) = (
        resolve(&src.feeds),
        resolve(&src.sitemaps),
        resolve(&src.listings),
    );
    walk.pages_known = u64::try_from(feeds.len() + sitemaps.len() + listings.len()).unwrap_or(0);
    for feed in feeds {
        walk.feed(&feed, &filter).await;
    }
    walk.sitemaps(sitemaps, &filter).await;
    if let Some(template) = &src.archive_url {
        walk.archive(&base, template, &filter).await;
    }
    for start in listings {
        walk.listing(start, None, false, true, &filter).await;
    }
    walk.progress.update(&walk.report, walk.pages_known);
    Ok(walk.report)
}

impl Walk<'_> {
    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    /// Fetches a page in full through the polite fetcher, within the hourly budget.
    pub(crate) async fn get(&mut self, url: &Url) -> Result<Page, String> {
        self.bf.budget.take(url.host_str().unwrap_or("")).await;
        match self.bf.fetcher.get(url, None).await {
            Ok(FetchOutcome::Fetched(page)) => Ok(page),
            Ok(FetchOutcome::NotModified) => Err("304 Not Modified to a plain GET".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Fetches a feed, sitemap or listing page; a failure is counted.
    async fn document(&mut self, url: &Url) -> Option<Page> {
        match self.document_or_missing(url).await {
            Ok(page) => page,
            Err(()) => {
                self.report.error(format!("{url}: HTTP 404"));
                None
            }
        }
    }

    /// Like [`Self::document`], but tells a 404 (`Err(())`, not counted as an error) apart: an
    /// archive has no page for a day without news on many sites.
    async fn document_or_missing(&mut self, url: &Url) -> Result<Option<Page>, ()> {
        self.bf.budget.take(url.host_str().unwrap_or("")).await;
        match self.bf.fetcher.get(url, None).await {
            Ok(FetchOutcome::Fetched(page)) => {
                self.report.pages += 1;
                self.progress.update(&self.report, self.pages_known);
                Ok(Some(page))
            }
            Err(e) if matches!(e.kind, crate::fetch::FetchErrorKind::Status(404)) => Err(()),
            Ok(FetchOutcome::NotModified) => {
                self.report
                    .error(format!("{url}: 304 Not Modified to a plain GET"));
                Ok(None)
            }
            Err(e) => {
                tracing::warn!(source = %self.src.name, %url, "{e}");
                self.report.error(format!("{url}: {e}"));
                Ok(None)
            }
        }
    }

    async fn feed(&mut self, url: &Url, filter: &ArticleFilter) {
        let Some(page) = self.document(url).await else {
            return;
        };
        match parse_feed(page.text.as_bytes(), &page.url) {
            Ok(cands) => {
                let items = cands
                    .into_iter()
                    .filter(|c| filter.accepts(&c.url))
                    .map(|c| Item {
                        candidate: c,
                        listed: None,
                        late_lastmod_ok: false,
                    })
                    .collect();
                self.items(items, filter, false).await;
            }
            Err(e) => self.report.error(format!("{url}: {e}")),
        }
    }

    /// Sitemaps and their indexes, children newest first, skipping unread the children dated
    /// outside the range (by `lastmod` before it, or by a file name naming a period outside it)
    /// and those an earlier run read to the end with the same `lastmod`.
    async fn sitemaps(&mut self, roots: Vec<Url>, filter: &ArticleFilter) {
        let range = self.opts.range;
        let mut queue: VecDeque<(Url, usize, Option<String>, bool)> =
            roots.into_iter().map(|u| (u, 0, None, false)).collect();
        let mut visited = HashSet::new();
        while let Some((url, depth, lastmod, named_in_range)) = queue.pop_front() {
            if self.stopped() {
                return;
            }
            if !visited.insert(url.to_string()) {
                continue;
            }
            let Some(page) = self.document(&url).await else {
                continue;
            };
            let parsed = parse_sitemap_dated(page.text.as_bytes(), &page.url);
            drop(page);
            match parsed {
                Ok(DatedSitemap::Index(mut children)) => {
                    if depth >= MAX_SITEMAP_DEPTH {
                        self.report
                            .error(format!("{url}: sitemap index nested too deep"));
                        continue;
                    }
                    // Newest first by lastmod, else by the period in the name.
                    children.sort_by_key(|(u, lm)| {
                        std::cmp::Reverse((lm.map(|d| d.timestamp()), named_period(u)))
                    });
                    for (child, lm) in children {
                        if !crate::fetch::same_site(filter.base(), &child) {
                            continue;
                        }
                        let period = named_period(&child);
                        let before = lm.is_some_and(|d| vietnam_day(d) < range.since);
                        let outside = period
                            .is_some_and(|(first, last)| last < range.since || first > range.until);
                        let lm_text = lm.map(|d| d.to_rfc3339());
                        let done = self
                            .done
                            .get(child.as_str())
                            .is_some_and(|d| d.lastmod == lm_text);
                        if before || outside || done {
                            self.report.pages_skipped += 1;
                            continue;
                        }
                        self.pages_known += 1;
                        queue.push_back((child, depth + 1, lm_text, period.is_some()));
                    }
                }
                Ok(DatedSitemap::Urls(cands)) => {
                    let items = cands
                        .into_iter()
                        .filter(|c| filter.accepts(&c.url))
                        .map(|c| Item {
                            candidate: c,
                            listed: None,
                            late_lastmod_ok: named_in_range,
                        })
                        .collect();
                    let (complete, newest) = self.items(items, filter, false).await;
                    if complete && depth > 0 {
                        self.mark_done(&url, lastmod, None, newest).await;
                    }
                }
                Err(e) => self.report.error(format!("{url}: {e}")),
            }
        }
    }

    /// The archive pages of `archive_url`, one per day (or month, or year) of the range, newest
    /// first, each with its pagination.
    async fn archive(&mut self, base: &Url, template: &str, filter: &ArticleFilter) {
        let range = self.opts.range;
        let daily = template.contains("{day}");
        let monthly = template.contains("{month}");
        let mut day = range.until;
        let mut starts: Vec<(Url, Option<NaiveDate>)> = Vec::new();
        let mut last = String::new();
        while day >= range.since {
            let path = template
                .replace("{year}", &format!("{:04}", day.year()))
                .replace("{month}", &format!("{:02}", day.month()))
                .replace("{day}", &format!("{:02}", day.day()));
            if path != last {
                if let Ok(url) = base.join(&path) {
                    starts.push((url, daily.then_some(day)));
                }
                last = path;
            }
            day = match (daily, monthly) {
                (true, _) => day.pred_opt(),
                (false, true) => day.with_day(1).and_then(|d| d.pred_opt()),
                (false, false) => NaiveDate::from_ymd_opt(day.year() - 1, 12, 31),
            }
            .unwrap_or(NaiveDate::MIN);
        }
        self.pages_known += u64::try_from(starts.len()).unwrap_or(0);
        for (url, listed) in starts {
            if self.stopped() {
                return;
            }
            self.listing(url, listed, true, false, filter).await;
        }
    }

    /// A listing from `start`, page after page: until a page shows only days before the range
    /// (when `stop_when_older`), has no next page, or loops. Pages an earlier run read to the end
    /// are jumped over unfetched (their next page was recorded); the start page of a section
    /// listing is always read (new articles move everything down).
    async fn listing(
        &mut self,
        start: Url,
        default_day: Option<NaiveDate>,
        mark_start: bool,
        stop_when_older: bool,
        filter: &ArticleFilter,
    ) {
        let range = self.opts.range;
        let mut url = start.clone();
        let mut visited = HashSet::new();
        for _ in 0..MAX_LISTING_PAGES {
            if self.stopped() || !visited.insert(url.to_string()) {
                return;
            }
            let is_start = url == start;
            if !is_start || mark_start {
                if let Some(done) = self.done.get(url.as_str()).cloned() {
                    self.report.pages_skipped += 1;
                    if stop_when_older && done.newest_day.is_some_and(|d| d < range.since) {
                        return;
                    }
                    match done.next_url.and_then(|n| Url::parse(&n).ok()) {
                        Some(next) => {
                            url = next;
                            continue;
                        }
                        None => return,
                    }
                }
            }
            let page = match self.document_or_missing(&url).await {
                Ok(Some(page)) => page,
                Ok(None) => return,
                Err(()) if mark_start && is_start => {
                    // An archive day (or month) without a page: nothing was published.
                    self.mark_done(&url, None, None, None).await;
                    return;
                }
                Err(()) => {
                    self.report.error(format!("{url}: HTTP 404"));
                    return;
                }
            };
            let links = listing_dates(&page.text, &page.url, filter);
            let (_, next) = parse_listing(&page.text, &page.url);
            drop(page);
            let items: Vec<Item> = links
                .into_iter()
                .map(|(u, day)| Item {
                    candidate: Candidate {
                        url: u,
                        title: None,
                        published: None,
                        lastmod: None,
                        via: Via::Listing,
                    },
                    listed: day.or(default_day),
                    late_lastmod_ok: false,
                })
                .collect();
            let (complete, newest) = self.items(items, filter, true).await;
            if complete && (!is_start || mark_start) && !self.opts.dry_run {
                let next_text = next.as_ref().map(Url::to_string);
                self.mark_done(&url, None, next_text, newest).await;
            }
            if stop_when_older && newest.is_some_and(|d| d < range.since) {
                return;
            }
            match next {
                Some(n) => {
                    self.pages_known += 1;
                    url = n;
                }
                None => return,
            }
        }
    }

    async fn mark_done(
        &mut self,
        url: &Url,
        lastmod: Option<String>,
        next_url: Option<String>,
        newest_day: Option<NaiveDate>,
    ) {
        if self.opts.dry_run {
            return;
        }
        let doc = DoneDocument {
            document: url.to_string(),
            lastmod,
            next_url,
            newest_day,
        };
        let range = self.opts.range;
        if let Err(e) = self
            .bf
            .store
            .mark_backfill_done(&self.src.name, range.since, range.until, &doc)
            .await
        {
            self.report
                .error(format!("{url}: cannot record progress: {e}"));
        }
    }

    /// Handles the article links of one document; returns whether every link was dealt with
    /// (none failed, the walk was not stopped) and the newest day seen. With `probe` (a
    /// listing) and no dates on the page, the oldest link is fetched first: when it is newer
    /// than the range, so is the whole page, and its other links are not fetched.
    async fn items(
        &mut self,
        items: Vec<Item>,
        filter: &ArticleFilter,
        probe: bool,
    ) -> (bool, Option<NaiveDate>) {
        let range = self.opts.range;
        let mut newest: Option<NaiveDate> = None;
        let mut complete = true;
        let verdicts: Vec<Verdict> = items
            .iter()
            .map(|i| verdict(i, &range, &self.known, &self.skipped))
            .collect();
        if self.opts.dry_run {
            for (item, v) in items.iter().zip(&verdicts) {
                newest = newest.max(item.day());
                if !self.counted.insert(item.candidate.url.to_string()) {
                    continue;
                }
                match item.day().or(item.candidate.lastmod.map(vietnam_day)) {
                    Some(d) if range.contains(d) => {
                        *self
                            .report
                            .months
                            .entry(d.format("%Y-%m").to_string())
                            .or_default() += 1;
                    }
                    None if *v != Verdict::OutOfRange => self.report.undated += 1,
                    _ => {}
                }
            }
            return (true, newest);
        }
        let mut order: Vec<usize> = (0..items.len()).collect();
        let undated = items.iter().all(|i| i.day().is_none());
        let mut skip_rest = false;
        if probe && undated {
            if let Some(last) = (0..items.len())
                .rev()
                .find(|&i| verdicts[i] == Verdict::Fetch)
            {
                order.retain(|&i| i != last);
                order.insert(0, last);
            }
        }
        for (n, i) in order.into_iter().enumerate() {
            if self.stopped() {
                return (false, newest);
            }
            let item = &items[i];
            match verdicts[i] {
                Verdict::Known => {
                    self.report.known += 1;
                    newest = newest.max(item.day());
                }
                Verdict::OutOfRange => {
                    self.report.out_of_range += 1;
                    newest = newest.max(item.day());
                }
                Verdict::Fetch if skip_rest => self.report.out_of_range += 1,
                Verdict::Fetch => match self.article(item, filter).await {
                    Outcome::Stored(d) | Outcome::SetAside(Some(d)) => {
                        newest = newest.max(Some(d));
                        if n == 0 && probe && undated && d > range.until {
                            // The oldest link of a newest-first page is newer than the range.
                            skip_rest = true;
                        }
                    }
                    Outcome::SetAside(None) => {}
                    Outcome::Failed => complete = false,
                },
            }
            self.progress.update(&self.report, self.pages_known);
        }
        (complete, newest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn item(url: &str, lastmod: Option<&str>, late_ok: bool) -> Item {
        Item {
            candidate: Candidate {
                url: Url::parse(url).unwrap(),
                title: None,
                published: None,
                lastmod: lastmod.map(|l| chrono::DateTime::parse_from_rfc3339(l).unwrap()),
                via: Via::Sitemap,
            },
            listed: None,
            late_lastmod_ok: late_ok,
        }
    }

    #[test]
    fn links_outside_the_range_by_their_dates_are_not_fetched() {
        let range = DayRange {
            since: day("2024-01-01"),
            until: day("2024-12-31"),
        };
        let known: HashSet<String> = ["https://x.vn/a".to_string()].into();
        let skipped: HashMap<String, Option<NaiveDate>> = [
            ("https://x.vn/old".to_string(), Some(day("2023-12-31"))),
            ("https://x.vn/in".to_string(), Some(day("2024-03-01"))),
        ]
        .into();
        let v = |i: &Item| verdict(i, &range, &known, &skipped);
        assert_eq!(v(&item("https://x.vn/a", None, false)), Verdict::Known);
        assert_eq!(
            v(&item("https://x.vn/old", None, false)),
            Verdict::OutOfRange
        );
        assert_eq!(v(&item("https://x.vn/in", None, false)), Verdict::Fetch);
        // Modified before the range: published before it too.
        let before = Some("2023-12-31T16:59:00+00:00");
        assert_eq!(
            v(&item("https://x.vn/b", before, false)),
            Verdict::OutOfRange
        );
        // 2023-12-31T17:00Z is 1 January in Vietnam.
        let first = Some("2023-12-31T17:00:00+00:00");
        assert_eq!(v(&item("https://x.vn/b", first, false)), Verdict::Fetch);
        let late = Some("2025-01-02T08:00:00+07:00");
        assert_eq!(v(&item("https://x.vn/c", late, false)), Verdict::OutOfRange);
        assert_eq!(v(&item("https://x.vn/c", late, true)), Verdict::Fetch);
        let mut listed = item("https://x.vn/d", None, false);
        listed.listed = Some(day("2025-01-01"));
        assert_eq!(v(&listed), Verdict::OutOfRange);
        listed.listed = Some(day("2024-12-31"));
        assert_eq!(v(&listed), Verdict::Fetch);
    }

    #[test]
    fn periods_named_by_sitemap_files() {
        let p = |s: &str| named_period(&Url::parse(s).unwrap());
        assert_eq!(
            p("https://x.vn/sitemaps/news-2024-2.xml.gz"),
            Some((day("2024-02-01"), day("2024-02-29")))
        );
        assert_eq!(
            p("https://x.vn/sitemap-2025-12-31.xml"),
            Some((day("2025-12-31"), day("2025-12-31")))
        );
        assert_eq!(
            p("https://x.vn/sitemap-2023.xml"),
            Some((day("2023-01-01"), day("2023-12-31")))
        );
        assert_eq!(p("https://x.vn/sitemap-news.xml"), None);
    }
}
