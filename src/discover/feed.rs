//! RSS 2.0 and Atom feeds through feed-rs, with Vietnamese date forms as a fallback.
//!
//! feed-rs handles the formats; its timestamp parser is replaced by one that first accepts what
//! feed-rs accepts (RFC 3339, RFC 822) and then the forms Vietnamese feeds use, such as the ASP.NET
//! `1/8/2026 6:21:00 PM` (see `dates.rs`). Dates are returned in +07:00.

use super::dates::{parse_feed_date, vn_offset};
use super::{canonicalize, Candidate, DiscoverError, Via};
use url::Url;

/// Parses an RSS 2.0 or Atom feed into candidates (canonical URLs, not yet filtered). Entries
/// without a usable http(s) link are left out.
pub fn parse_feed(body: &[u8], base: &Url) -> Result<Vec<Candidate>, DiscoverError> {
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(base.as_str()))
        .timestamp_parser(|s| parse_feed_date(s).map(|d| d.with_timezone(&chrono::Utc)))
        .build();
    let feed = parser.parse(body).map_err(|e| DiscoverError::Xml {
        what: "feed",
        message: e.to_string(),
    })?;
    let mut out = Vec::with_capacity(feed.entries.len());
    for entry in feed.entries {
        let link = entry
            .links
            .iter()
            .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .chain(entry.links.iter())
            .find_map(|l| resolve(base, &l.href))
            // An absolute http(s) id (RSS guid isPermaLink); feed-rs invents ids for the others.
            .or_else(|| {
                Url::parse(entry.id.trim())
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
            });
        let Some(url) = link else { continue };
        let title = entry
            .title
            .map(|t| t.content.trim().to_string())
            .filter(|t| !t.is_empty());
        let published = entry
            .published
            .or(entry.updated)
            .map(|d| d.with_timezone(&vn_offset()));
        out.push(Candidate {
            url: canonicalize(&url),
            title,
            published,
            // feed-rs copies an RSS pubDate into `updated`; only a distinct update is a lastmod.
            lastmod: entry
                .updated
                .filter(|u| Some(*u) != entry.published)
                .map(|d| d.with_timezone(&vn_offset())),
            via: Via::Feed,
        });
    }
    Ok(out)
}

fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = base.join(href).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_with_aspnet_dates_and_relative_links() {
        let base = Url::parse("https://baothanhhoa.vn/rss/kinh-te.xml").unwrap();
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Kinh tế</title><link>https://baothanhhoa.vn/</link>
<item><title><![CDATA[Thu ngân sách tăng]]></title><link>https://baothanhhoa.vn/thu-ngan-sach-tang-244736.htm?utm_source=rss</link>
<pubDate>1/8/2026 6:21:00 PM</pubDate></item>
<item><title>Bài tương đối</title><link>/bai-tuong-doi-244737.htm</link><pubDate>Thu, 08 Jan 2026 11:00:00 GMT</pubDate></item>
<item><title>Không có link</title></item>
</channel></rss>"#;
        let c = parse_feed(xml.as_bytes(), &base).unwrap();
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(
            c[0].url.as_str(),
            "https://baothanhhoa.vn/thu-ngan-sach-tang-244736.htm"
        );
        assert_eq!(c[0].title.as_deref(), Some("Thu ngân sách tăng"));
        assert_eq!(
            c[0].published.unwrap().to_rfc3339(),
            "2026-01-08T18:21:00+07:00"
        );
        assert_eq!(
            c[1].url.as_str(),
            "https://baothanhhoa.vn/bai-tuong-doi-244737.htm"
        );
        assert_eq!(
            c[1].published.unwrap().to_rfc3339(),
            "2026-01-08T18:00:00+07:00"
        );
        assert_eq!(c[0].via, Via::Feed);
    }

    #[test]
    fn garbage_is_an_error() {
        let base = Url::parse("https://x.vn/").unwrap();
        assert!(parse_feed(b"<html><body>not a feed", &base).is_err());
    }
}
