//! End-to-end tests of one crawl (`chiso::daemon::crawl_once`, what `chiso crawl --once` runs):
//! three fixture sites in the shapes of real CMS families on local addresses, a real SQLite file
//! in a temporary directory, assertions on the stored rows and on the servers' request logs.
//! No test reads the network beyond 127.0.0.x, and none asserts how fast anything runs.

#[path = "fixtures/crawl/sites.rs"]
mod sites;
mod support;

use chiso::config::Config;
use chiso::crawl::SourceReport;
use sites::{Http, Story};
use sqlx::{Row, SqlitePool};
use std::collections::BTreeSet;
use support::server::{Resp, TestServer};
use unicode_normalization::UnicodeNormalization;

/// A temporary directory with a configuration file and its SQLite database.
struct Env {
    _dir: tempfile::TempDir,
    config: Config,
    db_url: String,
}

impl Env {
    fn new(http: Http, sources: &[String]) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("chiso.db");
        let path = dir.path().join("chiso.toml");
        std::fs::write(&path, sites::config_toml(&db, http, sources)).unwrap();
        let config = Config::load(&path).unwrap();
        Env {
            _dir: dir,
            config,
            db_url: format!("sqlite://{}", db.display()),
        }
    }

    /// One `crawl --once` of every source.
    async fn crawl(&self) -> Vec<SourceReport> {
        chiso::daemon::crawl_once(&self.config, None).await.unwrap()
    }

    async fn pool(&self) -> SqlitePool {
        SqlitePool::connect(&self.db_url).await.unwrap()
    }
}

fn report<'a>(reports: &'a [SourceReport], name: &str) -> &'a SourceReport {
    reports
        .iter()
        .find(|r| r.source == name)
        .unwrap_or_else(|| panic!("no report for {name} in {reports:?}"))
}

/// A stored article row.
#[derive(Debug)]
struct Stored {
    title: Option<String>,
    published_at: Option<String>,
    author: Option<String>,
    sapo: Option<String>,
    body: String,
    facts: Vec<(f64, String)>,
}

async fn stored(pool: &SqlitePool, url: &str) -> Option<Stored> {
    let row = sqlx::query(
        "SELECT id, title, published_at, author, sapo, body FROM articles WHERE url = $1",
    )
    .bind(url)
    .fetch_optional(pool)
    .await
    .unwrap()?;
    let id: i64 = row.get("id");
    let facts = sqlx::query("SELECT value, unit FROM facts WHERE article_id = $1")
        .bind(id)
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<f64, _>("value"), r.get::<String, _>("unit")))
        .collect();
    Some(Stored {
        title: row.get("title"),
        published_at: row.get("published_at"),
        author: row.get("author"),
        sapo: row.get("sapo"),
        body: row.get("body"),
        facts,
    })
}

async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// Checks every field of a stored story against what its page says.
async fn assert_stored(pool: &SqlitePool, server: &TestServer, st: &Story) {
    let url = format!("{}{}", server.base(), st.path);
    let a = stored(pool, &url)
        .await
        .unwrap_or_else(|| panic!("{url} not stored"));
    assert_eq!(a.title.as_deref(), Some(st.title.as_str()), "{url}");
    assert_eq!(
        a.published_at.as_deref(),
        Some(st.published().as_str()),
        "{url}"
    );
    assert_eq!(a.author.as_deref(), Some(st.author.as_str()), "{url}");
    assert_eq!(
        a.sapo.as_deref(),
        Some(st.sapo.as_str()),
        "{url}: lead prefix kept?"
    );
    for p in &st.paras {
        assert!(
            a.body.contains(p.as_str()),
            "{url}: body lacks {p:?}:\n{}",
            a.body
        );
    }
    for noise in [
        "Ảnh minh họa",
        "Quảng cáo",
        "quảng cáo",
        "Đọc thêm",
        "Bài liên quan",
        "Một bài cũ",
        "Nông nghiệp\n",
        "Tin, ảnh",
        "(CTO)",
        "Baohatinh.vn",
    ] {
        assert!(
            !a.body.contains(noise),
            "{url}: body keeps {noise:?}:\n{}",
            a.body
        );
    }
    assert!(
        !a.body.contains(&st.sapo),
        "{url}: sapo repeated in the body"
    );
    let (value, unit) = &st.fact;
    assert!(
        a.facts
            .iter()
            .any(|(v, u)| (v - value).abs() < 1e-9 && u == unit),
        "{url}: fact {value} {unit} not in {:?}",
        a.facts
    );
}

/// Article paths requested in `log[from..]`.
fn article_paths(server: &TestServer, from: usize) -> BTreeSet<String> {
    server.requests()[from..]
        .iter()
        .map(|r| r.path.clone())
        .filter(|p| p.ends_with(".html"))
        .collect()
}

#[tokio::test]
async fn three_sites_stored_then_unchanged_then_only_the_new_article_fetched() {
    let zce = TestServer::start_on("127.0.0.2").await;
    let one = TestServer::start_on("127.0.0.3").await;
    let fck = TestServer::start_on("127.0.0.4").await;
    let z = sites::zce_stories();
    let o = sites::onecms_stories();
    let f = sites::fck_stories();
    // The feed and the monthly sitemap overlap; one story is only in the sitemap.
    sites::zce_site(&zce, &[&z[0], &z[1]], &[&z[1], &z[2]], "\"v1\"");
    sites::onecms_site(&one, &[vec![&o[0]], vec![&o[1]], vec![&o[2]]]);
    let lm = "Thu, 08 Jan 2026 12:00:00 GMT";
    sites::fck_site(&fck, &[&f[0]], &[vec![&f[0], &f[1]], vec![&f[2]]], lm);
    let env = Env::new(
        Http::default(),
        &[
            sites::zce_source("hatinh", &zce.base()),
            sites::onecms_source("nghean", &one.base()),
            sites::fck_source("cantho", &fck.base()),
        ],
    );

    // Run 1: every article stored with its fields and facts.
    let reports = env.crawl().await;
    for (name, n) in [("hatinh", 3), ("nghean", 3), ("cantho", 3)] {
        let r = report(&reports, name);
        assert_eq!(r.stats.status, "ok", "{r:?}");
        assert_eq!(r.stats.new_articles, n, "{r:?}");
        assert!(r.stats.facts >= n, "{r:?}");
    }
    let pool = env.pool().await;
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM articles").await, 9);
    for st in &z {
        assert_stored(&pool, &zce, st).await;
    }
    for st in &o {
        assert_stored(&pool, &one, st).await;
    }
    for st in &f {
        assert_stored(&pool, &fck, st).await;
    }
    // The sitemap arrived gzipped; the story only it lists was found.
    assert_eq!(zce.requests_to("/sitemaps/news-2025-3.xml").len(), 1);
    // Disallowed paths were never requested, though the feed and the listing link to them.
    let hidden = sites::disallowed_story();
    assert!(zce.requests_to(&hidden.path).is_empty());
    for s in [&zce, &one, &fck] {
        assert!(s
            .requests()
            .iter()
            .all(|r| !r.path.starts_with("/tim-kiem")));
    }
    // Each listing was followed to its last page.
    assert_eq!(one.requests_to("/kinh-te?page=3").len(), 1);
    assert_eq!(fck.requests_to("/kinh-te/?p=2").len(), 1);
    let runs = count(&pool, "SELECT COUNT(*) FROM crawl_runs WHERE status = 'ok'").await;
    assert_eq!(runs, 3);

    // Run 2: nothing new. No article page is fetched again; feeds are asked conditionally.
    let mark = (
        zce.requests().len(),
        one.requests().len(),
        fck.requests().len(),
    );
    let reports = env.crawl().await;
    assert!(
        article_paths(&zce, mark.0).is_empty(),
        "{:?}",
        article_paths(&zce, mark.0)
    );
    assert!(
        article_paths(&one, mark.1).is_empty(),
        "{:?}",
        article_paths(&one, mark.1)
    );
    assert!(
        article_paths(&fck, mark.2).is_empty(),
        "{:?}",
        article_paths(&fck, mark.2)
    );
    let feed = zce.requests_to("/rss/home.rss");
    assert_eq!(feed.len(), 2);
    assert_eq!(feed[1].header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        feed[1].header("if-modified-since"),
        Some(sites::zce_last_modified("\"v1\"").as_str())
    );
    let idx = zce.requests_to("/sitemap.xml");
    assert_eq!(idx[1].header("if-none-match"), Some("\"v1\"-idx"));
    let feed = fck.requests_to("/rss/cate/kinh-te/");
    assert_eq!(feed[1].header("if-modified-since"), Some(lm));
    // The first listing page brought nothing new, so pagination stopped there.
    assert_eq!(one.requests_to("/kinh-te?page=2").len(), 1);
    for name in ["hatinh", "nghean", "cantho"] {
        let r = report(&reports, name);
        assert_eq!(r.stats.status, "ok", "{r:?}");
        assert_eq!(r.stats.new_articles + r.stats.updated_articles, 0, "{r:?}");
    }
    assert!(report(&reports, "hatinh").stats.not_modified >= 2);
    assert!(report(&reports, "cantho").stats.not_modified >= 1);
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM articles").await, 9);

    // Run 3: one story published on the feed site and one on the listing site.
    let z_new = sites::story(
        "/vu-quang-nong-nghiep-post3004.html",
        "huyện Vũ Quang",
        10,
        "Lê Na",
        (2025, 3, 13, 7, 30),
    );
    let o_new = sites::story(
        "/kinh-te/nghi-loc-nong-nghiep-10264874.html",
        "huyện Nghi Lộc",
        11,
        "Hữu Vi",
        (2025, 3, 13, 6, 45),
    );
    sites::zce_site(&zce, &[&z_new, &z[0], &z[1]], &[&z[1], &z[2]], "\"v2\"");
    sites::onecms_site(&one, &[vec![&o_new, &o[0]], vec![&o[1]], vec![&o[2]]]);
    let mark = (
        zce.requests().len(),
        one.requests().len(),
        fck.requests().len(),
    );
    let reports = env.crawl().await;
    assert_eq!(
        article_paths(&zce, mark.0),
        BTreeSet::from([z_new.path.clone()])
    );
    assert_eq!(
        article_paths(&one, mark.1),
        BTreeSet::from([o_new.path.clone()])
    );
    assert!(article_paths(&fck, mark.2).is_empty());
    assert_eq!(report(&reports, "hatinh").stats.new_articles, 1);
    assert_eq!(report(&reports, "nghean").stats.new_articles, 1);
    assert_stored(&pool, &zce, &z_new).await;
    assert_stored(&pool, &one, &o_new).await;
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM articles").await, 11);
}

#[tokio::test]
async fn a_page_that_fails_with_500_is_fetched_on_the_next_run_even_when_the_feed_is_304() {
    let zce = TestServer::start_on("127.0.0.2").await;
    let z = sites::zce_stories();
    sites::zce_site(&zce, &[&z[0], &z[1]], &[], "\"f1\"");
    // Both attempts of run 1 (max_retries = 1) fail; the page recovers afterwards.
    let page = sites::zce_article(&zce.base(), &z[1]);
    zce.route_seq(
        &z[1].path,
        vec![
            Resp::status(500).body("lỗi máy chủ"),
            Resp::status(500).body("lỗi máy chủ"),
            Resp::ok(page).header("Content-Type", "text/html; charset=utf-8"),
        ],
    );
    let env = Env::new(Http::default(), &[sites::zce_source("hatinh", &zce.base())]);

    let r = env.crawl().await;
    let r = report(&r, "hatinh");
    assert_eq!(r.stats.status, "partial", "{r:?}");
    assert_eq!(r.stats.new_articles, 1);
    assert!(r.stats.errors >= 1);
    assert!(
        r.stats.message.as_deref().unwrap_or("").contains("500"),
        "{r:?}"
    );
    let pool = env.pool().await;
    assert!(stored(&pool, &format!("{}{}", zce.base(), z[1].path))
        .await
        .is_none());
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM page_queue").await, 1);

    let r = env.crawl().await;
    let r = report(&r, "hatinh");
    assert_eq!(r.stats.status, "ok", "{r:?}");
    assert_eq!(r.stats.new_articles, 1, "{r:?}");
    let feed = zce.requests_to("/rss/home.rss");
    assert_eq!(feed.len(), 2);
    assert!(r.stats.not_modified >= 1, "the feed answered 304: {r:?}");
    assert_eq!(zce.requests_to(&z[1].path).len(), 3);
    assert_stored(&pool, &zce, &z[1]).await;
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM page_queue").await, 0);

    // Recovered and stored: a third run leaves it alone.
    env.crawl().await;
    assert_eq!(zce.requests_to(&z[1].path).len(), 3);
    assert_eq!(zce.requests_to(&z[0].path).len(), 1);
}

/// Windows-1258 bytes of a text: base letters with their vowel marks composed, tone marks as
/// separate combining characters (the code page's own way of writing Vietnamese).
fn windows_1258(text: &str) -> Vec<u8> {
    use unicode_normalization::char::{canonical_combining_class, compose};
    let mut composed = String::new();
    let mut chars = text.nfd().peekable();
    while let Some(mut base) = chars.next() {
        let mut tones = String::new();
        while let Some(&m) = chars.peek() {
            if canonical_combining_class(m) == 0 {
                break;
            }
            chars.next();
            match compose(base, m) {
                Some(x) if matches!(m, '\u{0302}' | '\u{0306}' | '\u{031B}') => base = x,
                _ => tones.push(m),
            }
        }
        composed.push(base);
        composed.push_str(&tones);
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&composed);
    assert!(!unmappable, "not encodable: {composed}");
    bytes.into_owned()
}

#[tokio::test]
async fn pages_with_a_wrong_declared_charset_are_stored_as_nfc_text() {
    let fck = TestServer::start_on("127.0.0.4").await;
    let f = sites::fck_stories();
    sites::fck_site(
        &fck,
        &[&f[0], &f[1]],
        &[vec![]],
        "Thu, 08 Jan 2026 12:00:00 GMT",
    );
    // UTF-8 bytes in decomposed form (NFD), declared ISO-8859-1 by the header.
    let nfd: String = sites::fck_article(&f[0]).nfd().collect();
    fck.route(
        &f[0].path,
        Resp::ok(nfd.clone()).header("Content-Type", "text/html; charset=iso-8859-1"),
    );
    // Windows-1258 bytes declared UTF-8 by the page's meta and the header.
    fck.route(
        &f[1].path,
        Resp::ok(windows_1258(&sites::fck_article(&f[1])))
            .header("Content-Type", "text/html; charset=utf-8"),
    );
    let env = Env::new(Http::default(), &[sites::fck_source("cantho", &fck.base())]);
    let r = env.crawl().await;
    assert_eq!(report(&r, "cantho").stats.new_articles, 2, "{r:?}");
    let pool = env.pool().await;
    for st in &f[..2] {
        assert_stored(&pool, &fck, st).await;
        let a = stored(&pool, &format!("{}{}", fck.base(), st.path))
            .await
            .unwrap();
        for text in [a.title.unwrap(), a.body, a.sapo.unwrap()] {
            assert_eq!(text, text.nfc().collect::<String>(), "not NFC: {text}");
            assert!(
                !text.contains('Ã') && !text.contains('\u{FFFD}'),
                "mojibake: {text}"
            );
        }
    }
    assert!(
        nfd.len() > sites::fck_article(&f[0]).len(),
        "the fixture really is NFD"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_and_the_run_goes_on() {
    let fck = TestServer::start_on("127.0.0.4").await;
    let dead = TestServer::start_on("127.0.0.5").await;
    let f = sites::fck_stories();
    sites::fck_site(
        &fck,
        &[&f[0], &f[1], &f[2]],
        &[vec![]],
        "Thu, 08 Jan 2026 12:00:00 GMT",
    );
    fck.route(&f[1].path, Resp::ok("never sent").hang());
    for p in ["/robots.txt", "/rss/home.rss", "/sitemap.xml"] {
        dead.route(p, Resp::ok("never sent").hang());
    }
    let http = Http {
        timeout_s: 1,
        max_retries: 0,
        ..Http::default()
    };
    let env = Env::new(
        http,
        &[
            sites::fck_source("cantho", &fck.base()),
            sites::zce_source("dead", &dead.base()),
        ],
    );
    let reports = env.crawl().await;
    let r = report(&reports, "cantho");
    assert_eq!(r.stats.status, "partial", "{r:?}");
    assert_eq!(r.stats.new_articles, 2, "{r:?}");
    assert!(
        r.stats
            .message
            .as_deref()
            .unwrap_or("")
            .contains("timed out"),
        "{r:?}"
    );
    let pool = env.pool().await;
    assert_stored(&pool, &fck, &f[0]).await;
    assert_stored(&pool, &fck, &f[2]).await;
    let queued: Vec<String> = sqlx::query_scalar("SELECT url FROM page_queue")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(queued, vec![format!("{}{}", fck.base(), f[1].path)]);
    // The dead site's run ended as failed, and it did not hold the other source back.
    let d = report(&reports, "dead");
    assert_eq!(d.stats.status, "failed", "{d:?}");
    assert!(d.stats.errors >= 1);
    let statuses: Vec<String> = sqlx::query_scalar("SELECT status FROM crawl_runs ORDER BY source")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(statuses, vec!["partial".to_string(), "failed".to_string()]);
}

#[tokio::test]
async fn a_source_whose_body_selector_drifted_still_yields_correct_articles_through_the_fallback() {
    let zce = TestServer::start_on("127.0.0.6").await;
    let z = sites::zce_stories();
    sites::zce_site(&zce, &[&z[0], &z[1]], &[&z[1], &z[2]], "\"v1\"");
    // The site was "redesigned": the configured body container no longer exists.
    let stale = sites::zce_source("hatinh", &zce.base()).replace(
        "body = \"div.article__body\"",
        "body = \"div.article-content-v1\"",
    );
    let env = Env::new(Http::default(), &[stale]);
    let reports = env.crawl().await;
    let r = report(&reports, "hatinh");
    assert_eq!(r.stats.status, "ok", "{r:?}");
    assert_eq!(r.stats.new_articles, 3, "{r:?}");
    assert_eq!(r.stats.selector_fallbacks, 3, "{r:?}");
    let pool = env.pool().await;
    for st in &z {
        assert_stored(&pool, &zce, st).await;
    }
    assert_eq!(
        count(&pool, "SELECT selector_fallbacks FROM crawl_runs").await,
        3
    );

    // `chiso status` shows the count and says what to check.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--config")
        .arg(env._dir.path().join("chiso.toml"))
        .arg("status")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.lines().next().unwrap_or("").contains("fallbacks"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.starts_with("hatinh "))
        .unwrap_or_else(|| panic!("no hatinh row: {text}"));
    assert!(row.trim_end().ends_with(" 3"), "{row}");
    assert!(
        text.contains("warning: hatinh: the selectors fell back to the generic extractor on 3"),
        "{text}"
    );
}

#[tokio::test]
async fn an_empty_or_near_empty_page_is_a_run_error_retried_and_never_stored() {
    let zce = TestServer::start_on("127.0.0.2").await;
    let z = sites::zce_stories();
    sites::zce_site(&zce, &[&z[0], &z[1]], &[], "\"f1\"");
    // The same template with an empty body, then with one line, then the real page.
    let empty = sites::zce_article(
        &zce.base(),
        &sites::Story {
            paras: vec![String::new(); 3],
            ..z[1].clone()
        },
    );
    let short = sites::zce_article(
        &zce.base(),
        &sites::Story {
            paras: vec!["Đang cập nhật.".into(), String::new(), String::new()],
            ..z[1].clone()
        },
    );
    let html = |s: String| Resp::ok(s).header("Content-Type", "text/html; charset=utf-8");
    zce.route_seq(
        &z[1].path,
        vec![
            html(empty),
            html(short),
            html(sites::zce_article(&zce.base(), &z[1])),
        ],
    );
    let http = Http {
        max_retries: 0,
        ..Http::default()
    };
    let env = Env::new(http, &[sites::zce_source("hatinh", &zce.base())]);
    let url = format!("{}{}", zce.base(), z[1].path);

    let r = env.crawl().await;
    let pool = env.pool().await;
    let r = report(&r, "hatinh");
    assert_eq!(r.stats.status, "partial", "{r:?}");
    assert_eq!((r.stats.new_articles, r.stats.errors), (1, 1), "{r:?}");
    let message = r.stats.message.clone().unwrap_or_default();
    assert!(message.contains("no article text"), "{message}");
    assert!(stored(&pool, &url).await.is_none());
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM page_queue").await, 1);

    let r = env.crawl().await;
    let r = report(&r, "hatinh");
    assert_eq!(r.stats.status, "partial", "{r:?}");
    let message = r.stats.message.clone().unwrap_or_default();
    assert!(message.contains("too short"), "{message}");
    assert!(stored(&pool, &url).await.is_none());
    let runs: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, errors FROM crawl_runs ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        runs,
        vec![("partial".to_string(), 1), ("partial".to_string(), 1)]
    );

    // The third attempt gets the real page: stored, queue empty.
    let r = env.crawl().await;
    let r = report(&r, "hatinh");
    assert_eq!((r.stats.status.as_str(), r.stats.new_articles), ("ok", 1));
    assert_stored(&pool, &zce, &z[1]).await;
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM page_queue").await, 0);
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM articles WHERE body = ''").await,
        0
    );
}

#[tokio::test]
async fn a_canonical_link_to_the_home_page_or_a_listing_does_not_rename_articles() {
    let zce = TestServer::start_on("127.0.0.2").await;
    let z = sites::zce_stories();
    sites::zce_site(&zce, &[&z[0], &z[1], &z[2]], &[], "\"f1\"");
    let base = zce.base();
    // Some CMS templates point every page's canonical link at the home page or a section.
    let serve = |st: &sites::Story, canonical: &str| {
        let page = sites::zce_article(&base, st).replace(
            &format!("<link rel=\"canonical\" href=\"{base}{}\">", st.path),
            &format!("<link rel=\"canonical\" href=\"{canonical}\">"),
        );
        assert!(page.contains(canonical));
        zce.route(
            &st.path,
            Resp::ok(page).header("Content-Type", "text/html; charset=utf-8"),
        );
    };
    serve(&z[0], &format!("{base}/"));
    serve(&z[1], &format!("{base}/kinh-te/"));
    // A canonical link that is an article URL of the site is still followed.
    serve(&z[2], &format!("{base}{}?utm_source=x", z[2].path));
    let env = Env::new(Http::default(), &[sites::zce_source("hatinh", &base)]);
    let r = env.crawl().await;
    assert_eq!(report(&r, "hatinh").stats.new_articles, 3, "{r:?}");
    let pool = env.pool().await;
    let urls: Vec<String> = sqlx::query_scalar("SELECT url FROM articles ORDER BY url")
        .fetch_all(&pool)
        .await
        .unwrap();
    let mut want: Vec<String> = z[..3].iter().map(|s| format!("{base}{}", s.path)).collect();
    want.sort();
    assert_eq!(urls, want);
}

/// A page in the zce template's shape with a short article of its own.
fn numbered_article(i: u32) -> String {
    format!(
        r#"<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Tin {i}</title></head>
<body><h1 class="article__title">Tin số {i}</h1>
<div class="article__body"><p>Năm 2023, thu ngân sách của huyện đạt {i} tỷ đồng, bằng 105% kế hoạch.</p></div>
</body></html>"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_10000_item_feed_gives_each_run_its_newest_new_urls_up_to_the_cap() {
    let big = TestServer::start_on("127.0.0.2").await;
    let base = big.base();
    const N: u32 = 10_000;
    // Oldest first in the file, one minute apart: the newest are at the end.
    let items: String = (0..N)
        .map(|i| {
            let at = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00+07:00").unwrap()
                + chrono::Duration::minutes(i64::from(i));
            format!(
                "<item><title>Tin {i}</title><link>{base}/tin-{i}-post{i}.html</link><pubDate>{}</pubDate></item>",
                at.to_rfc2822()
            )
        })
        .collect();
    big.route(
        "/rss/home.rss",
        Resp::ok(format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>{base}/</link><description>d</description>{items}</channel></rss>"#
        ))
        .header("Content-Type", "application/rss+xml")
        .header("ETag", "\"big\"")
        .conditional(),
    );
    for i in 0..N {
        big.route(
            &format!("/tin-{i}-post{i}.html"),
            Resp::ok(numbered_article(i)).header("Content-Type", "text/html; charset=utf-8"),
        );
    }
    // A healthy site beside it is crawled completely in the same run.
    let one = TestServer::start_on("127.0.0.3").await;
    let o = sites::onecms_stories();
    sites::onecms_site(&one, &[vec![&o[0], &o[1]]]);
    let big_source = sites::zce_source("big", &base)
        .replace("sitemaps = [\"/sitemap.xml\"]\n", "")
        .replace(
            "article_pattern = '-post\\d+\\.html$'\n",
            "article_pattern = '-post\\d+\\.html$'\nmax_new_per_run = 100\n",
        );
    assert!(big_source.contains("max_new_per_run = 100"));
    let env = Env::new(
        Http {
            max_body_bytes: 20_000_000,
            min_interval_ms: 1,
            ..Http::default()
        },
        &[big_source, sites::onecms_source("nghean", &one.base())],
    );
    let fetched = |server: &TestServer| -> BTreeSet<u32> {
        server
            .requests()
            .iter()
            .filter_map(|r| {
                r.path
                    .strip_prefix("/tin-")?
                    .split('-')
                    .next()?
                    .parse()
                    .ok()
            })
            .collect()
    };

    let r = env.crawl().await;
    let b = report(&r, "big");
    assert_eq!(
        (b.stats.status.as_str(), b.stats.new_articles),
        ("ok", 100),
        "{b:?}"
    );
    assert_eq!(fetched(&big), (N - 100..N).collect::<BTreeSet<u32>>());
    let n = report(&r, "nghean");
    assert_eq!(
        (n.stats.status.as_str(), n.stats.new_articles),
        ("ok", 2),
        "{n:?}"
    );

    // The next run reads the feed whole again (no 304) and takes the next hundred.
    let r = env.crawl().await;
    let b = report(&r, "big");
    assert_eq!(
        (b.stats.new_articles, b.stats.not_modified),
        (100, 0),
        "{b:?}"
    );
    assert_eq!(fetched(&big), (N - 200..N).collect::<BTreeSet<u32>>());
    assert_eq!(big.requests_to("/rss/home.rss").len(), 2);
    let pool = env.pool().await;
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM articles WHERE source = 'big'").await,
        200
    );
    // Each page was fetched once.
    let pages = big
        .requests()
        .iter()
        .filter(|r| r.path.contains("-post"))
        .count();
    assert_eq!(pages, 200);
}

#[tokio::test]
async fn crawled_facts_are_what_extract_batch_gives_for_the_stored_article() {
    // Issue 12: the crawl passes the title (and the publication day in Vietnam) to the
    // extractor the same way `chiso extract --batch` takes them, so re-extracting a stored
    // article from its stored title, text and day gives the same facts.
    let zce = TestServer::start_on("127.0.0.7").await;
    let mut z = sites::zce_stories();
    // A figure that stands only in the headline: a fact only if the title reaches the extractor.
    z[0].title = "Huyện Thạch Hà: có thêm 3 xã đạt chuẩn nông thôn mới".to_string();
    sites::zce_site(&zce, &[&z[0], &z[1], &z[2]], &[], "\"p1\"");
    let env = Env::new(Http::default(), &[sites::zce_source("hatinh", &zce.base())]);
    let reports = env.crawl().await;
    assert_eq!(
        report(&reports, "hatinh").stats.new_articles,
        3,
        "{reports:?}"
    );
    let pool = env.pool().await;
    let rows = sqlx::query("SELECT id, title, published_at, sapo, body FROM articles ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let mut lines = String::new();
    for r in &rows {
        let sapo: Option<String> = r.get("sapo");
        let body: String = r.get("body");
        let text = match sapo {
            Some(s) if !body.is_empty() => format!("{s}\n\n{body}"),
            Some(s) => s,
            None => body,
        };
        let published: Option<String> = r.get("published_at");
        let day = published.map(|p| {
            let at = chrono::DateTime::parse_from_rfc3339(&p).unwrap();
            chiso::extract::vietnam_day(at).to_string()
        });
        let line = serde_json::json!({
            "id": r.get::<i64, _>("id"),
            "title": r.get::<Option<String>, _>("title"),
            "text": text,
            "published": day,
            "province": "Hà Tĩnh",
        });
        lines.push_str(&format!("{line}\n"));
    }
    std::fs::write(&input, lines).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(["extract", "--batch"])
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut headline_facts = 0;
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = v["id"].as_i64().unwrap();
        let mut want: Vec<(String, String, String, Option<i64>, String)> = v["facts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["area"].as_str().unwrap_or("").to_string(),
                    format!("{}", f["value"].as_f64().unwrap()),
                    f["unit"].as_str().unwrap().to_string(),
                    f["year"].as_i64(),
                    f["kind"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let mut got: Vec<(String, String, String, Option<i64>, String)> =
            sqlx::query("SELECT area, value, unit, year, kind FROM facts WHERE article_id = $1")
                .bind(id)
                .fetch_all(&pool)
                .await
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r.get::<Option<String>, _>("area").unwrap_or_default(),
                        format!("{}", r.get::<f64, _>("value")),
                        r.get::<String, _>("unit"),
                        r.get::<Option<i64>, _>("year"),
                        r.get::<String, _>("kind"),
                    )
                })
                .collect();
        want.sort();
        got.sort();
        assert!(!got.is_empty(), "article {id} stored no facts");
        if v["facts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["from_title"] == true)
        {
            headline_facts += 1;
        }
        assert_eq!(
            got, want,
            "article {id}: crawl and extract --batch disagree"
        );
    }
    // The headline's "3 xã" was extracted, and stored by the crawl (the comparison above).
    assert_eq!(headline_facts, 1);
}
