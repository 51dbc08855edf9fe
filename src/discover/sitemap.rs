//! Sitemaps: indexes and urlsets, gzip or not, with Google News extensions.
//!
//! CMS-A sites publish `/sitemap.xml` as an index of monthly gzip files (`news-2026-1.xml`), and
//! OneCMS sites daily and news sitemaps; both also list `categories.xml` and `topics.xml`, which
//! hold section pages rather than articles and are skipped. Gzip is recognised by its magic bytes,
//! so a `.xml.gz` body and a gzip `Content-Encoding` the client already undid both work.

use super::{dates::parse_feed_date, Candidate, DiscoverError, Via};
use crate::discover::canonicalize;
use chrono::{DateTime, FixedOffset};
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use std::io::Read;
use url::Url;

/// Largest sitemap accepted after gunzip (the sitemap protocol caps files at 50 MB).
pub const MAX_SITEMAP_BYTES: u64 = 64 * 1024 * 1024;

/// Index children whose file names contain one of these list sections or topics, not articles
/// (`categories.xml`, `topics.xml` on CMS-A; `sitemap-category.xml` on OneCMS).
const SKIPPED_CHILDREN: &[&str] = &["categor", "topic"];

/// A parsed sitemap.
#[derive(Debug, Clone, PartialEq)]
pub enum Sitemap {
    /// `<sitemapindex>`: child sitemaps, newest first, section/topic lists left out.
    Index(Vec<Url>),
    /// `<urlset>`: the pages it lists.
    Urls(Vec<Candidate>),
}

/// A parsed sitemap with the `lastmod` of each index child, for walks that filter by date
/// (`chiso backfill`).
#[derive(Debug, Clone, PartialEq)]
pub enum DatedSitemap {
    /// `<sitemapindex>`: child sitemaps with their `lastmod`, in document order, section/topic
    /// lists left out.
    Index(Vec<(Url, Option<DateTime<FixedOffset>>)>),
    /// `<urlset>`: the pages it lists.
    Urls(Vec<Candidate>),
}

/// Parses a sitemap or sitemap index (gzip detected by its magic bytes). Relative `loc`s are
/// resolved against `base`; candidates are canonical but not yet filtered.
pub fn parse_sitemap(body: &[u8], base: &Url) -> Result<Sitemap, DiscoverError> {
    Ok(match parse_sitemap_dated(body, base)? {
        DatedSitemap::Index(children) => Sitemap::Index(newest_first(children)),
        DatedSitemap::Urls(urls) => Sitemap::Urls(urls),
    })
}

/// [`parse_sitemap`] keeping each index child's `lastmod`, children in document order.
pub fn parse_sitemap_dated(body: &[u8], base: &Url) -> Result<DatedSitemap, DiscoverError> {
    let owned;
    let bytes = if body.starts_with(&[0x1f, 0x8b]) {
        owned = gunzip(body)?;
        &owned[..]
    } else {
        body
    };
    let text = String::from_utf8_lossy(bytes);
    let mut reader = Reader::from_str(&text);
    // No trimming: it would eat the spaces around `&amp;` (entities are separate events).
    reader.config_mut().trim_text(false);

    let mut stack: Vec<String> = Vec::new();
    let mut text_buf = String::new();
    let mut root: Option<String> = None;
    let mut entry = Entry::default();
    let mut children: Vec<(Url, Option<DateTime<FixedOffset>>)> = Vec::new();
    let mut urls: Vec<Candidate> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|e| DiscoverError::Xml {
            what: "sitemap",
            message: format!("at byte {}: {e}", reader.error_position()),
        })?;
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if root.is_none() {
                    root = Some(name.clone());
                }
                if name == "url" || name == "sitemap" {
                    entry = Entry::default();
                }
                stack.push(name);
                text_buf.clear();
            }
            Event::Text(t) => text_buf.push_str(&t.xml_content(XmlVersion::Implicit1_0)),
            Event::CData(t) => text_buf.push_str(&t.into_inner()),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text_buf.push(c);
                } else {
                    let name = r.into_inner();
                    text_buf.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else { continue };
                let parent = stack.last().map(String::as_str).unwrap_or("");
                let value = text_buf.trim().to_string();
                text_buf.clear();
                match (name.as_str(), parent) {
                    ("loc", "url" | "sitemap") => entry.loc = Some(value),
                    ("lastmod", "url" | "sitemap") => entry.lastmod = parse_feed_date(&value),
                    ("publication_date", "news") => entry.published = parse_feed_date(&value),
                    ("title", "news") if !value.is_empty() => entry.title = Some(value),
                    ("sitemap", _) => {
                        let e = std::mem::take(&mut entry);
                        if let Some(url) = e.loc.and_then(|l| resolve(base, &l)) {
                            children.push((url, e.lastmod));
                        }
                    }
                    ("url", _) => {
                        let e = std::mem::take(&mut entry);
                        if let Some(url) = e.loc.and_then(|l| resolve(base, &l)) {
                            urls.push(Candidate {
                                url: canonicalize(&url),
                                title: e.title,
                                published: e.published,
                                lastmod: e.lastmod,
                                via: Via::Sitemap,
                            });
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match root.as_deref() {
        Some("sitemapindex") => {
            children.retain(|(u, _)| !is_skipped_child(u));
            Ok(DatedSitemap::Index(children))
        }
        Some("urlset") => Ok(DatedSitemap::Urls(urls)),
        other => Err(DiscoverError::Xml {
            what: "sitemap",
            message: format!("root element {other:?} is neither urlset nor sitemapindex"),
        }),
    }
}

#[derive(Default)]
struct Entry {
    loc: Option<String>,
    lastmod: Option<DateTime<FixedOffset>>,
    published: Option<DateTime<FixedOffset>>,
    title: Option<String>,
}

fn resolve(base: &Url, loc: &str) -> Option<Url> {
    let url = base.join(loc.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

fn gunzip(body: &[u8]) -> Result<Vec<u8>, DiscoverError> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(body)
        .take(MAX_SITEMAP_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| DiscoverError::Xml {
            what: "sitemap",
            message: format!("bad gzip: {e}"),
        })?;
    if out.len() as u64 > MAX_SITEMAP_BYTES {
        return Err(DiscoverError::Xml {
            what: "sitemap",
            message: format!("larger than {MAX_SITEMAP_BYTES} bytes after gunzip"),
        });
    }
    Ok(out)
}

fn is_skipped_child(url: &Url) -> bool {
    let file = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("")
        .to_ascii_lowercase();
    SKIPPED_CHILDREN.iter().any(|s| file.contains(s)) || file == "tags.xml"
}

/// Newest-first sort key of an index child: a `lastmod` timestamp, or (year, month, day) from its name.
type SortKey = Option<(i64, u32, u32)>;

/// Orders index children newest first: by `lastmod`, else by a year and month (and day) found in
/// the file name (`news-2026-1.xml`, `sitemap-2025-12-31.xml`), else in document order at the end.
fn newest_first(children: Vec<(Url, Option<DateTime<FixedOffset>>)>) -> Vec<Url> {
    let mut keyed: Vec<(SortKey, usize, Url)> = children
        .into_iter()
        .enumerate()
        .map(|(i, (url, lastmod))| {
            let key = lastmod
                .map(|d| (d.timestamp(), 0, 0))
                .or_else(|| date_in_name(&url));
            (key, i, url)
        })
        .collect();
    // Dates from lastmod and from names are not mixed in one index in practice; when they are,
    // lastmod timestamps sort above name dates, which is harmless.
    keyed.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    keyed.into_iter().map(|(_, _, u)| u).collect()
}

/// The period a sitemap's file name dates it to: (year, month or 0, day or 0), as in
/// `news-2026-1.xml` or `sitemap-2025-12-31.xml`. Monthly and daily archives are named by the
/// publication period of the articles they list.
pub fn period_in_name(url: &Url) -> Option<(i64, u32, u32)> {
    date_in_name(url)
}

fn date_in_name(url: &Url) -> Option<(i64, u32, u32)> {
    let file = url.path_segments()?.next_back()?;
    let nums: Vec<u32> = file
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    let y_at = nums.iter().position(|n| (1990..=2100).contains(n))?;
    let month = nums
        .get(y_at + 1)
        .copied()
        .filter(|m| (1..=12).contains(m))
        .unwrap_or(0);
    let day = nums
        .get(y_at + 2)
        .copied()
        .filter(|d| (1..=31).contains(d))
        .unwrap_or(0);
    Some((i64::from(nums[y_at]), month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_order_and_skips() {
        let base = Url::parse("https://baohatinh.vn/sitemap.xml").unwrap();
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://baohatinh.vn/sitemaps/categories.xml</loc></sitemap>
  <sitemap><loc>https://baohatinh.vn/sitemaps/news-2025-11.xml.gz</loc></sitemap>
  <sitemap><loc>https://baohatinh.vn/sitemaps/news-2026-1.xml.gz</loc></sitemap>
  <sitemap><loc>/sitemaps/news-2025-12.xml.gz</loc></sitemap>
  <sitemap><loc>https://baohatinh.vn/sitemaps/topics.xml</loc></sitemap>
</sitemapindex>"#;
        let Sitemap::Index(children) = parse_sitemap(xml.as_bytes(), &base).unwrap() else {
            panic!("not an index")
        };
        let names: Vec<&str> = children.iter().map(|u| u.path()).collect();
        assert_eq!(
            names,
            [
                "/sitemaps/news-2026-1.xml.gz",
                "/sitemaps/news-2025-12.xml.gz",
                "/sitemaps/news-2025-11.xml.gz"
            ]
        );
    }

    #[test]
    fn entities_in_loc_and_bad_root() {
        let base = Url::parse("https://x.vn/").unwrap();
        let xml = "<urlset><url><loc>https://x.vn/a?id=1&amp;utm_source=rss</loc><lastmod>2026-01-08T18:21:00+07:00</lastmod></url></urlset>";
        let Sitemap::Urls(urls) = parse_sitemap(xml.as_bytes(), &base).unwrap() else {
            panic!("not a urlset")
        };
        assert_eq!(urls[0].url.as_str(), "https://x.vn/a?id=1");
        assert_eq!(
            urls[0].lastmod.unwrap().to_rfc3339(),
            "2026-01-08T18:21:00+07:00"
        );
        assert!(parse_sitemap(b"<html><body>404</body></html>", &base).is_err());
        assert!(parse_sitemap(b"\x1f\x8bnot gzip", &base).is_err());
    }
}
