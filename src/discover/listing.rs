//! Listing (section) pages: the links they hold, the next page, and the feeds they advertise.
//!
//! Pagination is followed through `rel="next"` when the page has it, else through a link to the
//! same listing with the page number plus one in one of the forms provincial sites use: `?p=N`
//! (Cần Thơ), `?page=N`, `/page/N`, `/trang-N`. Only links present on the page are followed; a next
//! page is never guessed. A `<base href>` (Đồng Khởi points it at another host) is honoured.

use super::canonicalize;
use regex::Regex;
use scraper::{Html, Selector};
use std::collections::HashSet;
use std::sync::LazyLock;
use url::Url;

/// Query parameters that carry a page number.
const PAGE_PARAMS: &[&str] = &["p", "page", "trang"];

#[allow(clippy::expect_used)]
static PATH_PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[/-](?:page|trang)[/-]?(\d{1,5})(?:\.html?)?/?$").expect("valid regex")
});

/// The links of a listing page (resolved, http(s) only, canonical, in page order, without
/// duplicates or the page itself) and the next page, when there is one.
pub fn parse_listing(html: &str, page_url: &Url) -> (Vec<Url>, Option<Url>) {
    let doc = Html::parse_document(html);
    let base = base_href(&doc, page_url);
    let this = canonicalize(page_url);
    let mut seen = HashSet::new();
    let mut links = Vec::new();
    let mut next_rel = None;
    if let Ok(sel) = Selector::parse("a[href], link[rel][href]") {
        for el in doc.select(&sel) {
            let Some(href) = el.value().attr("href") else {
                continue;
            };
            let Some(url) = resolve(&base, href) else {
                continue;
            };
            let rel_next = el.value().attr("rel").is_some_and(|r| {
                r.split_ascii_whitespace()
                    .any(|t| t.eq_ignore_ascii_case("next"))
            });
            if rel_next && next_rel.is_none() {
                next_rel = Some(url.clone());
            }
            if el.value().name() == "link" {
                continue;
            }
            if url != this && seen.insert(url.clone()) {
                links.push(url);
            }
        }
    }
    let next = next_rel
        .filter(|n| *n != this)
        .or_else(|| numbered_next(&this, &links));
    (links, next)
}

/// Feeds advertised by `<link rel="alternate" type="application/rss+xml|atom+xml">`.
pub fn discover_feeds(html: &str, page_url: &Url) -> Vec<Url> {
    let doc = Html::parse_document(html);
    let base = base_href(&doc, page_url);
    let Ok(sel) = Selector::parse("link[rel][type][href]") else {
        return Vec::new();
    };
    let mut out: Vec<Url> = Vec::new();
    for el in doc.select(&sel) {
        let v = el.value();
        let alternate = v.attr("rel").is_some_and(|r| {
            r.split_ascii_whitespace()
                .any(|t| t.eq_ignore_ascii_case("alternate"))
        });
        let ty = v.attr("type").unwrap_or("").trim().to_ascii_lowercase();
        let is_feed = ty == "application/rss+xml" || ty == "application/atom+xml";
        if !(alternate && is_feed) {
            continue;
        }
        if let Some(url) = v.attr("href").and_then(|h| resolve(&base, h)) {
            if !out.contains(&url) {
                out.push(url);
            }
        }
    }
    out
}

fn base_href(doc: &Html, page_url: &Url) -> Url {
    Selector::parse("base[href]")
        .ok()
        .and_then(|sel| doc.select(&sel).next())
        .and_then(|el| el.value().attr("href"))
        .and_then(|h| page_url.join(h.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| page_url.clone())
}

fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let url = base.join(href).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| canonicalize(&url))
}

/// A listing URL split into the URL without its page number and the number (1 when absent).
fn page_key(url: &Url) -> (String, u32) {
    let mut stem = url.clone();
    let mut number = None;
    if url.query().is_some() {
        let mut kept = Vec::new();
        for (k, v) in url.query_pairs() {
            if number.is_none() && PAGE_PARAMS.contains(&k.to_ascii_lowercase().as_str()) {
                if let Ok(n) = v.parse::<u32>() {
                    number = Some(n);
                    continue;
                }
            }
            kept.push((k.into_owned(), v.into_owned()));
        }
        if kept.is_empty() {
            stem.set_query(None);
        } else {
            stem.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    let path = url.path().to_string();
    let mut path_stem = path.clone();
    if number.is_none() {
        if let Some(caps) = PATH_PAGE.captures(&path) {
            number = caps.get(1).and_then(|m| m.as_str().parse().ok());
            if let Some(m) = caps.get(0) {
                path_stem = path[..m.start()].to_string();
            }
        }
    }
    let trimmed = path_stem.trim_end_matches('/');
    let trimmed = trimmed
        .strip_suffix(".html")
        .or_else(|| trimmed.strip_suffix(".htm"))
        .unwrap_or(trimmed);
    stem.set_path(if trimmed.is_empty() { "/" } else { trimmed });
    (stem.to_string(), number.unwrap_or(1))
}

fn numbered_next(this: &Url, links: &[Url]) -> Option<Url> {
    let (stem, n) = page_key(this);
    links
        .iter()
        .find(|l| {
            let (s, m) = page_key(l);
            s == stem && m == n + 1
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn page_numbers_in_the_forms_sites_use() {
        assert_eq!(
            page_key(&u("https://x.vn/thoi-su/?p=3")),
            ("https://x.vn/thoi-su".into(), 3)
        );
        assert_eq!(
            page_key(&u("https://x.vn/thoi-su/")),
            ("https://x.vn/thoi-su".into(), 1)
        );
        assert_eq!(page_key(&u("https://x.vn/kinh-te/page/2/")).1, 2);
        assert_eq!(
            page_key(&u("https://x.vn/kinh-te/trang-4.html")),
            ("https://x.vn/kinh-te".into(), 4)
        );
        assert_eq!(
            page_key(&u("https://x.vn/kinh-te.html")),
            ("https://x.vn/kinh-te".into(), 1)
        );
        assert_eq!(
            page_key(&u("https://x.vn/c?cat=5&page=2")),
            ("https://x.vn/c?cat=5".into(), 2)
        );
    }

    #[test]
    fn next_by_rel_or_by_number() {
        let page = u("https://baocantho.com.vn/thoi-su/");
        let html = r#"<a href="/a-a1.html">A</a><a href="?p=3">3</a><a href="?p=2">2</a><a href="/a-a1.html#c">A again</a>"#;
        let (links, next) = parse_listing(html, &page);
        assert_eq!(links.len(), 3);
        assert_eq!(
            next.unwrap().as_str(),
            "https://baocantho.com.vn/thoi-su/?p=2"
        );
        let html = r#"<head><link rel="next" href="/thoi-su/?p=9"></head><a href="?p=2">2</a>"#;
        assert_eq!(parse_listing(html, &page).1.unwrap().query(), Some("p=9"));
        let (_, none) = parse_listing(r#"<a href="/x-a2.html">x</a>"#, &page);
        assert_eq!(none, None);
    }

    #[test]
    fn base_href_and_feed_links() {
        let page = u("https://baodongkhoi.vn/");
        let html = r#"<head><base href="https://dongkhoi.baovinhlong.vn/">
<link rel="alternate" type="application/rss+xml" title="Tin mới" href="/rss/home.rss">
<link rel="alternate" type="application/atom+xml" href="https://dongkhoi.baovinhlong.vn/atom.xml">
<link rel="alternate" hreflang="en" href="/en/">
<link rel="stylesheet" type="text/css" href="/s.css"></head><a href="tin-a1.html">t</a>"#;
        let feeds = discover_feeds(html, &page);
        let f: Vec<&str> = feeds.iter().map(Url::as_str).collect();
        assert_eq!(
            f,
            [
                "https://dongkhoi.baovinhlong.vn/rss/home.rss",
                "https://dongkhoi.baovinhlong.vn/atom.xml"
            ]
        );
        let (links, _) = parse_listing(html, &page);
        assert_eq!(
            links[0].as_str(),
            "https://dongkhoi.baovinhlong.vn/tin-a1.html"
        );
    }
}
