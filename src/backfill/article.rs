//! One article page of a backfill: fetch → scrape → (publication day in range?) → extract →
//! store, as the crawl does it, with alert rows only when asked.

use super::walk::Walk;
use super::Item;
use crate::crawl::MIN_BODY_CHARS;
use crate::discover::{self, ArticleFilter};
use crate::extract::vietnam_day;
use crate::store::{SaveStatus, SkippedPage};
use chrono::NaiveDate;
use url::Url;

/// What became of one article page.
pub(crate) enum Outcome {
    /// Stored (or found stored under its canonical URL) with this publication day.
    Stored(NaiveDate),
    /// Published outside the range (or undated): recorded, not stored.
    SetAside(Option<NaiveDate>),
    /// Fetch, scrape or store failed: counted as an error, tried again by the next run.
    Failed,
}

impl Walk<'_> {
    /// Fetches and stores one article page.
    pub(crate) async fn article(&mut self, item: &Item, filter: &ArticleFilter) -> Outcome {
        let url = &item.candidate.url;
        let page = match self.get(url).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(source = %self.src.name, %url, "article page failed: {e}");
                self.report.error(format!("{url}: {e}"));
                return Outcome::Failed;
            }
        };
        self.report.fetched += 1;
        let src = self.src;
        let article = crate::scrape::scrape(&page.text, Some(&page.url), src.selectors.as_ref());
        let body_chars = article.body.chars().filter(|c| !c.is_whitespace()).count();
        if body_chars < MIN_BODY_CHARS {
            self.report.error(format!(
                "{url}: article text too short ({body_chars} characters, at least {MIN_BODY_CHARS} expected)"
            ));
            return Outcome::Failed;
        }
        let canonical = article
            .canonical_url
            .as_deref()
            .and_then(|c| Url::parse(c).ok())
            .map(|c| discover::canonicalize(&c))
            .filter(|c| crate::crawl::trusted_canonical(src, Some(filter), url, c))
            .unwrap_or_else(|| discover::canonicalize(url));
        let key = canonical.to_string();
        let published = article.published.or(item.candidate.published);
        let day = published.map(vietnam_day);
        if key != url.as_str() && self.known.contains(&key) {
            self.remember_alias(url, &key, day).await;
            self.report.known += 1;
            return day.map_or(Outcome::SetAside(None), Outcome::Stored);
        }
        let Some(day) = day.filter(|d| self.opts.range.contains(*d)) else {
            self.report.set_aside += 1;
            let page = SkippedPage {
                url: url.to_string(),
                published: day,
                stored_as: None,
            };
            if let Err(e) = self.bf.store.mark_backfill_skipped(&src.name, &page).await {
                self.report.error(format!("{url}: cannot record: {e}"));
            }
            self.skipped.insert(url.to_string(), day);
            return Outcome::SetAside(day);
        };
        let (new, facts) = crate::crawl::article_row(
            &self.bf.extractor,
            src,
            key.clone(),
            &article,
            &page,
            item.candidate.title.clone(),
            published,
        );
        // History is not news: no alert rows unless `--alerts` asks for them.
        let alerts = if self.opts.alerts {
            crate::alert::outbox_rows(&self.bf.config, src, &new, &facts)
        } else {
            Vec::new()
        };
        match self.bf.store.save_article(&new, &facts, &alerts).await {
            Ok(out) => {
                if out.status == SaveStatus::New {
                    self.report.stored += 1;
                    self.report.facts += u64::try_from(out.facts).unwrap_or(0);
                } else {
                    self.report.known += 1;
                }
                if key != url.as_str() {
                    self.remember_alias(url, &key, Some(day)).await;
                }
                self.known.insert(key);
                Outcome::Stored(day)
            }
            Err(e) => {
                tracing::error!(source = %src.name, %url, "cannot store article: {e}");
                self.report.error(format!("{url}: cannot store: {e}"));
                Outcome::Failed
            }
        }
    }

    /// Remembers that the page at `url` is stored under `key` (its canonical link names another
    /// URL), so that no later run fetches it again to find that out.
    async fn remember_alias(&mut self, url: &Url, key: &str, day: Option<NaiveDate>) {
        self.known.insert(url.to_string());
        let page = SkippedPage {
            url: url.to_string(),
            published: day,
            stored_as: Some(key.to_string()),
        };
        if let Err(e) = self
            .bf
            .store
            .mark_backfill_skipped(&self.src.name, &page)
            .await
        {
            self.report.error(format!("{url}: cannot record: {e}"));
        }
    }
}
