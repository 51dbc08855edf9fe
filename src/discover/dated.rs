//! The date a listing page shows next to each article link, so that a history walk
//! (`chiso backfill`) can tell from the listing alone which articles fall in its range and where
//! to stop paginating.
//!
//! A link's date is the one in the smallest element around it that holds no other article link:
//! a `<time datetime>` there, else a visible date (`06/01/2024`, `2024-01-06`, `ngày 6 tháng 1
//! năm 2024`) in its text. Dates are publication days in Asia/Ho_Chi_Minh.

use super::{canonicalize, ArticleFilter};
use chrono::NaiveDate;
use scraper::{ElementRef, Html, Selector};
use std::collections::HashMap;
use url::Url;

/// Levels above a link searched for its date (an `<a>` in an `<h3>` in an `<article>` in a
/// `<li>` is three).
const MAX_LEVELS: usize = 4;

/// The article links of a listing page that its filter accepts, in page order without
/// duplicates, each with the day shown next to it (`None` when the page shows none).
pub fn listing_dates(
    html: &str,
    page_url: &Url,
    filter: &ArticleFilter,
) -> Vec<(Url, Option<NaiveDate>)> {
    let doc = Html::parse_document(html);
    let base = Selector::parse("base[href]")
        .ok()
        .and_then(|sel| doc.select(&sel).next())
        .and_then(|el| el.value().attr("href"))
        .and_then(|h| page_url.join(h.trim()).ok())
        .unwrap_or_else(|| page_url.clone());
    let Ok(links) = Selector::parse("a[href]") else {
        return Vec::new();
    };
    let Ok(times) = Selector::parse("time[datetime]") else {
        return Vec::new();
    };
    let resolve = |el: ElementRef<'_>| -> Option<Url> {
        let href = el.value().attr("href")?.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        let url = base.join(href).ok()?;
        matches!(url.scheme(), "http" | "https").then(|| canonicalize(&url))
    };
    let mut out: Vec<(Url, Option<NaiveDate>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for a in doc.select(&links) {
        let Some(url) = resolve(a).filter(|u| filter.accepts(u)) else {
            continue;
        };
        let mut day = None;
        let mut node = a;
        for _ in 0..MAX_LEVELS {
            let Some(parent) = node.parent().and_then(ElementRef::wrap) else {
                break;
            };
            let other_article = parent
                .select(&links)
                .filter_map(resolve)
                .any(|u| u != url && filter.accepts(&u));
            if other_article {
                break;
            }
            day = parent
                .select(&times)
                .filter_map(|t| t.value().attr("datetime"))
                .find_map(crate::scrape::parse_vn_datetime)
                .or_else(|| {
                    let text: String = parent.text().collect::<Vec<_>>().join(" ");
                    crate::scrape::parse_vn_datetime(&text)
                })
                .map(crate::extract::vietnam_day);
            if day.is_some() {
                break;
            }
            node = parent;
        }
        let key = url.to_string();
        match index.get(&key) {
            Some(&i) => {
                if out[i].1.is_none() {
                    out[i].1 = day;
                }
            }
            None => {
                index.insert(key, out.len());
                out.push((url, day));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SourceConfig;

    #[test]
    fn each_link_takes_the_date_of_its_own_item() {
        let src: SourceConfig = toml::from_str(
            "name = \"s\"\nprovince = \"Hà Tĩnh\"\nbase_url = \"https://x.vn/\"\n\
             article_pattern = '-post\\d+\\.html$'",
        )
        .unwrap();
        let filter = ArticleFilter::new(&src).unwrap();
        let html = r#"<ul>
<li><a href="/a-post1.html"><img></a><h3><a href="/a-post1.html">A</a></h3><span>06/01/2024 08:30</span></li>
<li><h3><a href="/b-post2.html">B</a></h3><time datetime="2023-12-31T23:30:00+07:00">hôm qua</time></li>
<li><h3><a href="/c-post3.html">C</a></h3></li>
</ul><a href="/kinh-te/">Kinh tế</a>"#;
        let got = listing_dates(html, &Url::parse("https://x.vn/kinh-te/").unwrap(), &filter);
        let days: Vec<(String, Option<String>)> = got
            .iter()
            .map(|(u, d)| (u.path().to_string(), d.map(|d| d.to_string())))
            .collect();
        assert_eq!(
            days,
            [
                ("/a-post1.html".into(), Some("2024-01-06".into())),
                ("/b-post2.html".into(), Some("2023-12-31".into())),
                ("/c-post3.html".into(), None),
            ]
        );
    }
}
