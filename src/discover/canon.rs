//! URL canonicalisation: one spelling per article, so that "already stored" is a string lookup.
//!
//! Feeds, sitemaps and listings link the same article with tracking parameters (`utm_*`, `fbclid`,
//! Zalo's `zarsrc`, ...), fragments and different letter case in the host. The canonical form
//! drops those; the article page's own `<link rel="canonical">` wins when it gives one on the
//! same site.

use crate::fetch::same_site;
use scraper::{Html, Selector};
use url::Url;

/// Query parameters that only say where a click came from (compared in lower case). `utm_*`,
/// `pk_*` and `mtm_*` are dropped by prefix.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gclsrc",
    "msclkid",
    "yclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "zarsrc",
    "gidzl",
    "zlink",
    "ocid",
    "cmpid",
    "spm",
    "share",
    "from_source",
];
const TRACKING_PREFIXES: &[&str] = &["utm_", "pk_", "mtm_"];

/// The canonical form of a URL: lower-case scheme and host (the `url` crate already does that for
/// http and https), no fragment, no tracking parameters, no empty query, no default port.
pub fn canonicalize(url: &Url) -> Url {
    let mut out = url.clone();
    out.set_fragment(None);
    if let Some(host) = url.host_str() {
        let lower = host.to_ascii_lowercase();
        if lower != host {
            let _ = out.set_host(Some(&lower));
        }
    }
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| !is_tracking(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            out.set_query(None);
        } else if kept.len() != url.query_pairs().count() {
            out.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    out
}

fn is_tracking(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    TRACKING_PARAMS.contains(&k.as_str()) || TRACKING_PREFIXES.iter().any(|p| k.starts_with(p))
}

/// The page's `<link rel="canonical">`, resolved and canonicalised, when it stays on the page's
/// site (same host, or one a subdomain of the other) and is not just the home page (some CMS templates point every page at `/`).
pub fn canonical_from_html(html: &str, page_url: &Url) -> Option<Url> {
    let doc = Html::parse_document(html);
    let sel = Selector::parse("link[rel][href]").ok()?;
    let href = doc.select(&sel).find_map(|el| {
        let rel = el.value().attr("rel")?;
        rel.split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case("canonical"))
            .then(|| el.value().attr("href"))
            .flatten()
    })?;
    let url = page_url.join(href.trim()).ok()?;
    // Either way round: `m.site.vn` pages point at `site.vn`, and the reverse.
    if !same_site(page_url, &url) && !same_site(&url, page_url) {
        return None;
    }
    if url.path() == "/" && url.query().is_none() && page_url.path() != "/" {
        return None;
    }
    Some(canonicalize(&url))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> String {
        canonicalize(&Url::parse(s).unwrap()).to_string()
    }

    #[test]
    fn drops_tracking_fragment_and_case() {
        assert_eq!(
            c("HTTPS://BaoHaTinh.VN/kinh-te-post306440.html?utm_source=zalo&utm_medium=share#top"),
            "https://baohatinh.vn/kinh-te-post306440.html"
        );
        assert_eq!(
            c("https://baocantho.com.vn/x-a123.html?fbclid=AbC&zarsrc=31&gidzl=q"),
            "https://baocantho.com.vn/x-a123.html"
        );
        assert_eq!(
            c("https://baocantho.com.vn/thoi-su/?p=2&utm_campaign=x"),
            "https://baocantho.com.vn/thoi-su/?p=2"
        );
        assert_eq!(
            c("http://baonghean.vn:80/a-10264872.html?"),
            "http://baonghean.vn/a-10264872.html"
        );
    }

    #[test]
    fn keeps_meaningful_query_and_path_case() {
        assert_eq!(
            c("https://x.vn/News/Detail.aspx?id=5&cat=2"),
            "https://x.vn/News/Detail.aspx?id=5&cat=2"
        );
    }

    #[test]
    fn canonical_link() {
        let page = Url::parse("https://baohatinh.vn/abc-post1.html?utm_source=fb").unwrap();
        let html = r#"<html><head><link rel="canonical" href="/abc-post1.html#x"></head></html>"#;
        assert_eq!(
            canonical_from_html(html, &page).unwrap().as_str(),
            "https://baohatinh.vn/abc-post1.html"
        );
        let home = r#"<link rel="canonical" href="https://baohatinh.vn/">"#;
        assert_eq!(canonical_from_html(home, &page), None);
        let other = r#"<link rel="canonical" href="https://other.vn/abc-post1.html">"#;
        assert_eq!(canonical_from_html(other, &page), None);
        assert_eq!(canonical_from_html("<p>no link</p>", &page), None);
    }
}
