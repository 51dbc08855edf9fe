//! Integration tests of `chiso::discover`: parsers on fixtures written for these tests, and whole
//! discovery runs against a local HTTP server (no internet).

mod support;

use chiso::config::{HttpConfig, SourceConfig};
use chiso::discover::{
    canonical_from_html, canonicalize, discover, discover_feeds, parse_feed, parse_listing,
    parse_sitemap, ArticleFilter, Candidate, NoCache, Sitemap, ValidatorCache, Via,
};
use chiso::fetch::{Fetcher, Validators};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::Mutex;
use support::server::{Resp, TestServer};
use url::Url;

fn fixture(name: &str, base: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/discover/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path)
        .unwrap()
        .replace("{base}", base)
}

fn gzip(text: &str) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap()
}

fn source(name: &str, base: &str) -> SourceConfig {
    SourceConfig {
        name: name.to_string(),
        province: "Hà Tĩnh".to_string(),
        base_url: base.to_string(),
        schedule: "0 */30 * * * *".to_string(),
        feeds: vec![],
        sitemaps: vec![],
        listings: vec![],
        article_pattern: None,
        deny_pattern: None,
        max_listing_pages: 1,
        max_new_per_run: chiso::config::DEFAULT_MAX_NEW_PER_RUN,
        selectors: None,
        archive_url: None,
        enabled: true,
    }
}

fn http() -> HttpConfig {
    HttpConfig {
        user_agent: "chiso-test/1.0".into(),
        min_interval_ms: 0,
        timeout_s: 5,
        max_retries: 0,
        ..HttpConfig::default()
    }
}

fn u(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn urls(c: &[Candidate]) -> Vec<String> {
    c.iter().map(|c| c.url.to_string()).collect()
}

#[derive(Default)]
struct MapCache(Mutex<HashMap<String, Validators>>);

impl ValidatorCache for MapCache {
    fn get(&self, url: &str) -> Option<Validators> {
        self.0.lock().unwrap().get(url).cloned()
    }
    fn put(&self, url: &str, v: Validators) {
        self.0.lock().unwrap().insert(url.to_string(), v);
    }
}

fn nothing_known(_: &[String]) -> HashSet<String> {
    HashSet::new()
}

// ---- parsers on fixtures ----

#[test]
fn rss_with_aspnet_pubdates() {
    let base = "https://baohatinh.vn";
    let xml = fixture("hatinh-home.rss", base);
    let c = parse_feed(xml.as_bytes(), &u("https://baohatinh.vn/rss/home.rss")).unwrap();
    assert_eq!(c.len(), 4);
    assert_eq!(
        c[0].url.as_str(),
        "https://baohatinh.vn/gia-tri-san-xuat-nong-nghiep-can-loc-tang-post317598.html"
    );
    assert_eq!(
        c[0].title.as_deref(),
        Some("Giá trị sản xuất nông nghiệp huyện Can Lộc tăng 4,2%")
    );
    assert_eq!(
        c[0].published.unwrap().to_rfc3339(),
        "2026-01-08T18:21:00+07:00"
    );
    assert_eq!(
        c[1].published.unwrap().to_rfc3339(),
        "2025-12-25T09:05:00+07:00"
    );
    assert_eq!(
        c[2].published.unwrap().to_rfc3339(),
        "2026-01-08T07:00:00+07:00"
    );
    assert!(c.iter().all(|c| c.via == Via::Feed));
}

#[test]
fn atom_feed() {
    let xml = fixture("nghean.atom", "https://baonghean.vn");
    let c = parse_feed(xml.as_bytes(), &u("https://baonghean.vn/rss/kinh-te")).unwrap();
    assert_eq!(
        urls(&c),
        [
            "https://baonghean.vn/nghe-an-thu-hut-fdi-10264872.html",
            "https://baonghean.vn/kinh-te-nghe-an-2025-event1234.html"
        ]
    );
    assert_eq!(
        c[0].published.unwrap().to_rfc3339(),
        "2026-01-08T09:30:00+07:00"
    );
    assert_eq!(
        c[1].published.unwrap().to_rfc3339(),
        "2026-01-07T15:00:00+07:00",
        "updated stands in for published"
    );
}

#[test]
fn sitemap_index_then_gzipped_monthly_urlset() {
    let base = "https://baohatinh.vn";
    let index = fixture("hatinh-sitemap-index.xml", base);
    let Sitemap::Index(children) =
        parse_sitemap(index.as_bytes(), &u("https://baohatinh.vn/sitemap.xml")).unwrap()
    else {
        panic!("index expected")
    };
    let paths: Vec<&str> = children.iter().map(Url::path).collect();
    assert_eq!(
        paths,
        [
            "/sitemaps/news-2026-1.xml.gz",
            "/sitemaps/news-2025-12.xml.gz",
            "/sitemaps/news-2025-11.xml.gz"
        ]
    );
    let month = gzip(&fixture("hatinh-news-2026-1.xml", base));
    let Sitemap::Urls(c) = parse_sitemap(&month, &children[0]).unwrap() else {
        panic!("urlset expected")
    };
    assert_eq!(c.len(), 3);
    assert_eq!(
        c[0].lastmod.unwrap().to_rfc3339(),
        "2026-01-08T18:25:00+07:00"
    );
    assert_eq!(
        c[1].lastmod.unwrap().to_rfc3339(),
        "2026-01-08T20:10:00+07:00"
    );
    assert_eq!(c[0].title, None, "image:title is not the article title");
    assert!(c.iter().all(|c| c.via == Via::Sitemap));
}

#[test]
fn google_news_sitemap() {
    let xml = fixture("nghean-sitemap-news.xml", "https://baonghean.vn");
    let Sitemap::Urls(c) =
        parse_sitemap(xml.as_bytes(), &u("https://baonghean.vn/sitemap-news.xml")).unwrap()
    else {
        panic!("urlset expected")
    };
    assert_eq!(c.len(), 2);
    assert_eq!(
        c[0].title.as_deref(),
        Some("Nghệ An thu hút 1,2 tỷ USD vốn FDI & mở rộng khu công nghiệp")
    );
    assert_eq!(
        c[0].published.unwrap().to_rfc3339(),
        "2026-01-08T09:30:00+07:00"
    );
    assert_eq!(c[1].title.as_deref(), Some("GRDP Nghệ An tăng 7,5%"));
    assert_eq!(
        c[1].published.unwrap().to_rfc3339(),
        "2026-01-08T14:00:00+00:00"
    );
}

#[test]
fn listing_links_and_next_page() {
    let page = u("https://baocantho.com.vn/thoi-su/");
    let (links, next) = parse_listing(&fixture("cantho-thoi-su-p1.html", ""), &page);
    assert!(
        links.contains(&u(
            "https://baocantho.com.vn/xuat-khau-tang-12-a190002.html"
        )),
        "tracking dropped: {links:?}"
    );
    assert_eq!(next, Some(u("https://baocantho.com.vn/thoi-su/?p=2")));
    let (_, next) = parse_listing(
        &fixture("cantho-thoi-su-p2.html", ""),
        &u("https://baocantho.com.vn/thoi-su/?p=2"),
    );
    assert_eq!(next, Some(u("https://baocantho.com.vn/thoi-su/?p=3")));
}

#[test]
fn feeds_from_link_alternate() {
    let feeds = discover_feeds(
        &fixture("home-with-feeds.html", ""),
        &u("https://baogialai.example/"),
    );
    assert_eq!(feeds, [u("https://baogialai.example/rss/home.rss")]);
}

#[test]
fn canonicalisation_cases() {
    let c = |s: &str| canonicalize(&u(s)).to_string();
    assert_eq!(
        c("HTTPS://BAOHATINH.VN/a-post1.html#binh-luan"),
        "https://baohatinh.vn/a-post1.html"
    );
    assert_eq!(
        c("https://baonghean.vn/a-10264872.html?utm_source=zalo&utm_campaign=x&zarsrc=30"),
        "https://baonghean.vn/a-10264872.html"
    );
    assert_eq!(
        c("https://baonghean.vn/a-10264872.html?gclid=1&fbclid=2"),
        "https://baonghean.vn/a-10264872.html"
    );
    assert_eq!(
        c("https://baocantho.com.vn/thoi-su/?p=2&utm_medium=x"),
        "https://baocantho.com.vn/thoi-su/?p=2"
    );
    let html = r#"<head><link rel="canonical" href="https://baohatinh.vn/a-post1.html"></head>"#;
    assert_eq!(
        canonical_from_html(html, &u("https://m.baohatinh.vn/a-post1.html?x=1")),
        Some(u("https://baohatinh.vn/a-post1.html"))
    );
}

#[test]
fn filter_by_pattern_deny_and_site() {
    let mut src = source("baocantho", "https://baocantho.com.vn");
    src.article_pattern = Some(r"-a[0-9]+\.html$".into());
    src.deny_pattern = Some(r"^/doc-bao-in/".into());
    let f = ArticleFilter::new(&src).unwrap();
    assert!(f.accepts(&u("https://baocantho.com.vn/thu-ngan-sach-a190001.html")));
    assert!(f.accepts(&u(
        "https://www.baocantho.com.vn/thu-ngan-sach-a190001.html"
    )));
    assert!(
        !f.accepts(&u(
            "https://baocantho.com.vn/doc-bao-in/so-123-a190003.html"
        )),
        "denied"
    );
    assert!(
        !f.accepts(&u("https://baocantho.com.vn/thoi-su/")),
        "not an article"
    );
    assert!(
        !f.accepts(&u("https://other.example/thu-ngan-sach-a190001.html")),
        "other site"
    );
    let mut bad = source("x", "https://x.vn");
    bad.article_pattern = Some("(".into());
    assert!(ArticleFilter::new(&bad).is_err());
}

// ---- whole runs against a local server ----

#[tokio::test]
async fn feeds_and_sitemaps_of_a_cms_a_site() {
    let s = TestServer::start().await;
    let base = s.base();
    s.route(
        "/rss/home.rss",
        Resp::ok(fixture("hatinh-home.rss", &base))
            .header("ETag", "\"f1\"")
            .conditional(),
    );
    s.route(
        "/sitemap.xml",
        Resp::ok(fixture("hatinh-sitemap-index.xml", &base)),
    );
    let month = fixture("hatinh-news-2026-1.xml", &base);
    s.route(
        "/sitemaps/news-2026-1.xml.gz",
        Resp::ok(gzip(&month)).header("Content-Type", "application/octet-stream"),
    );
    s.route(
        "/sitemaps/news-2025-12.xml.gz",
        Resp::ok(gzip(&month)).header("Content-Encoding", "gzip"),
    );
    s.route("/sitemaps/news-2025-11.xml.gz", Resp::status(500));
    let mut src = source("baohatinh", &base);
    src.feeds = vec!["/rss/home.rss".into()];
    src.sitemaps = vec!["/sitemap.xml".into()];
    src.article_pattern = Some(r"-post[0-9]+\.html$".into());
    let fetcher = Fetcher::new(&http()).unwrap();
    let cache = MapCache::default();
    let report = discover(&fetcher, &src, &cache, &nothing_known).await;

    let got = urls(&report.candidates);
    assert_eq!(
        got,
        [
            format!("{base}/gia-tri-san-xuat-nong-nghiep-can-loc-tang-post317598.html"),
            format!("{base}/thu-ngan-sach-11-thang-dat-95-du-toan-post317560.html"),
            format!("{base}/ky-anh-hoan-thanh-21-chi-tieu-post317601.html"),
        ]
    );
    // The feed's date and the sitemap's lastmod are merged on one candidate.
    let first = &report.candidates[0];
    assert_eq!(first.via, Via::Feed);
    assert_eq!(
        first.published.unwrap().to_rfc3339(),
        "2026-01-08T18:21:00+07:00"
    );
    assert_eq!(
        first.lastmod.unwrap().to_rfc3339(),
        "2026-01-08T18:25:00+07:00"
    );
    assert!(s.requests_to("/sitemaps/categories.xml").is_empty());
    assert!(s.requests_to("/sitemaps/topics.xml").is_empty());
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert!(report.errors[0].0.ends_with("news-2025-11.xml.gz"));
    assert_eq!(report.pages_fetched, 4);

    // Second run: the feed answers 304 through the validator cache.
    let report = discover(&fetcher, &src, &cache, &nothing_known).await;
    assert_eq!(report.not_modified, 1);
    let feed_reqs = s.requests_to("/rss/home.rss");
    assert_eq!(feed_reqs[1].header("if-none-match"), Some("\"f1\""));
}

#[tokio::test]
async fn google_news_sitemap_run() {
    let s = TestServer::start().await;
    let base = s.base();
    s.route(
        "/sitemap-news.xml",
        Resp::ok(fixture("nghean-sitemap-news.xml", &base)),
    );
    let mut src = source("baonghean", &base);
    src.sitemaps = vec!["/sitemap-news.xml".into()];
    src.article_pattern = Some(r"-[0-9]{8}\.html$".into());
    let fetcher = Fetcher::new(&http()).unwrap();
    let report = discover(&fetcher, &src, &NoCache, &nothing_known).await;
    assert_eq!(report.candidates.len(), 2);
    // Newest first (by news:publication_date), each with its news:title.
    let dates: Vec<_> = report.candidates.iter().map(|c| c.published).collect();
    assert!(dates[0] >= dates[1], "{dates:?}");
    assert!(report
        .candidates
        .iter()
        .any(|c| c.title.as_deref() == Some("GRDP Nghệ An tăng 7,5%")));
}

#[tokio::test]
async fn listing_pagination_stops_at_a_page_with_nothing_new() {
    let s = TestServer::start().await;
    let base = s.base();
    s.route(
        "/thoi-su/",
        Resp::ok(fixture("cantho-thoi-su-p1.html", &base)),
    );
    s.route(
        "/thoi-su/?p=2",
        Resp::ok(fixture("cantho-thoi-su-p2.html", &base)),
    );
    s.route(
        "/thoi-su/?p=3",
        Resp::ok(fixture("cantho-thoi-su-p3.html", &base)),
    );
    s.route("/thoi-su/?p=4", Resp::ok("<a href='/never-a1.html'>x</a>"));
    s.route(
        "/rss/cate/thoi-su/",
        Resp::ok("<rss version=\"2.0\"><channel><title>t</title></channel></rss>"),
    );
    let mut src = source("baocantho", &base);
    src.feeds = vec!["/rss/cate/thoi-su/".into()];
    src.listings = vec!["/thoi-su/".into()];
    src.article_pattern = Some(r"-a[0-9]+\.html$".into());
    src.deny_pattern = Some(r"^/doc-bao-in/".into());
    src.max_listing_pages = 10;
    let known_url = format!("{base}/lua-dong-xuan-a189900.html");
    let known = move |urls: &[String]| -> HashSet<String> {
        urls.iter().filter(|u| **u == known_url).cloned().collect()
    };
    let fetcher = Fetcher::new(&http()).unwrap();
    let report = discover(&fetcher, &src, &NoCache, &known).await;
    assert_eq!(s.requests_to("/thoi-su/?p=3").len(), 1);
    assert!(
        s.requests_to("/thoi-su/?p=4").is_empty(),
        "page 3 brought nothing new"
    );
    let got = urls(&report.candidates);
    assert!(got.contains(&format!("{base}/xuat-khau-tang-12-a190002.html")));
    assert!(got.contains(&format!("{base}/von-dau-tu-cong-giai-ngan-a189950.html")));
    assert!(!got.iter().any(|u| u.contains("doc-bao-in")), "denied");
    assert!(!got.iter().any(|u| u.contains("facebook")), "other site");
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(report.candidates.iter().all(|c| c.via == Via::Listing));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
}

#[tokio::test]
async fn feeds_discovered_on_the_home_page_when_none_configured() {
    let s = TestServer::start().await;
    let base = s.base();
    s.route("/", Resp::ok(fixture("home-with-feeds.html", &base)));
    s.route("/rss/home.rss", Resp::ok(fixture("hatinh-home.rss", &base)));
    let mut src = source("baogialai", &base);
    src.article_pattern = Some(r"-post[0-9]+\.html$".into());
    let fetcher = Fetcher::new(&http()).unwrap();
    let report = discover(&fetcher, &src, &NoCache, &nothing_known).await;
    assert_eq!(
        report.discovered_feeds,
        [u(&format!("{base}/rss/home.rss"))]
    );
    assert_eq!(report.candidates.len(), 2, "{:?}", urls(&report.candidates));
    assert!(report.candidates.iter().all(|c| c.via == Via::Feed));
}

#[tokio::test]
async fn a_dead_source_is_reported_not_raised() {
    let s = TestServer::start().await;
    let base = s.base();
    s.route("/rss/home.rss", Resp::status(404));
    s.route("/sitemap.xml", Resp::ok("<html>not xml"));
    let mut src = source("broken", &base);
    src.feeds = vec!["/rss/home.rss".into(), "ftp://x/y".into()];
    src.sitemaps = vec!["/sitemap.xml".into()];
    let fetcher = Fetcher::new(&http()).unwrap();
    let report = discover(&fetcher, &src, &NoCache, &nothing_known).await;
    assert!(report.candidates.is_empty());
    assert_eq!(report.errors.len(), 3, "{:?}", report.errors);
}

/// The pipeline spawns discovery and fetches on the tokio runtime: their futures must be `Send`.
#[test]
fn futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let fetcher = Fetcher::new(&http()).unwrap();
    let src = source("x", "https://x.vn");
    let fut = discover(&fetcher, &src, &NoCache, &nothing_known);
    assert_send(&fut);
    let url = u("https://x.vn/");
    let get = fetcher.get(&url, None);
    assert_send(&get);
    let clone = fetcher.clone();
    std::thread::spawn(move || drop(clone)).join().unwrap();
}

#[tokio::test]
async fn a_listing_gives_at_most_max_new_per_run_new_urls_and_stops_paginating() {
    let s = TestServer::start().await;
    let base = s.base();
    let links: String = (1..=5)
        .map(|i| format!("<a href=\"/tin-{i}-post{i}.html\">Tin {i}</a>\n"))
        .collect();
    s.route(
        "/thoi-su/",
        Resp::ok(format!(
            "<html><body>{links}<a rel=\"next\" href=\"/thoi-su/?p=2\">Sau</a></body></html>"
        )),
    );
    s.route(
        "/thoi-su/?p=2",
        Resp::ok("<html><body><a href=\"/tin-9-post9.html\">Tin 9</a></body></html>"),
    );
    let mut src = source("s", &base);
    src.listings = vec!["/thoi-su/".into()];
    src.article_pattern = Some(r"-post\d+\.html$".into());
    src.max_listing_pages = 3;
    src.max_new_per_run = 2;
    let fetcher = Fetcher::new(&http()).unwrap();
    // One of the five is known: it does not count against the cap.
    let known = |urls: &[String]| -> HashSet<String> {
        urls.iter()
            .filter(|u| u.ends_with("/tin-1-post1.html"))
            .cloned()
            .collect()
    };
    let report = discover(&fetcher, &src, &NoCache, &known).await;
    let paths: Vec<&str> = report.candidates.iter().map(|c| c.url.path()).collect();
    // Undated links keep page order: the known one, then the first two new ones.
    assert_eq!(
        paths,
        [
            "/tin-1-post1.html",
            "/tin-2-post2.html",
            "/tin-3-post3.html"
        ]
    );
    assert_eq!(report.deferred, 2);
    assert!(s.requests_to("/thoi-su/?p=2").is_empty());
}
