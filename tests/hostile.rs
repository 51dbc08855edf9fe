//! One `crawl --once` over two healthy fixture sites and sources whose servers misbehave: HTML
//! served as a feed, a truncated feed, a robots.txt that disallows everything, a garbage
//! robots.txt, empty and near-empty article pages, a 10,000-item feed of dead links. The crawl
//! returns, every failing source has its error recorded, nothing empty is stored, the healthy sites
//! are complete. No timing is asserted.

#[path = "fixtures/crawl/sites.rs"]
mod sites;
mod support;

use chiso::config::Config;
use chiso::crawl::SourceReport;
use sites::Http;
use support::server::{Resp, TestServer};

fn rss(base: &str, paths: &[String]) -> String {
    let items: String = paths
        .iter()
        .map(|p| format!("<item><title>t</title><link>{base}{p}</link></item>"))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>{base}/</link><description>d</description>{items}</channel></rss>"#
    )
}

fn source(name: &str, base: &str) -> String {
    format!(
        r#"[[source]]
name = "{name}"
province = "Hà Tĩnh"
base_url = "{base}"
feeds = ["/rss.xml"]
article_pattern = '-post\d+\.html$'
[source.selectors]
title = "h1"
body = ".body"
"#
    )
}

fn page(body: &str) -> Resp {
    Resp::ok(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>t</title></head><body><h1>Tiêu đề</h1><div class=\"body\">{body}</div></body></html>"
    ))
    .header("Content-Type", "text/html; charset=utf-8")
}

fn report<'a>(reports: &'a [SourceReport], name: &str) -> &'a SourceReport {
    reports
        .iter()
        .find(|r| r.source == name)
        .unwrap_or_else(|| panic!("no report for {name} in {reports:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_servers_beside_healthy_sites() {
    // Healthy: the zce and OneCMS fixture sites.
    let zce = TestServer::start_on("127.0.0.2").await;
    let z = sites::zce_stories();
    sites::zce_site(&zce, &[&z[0], &z[1]], &[&z[2]], "\"f1\"");
    let one = TestServer::start_on("127.0.0.3").await;
    let o = sites::onecms_stories();
    sites::onecms_site(&one, &[vec![&o[0], &o[1]]]);

    // HTML where the feed should be.
    let html_feed = TestServer::start_on("127.0.0.4").await;
    html_feed.route("/rss.xml", page("<p>Trang chủ</p>"));
    // A feed cut off in the middle of an item.
    let truncated = TestServer::start_on("127.0.0.5").await;
    let full = rss(&truncated.base(), &["/a-post1.html".to_string()]);
    truncated.route("/rss.xml", Resp::ok(full[..full.len() * 2 / 3].to_string()));
    // robots.txt forbids everything.
    let closed = TestServer::start_on("127.0.0.6").await;
    closed.route("/robots.txt", Resp::ok("User-agent: *\nDisallow: /\n"));
    closed.route("/rss.xml", Resp::ok(rss(&closed.base(), &[])));
    // Garbage robots.txt (allows everything), and article pages empty or near-empty.
    let empty = TestServer::start_on("127.0.0.7").await;
    empty.route(
        "/robots.txt",
        Resp::ok(vec![0u8, 159, 146, 150, b'\n', b':', 0xff]),
    );
    let paths = [
        "/rong-post1.html".to_string(),
        "/ngan-post2.html".to_string(),
    ];
    empty.route("/rss.xml", Resp::ok(rss(&empty.base(), &paths)));
    empty.route(&paths[0], page(""));
    empty.route(&paths[1], page("<p>Đang cập nhật</p>"));
    // 10,000 items, every link dead.
    let big = TestServer::start_on("127.0.0.8").await;
    let dead: Vec<String> = (0..10_000)
        .map(|i| format!("/tin-{i}-post{i}.html"))
        .collect();
    big.route("/rss.xml", Resp::ok(rss(&big.base(), &dead)));

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("chiso.db");
    let sources = vec![
        sites::zce_source("zce", &zce.base()),
        sites::onecms_source("onecms", &one.base()),
        source("html_feed", &html_feed.base()),
        source("truncated", &truncated.base()),
        source("closed", &closed.base()),
        source("empty", &empty.base()),
        source("big", &big.base()),
    ];
    let http = Http {
        max_retries: 0,
        max_body_bytes: 5_000_000,
        ..Http::default()
    };
    std::fs::write(
        dir.path().join("chiso.toml"),
        sites::config_toml(&db, http, &sources),
    )
    .unwrap();
    let config = Config::load(&dir.path().join("chiso.toml")).unwrap();
    let reports = chiso::daemon::crawl_once(&config, None).await.unwrap();

    for name in ["zce", "onecms"] {
        let r = report(&reports, name);
        assert!(r.stats.new_articles >= 2, "{r:?}");
    }
    assert_eq!(report(&reports, "zce").stats.new_articles, 3);
    for name in ["html_feed", "truncated", "closed", "empty", "big"] {
        let r = report(&reports, name);
        assert!(r.stats.errors >= 1, "{name}: no error recorded: {r:?}");
        assert!(
            r.stats.message.as_deref().is_some_and(|m| !m.is_empty()),
            "{name}: {r:?}"
        );
        assert_eq!(r.stats.new_articles, 0, "{name}: {r:?}");
    }
    // The big feed's dead links: only the run's share was tried.
    let tried = big
        .requests()
        .iter()
        .filter(|r| r.path.contains("-post"))
        .count();
    assert_eq!(tried, chiso::config::DEFAULT_MAX_NEW_PER_RUN as usize);
    assert!(closed.requests_to("/rss.xml").is_empty());

    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let short: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM articles WHERE length(body) < 50")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(short, 0);
    let stored: Vec<String> = sqlx::query_scalar("SELECT source FROM articles ORDER BY source")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(
        stored.iter().all(|s| s == "zce" || s == "onecms"),
        "{stored:?}"
    );
    // Every failing source has a closed run with its error in crawl_runs.
    let failing: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT source) FROM crawl_runs \
         WHERE errors > 0 AND message IS NOT NULL AND finished_at IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(failing >= 5, "{failing}");
}
