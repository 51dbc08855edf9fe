//! Integration tests of `chiso::fetch` against a local HTTP server (no internet).
//!
//! Spacing assertions compare recorded arrival instants with the configured interval (ordering
//! and spacing facts); no test asserts how fast anything runs.

mod support;

use chiso::config::HttpConfig;
use chiso::fetch::{FetchErrorKind, FetchOutcome, Fetcher, Page, Validators};
use std::io::Write;
use std::time::Duration;
use support::server::{Resp, TestServer};

const UA: &str = "chiso-test/1.0 (+https://example.invalid/bot)";

fn cfg() -> HttpConfig {
    HttpConfig {
        user_agent: UA.to_string(),
        min_interval_ms: 0,
        timeout_s: 5,
        max_body_bytes: 1_000_000,
        respect_robots: true,
        max_retries: 2,
        retry_after_cap_s: 5,
        max_redirects: 3,
    }
}

fn page(outcome: FetchOutcome) -> Page {
    match outcome {
        FetchOutcome::Fetched(p) => p,
        FetchOutcome::NotModified => panic!("unexpected 304"),
    }
}

#[tokio::test]
async fn sends_our_user_agent_and_returns_the_page() {
    let s = TestServer::start().await;
    s.route(
        "/kinh-te",
        Resp::ok("<html><body>Kinh tế</body></html>")
            .header("Content-Type", "text/html; charset=utf-8"),
    );
    let f = Fetcher::new(&cfg()).unwrap();
    let p = page(f.get(&s.url("/kinh-te"), None).await.unwrap());
    assert_eq!(p.status, 200);
    assert!(p.text.contains("Kinh tế"));
    assert_eq!(p.content_hash.len(), 64);
    assert_eq!(p.content_type.as_deref(), Some("text/html; charset=utf-8"));
    let reqs = s.requests_to("/kinh-te");
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].header("user-agent"), Some(UA));
    let ae = reqs[0].header("accept-encoding").unwrap_or("");
    assert!(
        ae.contains("gzip") && ae.contains("br"),
        "accept-encoding: {ae}"
    );
    let stats = f.stats();
    assert_eq!(stats.total.requests, 2, "robots.txt and the page");
    assert_eq!(stats.by_status.get(&404), Some(&1), "robots.txt was a 404");
    assert_eq!(stats.by_status.get(&200), Some(&1));
}

#[tokio::test]
async fn one_host_is_spaced_while_another_proceeds() {
    let a = TestServer::start_on("127.0.0.1").await;
    let b = TestServer::start_on("127.0.0.2").await;
    for p in ["/a1", "/a2", "/a3"] {
        a.route(p, Resp::ok("a"));
    }
    b.route("/b1", Resp::ok("b"));
    let mut c = cfg();
    c.min_interval_ms = 400;
    c.respect_robots = false;
    let f = Fetcher::new(&c).unwrap();
    let (u1, u2, u3, u4) = (a.url("/a1"), a.url("/a2"), a.url("/a3"), b.url("/b1"));
    let (r1, r2, r3, r4) = tokio::join!(
        f.get(&u1, None),
        f.get(&u2, None),
        f.get(&u3, None),
        f.get(&u4, None),
    );
    for r in [r1, r2, r3, r4] {
        assert!(r.is_ok(), "{r:?}");
    }
    let at: Vec<_> = a.requests().iter().map(|r| r.at).collect();
    assert_eq!(at.len(), 3);
    for w in at.windows(2) {
        assert!(
            w[1] - w[0] >= Duration::from_millis(400),
            "spacing {:?}",
            w[1] - w[0]
        );
    }
    let b_at = b.requests()[0].at;
    assert!(
        b_at < at[2],
        "the other host was not held behind the first host's queue"
    );
}

#[tokio::test]
async fn robots_disallow_is_never_requested_and_robots_is_read_once() {
    let s = TestServer::start().await;
    s.route("/robots.txt", Resp::ok("User-agent: *\nDisallow: /tim-kiem\n\nUser-agent: chiso-test\nDisallow: /private/\nAllow: /private/open\n"));
    s.route("/private/x", Resp::ok("secret"));
    s.route("/private/open", Resp::ok("open"));
    s.route("/tim-kiem", Resp::ok("search"));
    let f = Fetcher::new(&cfg()).unwrap();
    let err = f.get(&s.url("/private/x"), None).await.unwrap_err();
    assert!(
        matches!(err.kind, FetchErrorKind::RobotsDisallowed),
        "{err}"
    );
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("/private/x"));
    assert!(f.get(&s.url("/private/open"), None).await.is_ok());
    assert!(
        f.get(&s.url("/tim-kiem"), None).await.is_ok(),
        "star group does not apply to us"
    );
    assert!(!f.allowed(&s.url("/private/y")).await);
    assert!(f.allowed(&s.url("/kinh-te")).await);
    assert!(s.requests_to("/private/x").is_empty());
    assert_eq!(s.requests_to("/robots.txt").len(), 1);
}

#[tokio::test]
async fn robots_server_error_pauses_the_host() {
    let s = TestServer::start().await;
    s.route("/robots.txt", Resp::status(503));
    s.route("/a", Resp::ok("a"));
    let f = Fetcher::new(&cfg()).unwrap();
    let err = f.get(&s.url("/a"), None).await.unwrap_err();
    assert!(
        matches!(err.kind, FetchErrorKind::RobotsUnavailable),
        "{err}"
    );
    assert!(err.is_retryable());
    assert!(s.requests_to("/a").is_empty());
    // The verdict is cached for a while: no second robots.txt request right away.
    assert!(f.get(&s.url("/a"), None).await.is_err());
    assert_eq!(s.requests_to("/robots.txt").len(), 1);
}

#[tokio::test]
async fn crawl_delay_raises_the_interval() {
    let s = TestServer::start().await;
    s.route(
        "/robots.txt",
        Resp::ok("User-agent: chiso-test\nCrawl-delay: 1\nDisallow:\n"),
    );
    s.route("/p1", Resp::ok("1"));
    s.route("/p2", Resp::ok("2"));
    let mut c = cfg();
    c.min_interval_ms = 10;
    let f = Fetcher::new(&c).unwrap();
    f.get(&s.url("/p1"), None).await.unwrap();
    f.get(&s.url("/p2"), None).await.unwrap();
    let p1 = s.requests_to("/p1")[0].at;
    let p2 = s.requests_to("/p2")[0].at;
    assert!(p2 - p1 >= Duration::from_secs(1), "gap {:?}", p2 - p1);
}

#[tokio::test]
async fn conditional_get_gives_not_modified_and_hash_catches_stale_validators() {
    let s = TestServer::start().await;
    let lm = "Thu, 08 Jan 2026 11:21:00 GMT";
    s.route(
        "/rss/home.rss",
        Resp::ok("<rss/>")
            .header("ETag", "\"v1\"")
            .header("Last-Modified", lm)
            .conditional(),
    );
    let f = Fetcher::new(&cfg()).unwrap();
    let first = page(f.get(&s.url("/rss/home.rss"), None).await.unwrap());
    assert_eq!(first.etag.as_deref(), Some("\"v1\""));
    assert_eq!(first.last_modified.as_deref(), Some(lm));
    let v = first.validators();
    let second = f.get(&s.url("/rss/home.rss"), Some(&v)).await.unwrap();
    assert!(matches!(second, FetchOutcome::NotModified));
    let reqs = s.requests_to("/rss/home.rss");
    assert_eq!(reqs[1].header("if-none-match"), Some("\"v1\""));
    assert_eq!(reqs[1].header("if-modified-since"), Some(lm));
    assert_eq!(f.stats().total.not_modified, 1);

    // A server that ignores validators and keeps the same ETag for new content: the hash differs.
    s.route("/list", Resp::ok("<a>old</a>").header("ETag", "\"same\""));
    let old = page(f.get(&s.url("/list"), None).await.unwrap());
    s.route("/list", Resp::ok("<a>new</a>").header("ETag", "\"same\""));
    let v = Validators {
        etag: old.etag.clone(),
        last_modified: None,
    };
    let new = page(f.get(&s.url("/list"), Some(&v)).await.unwrap());
    assert_eq!(old.etag, new.etag);
    assert_ne!(old.content_hash, new.content_hash);
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed_or_give_up() {
    let s = TestServer::start().await;
    s.route_seq(
        "/flaky",
        vec![Resp::status(500), Resp::status(502), Resp::ok("finally")],
    );
    let f = Fetcher::new(&cfg()).unwrap();
    let p = page(f.get(&s.url("/flaky"), None).await.unwrap());
    assert_eq!(p.text, "finally");
    assert_eq!(s.requests_to("/flaky").len(), 3);

    let mut c = cfg();
    c.max_retries = 1;
    let f = Fetcher::new(&c).unwrap();
    s.route("/down", Resp::status(500));
    let err = f.get(&s.url("/down"), None).await.unwrap_err();
    assert!(matches!(err.kind, FetchErrorKind::Status(500)), "{err}");
    assert!(err.is_retryable());
    assert_eq!(s.requests_to("/down").len(), 2);

    s.route("/gone", Resp::status(404));
    let err = f.get(&s.url("/gone"), None).await.unwrap_err();
    assert!(matches!(err.kind, FetchErrorKind::Status(404)));
    assert!(!err.is_retryable());
    assert_eq!(s.requests_to("/gone").len(), 1, "a 404 is not retried");
    assert_eq!(f.stats().total.errors, 2);
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after_and_holds_the_host() {
    let s = TestServer::start().await;
    s.route_seq(
        "/busy",
        vec![Resp::status(429).header("Retry-After", "1"), Resp::ok("ok")],
    );
    s.route("/other", Resp::ok("other"));
    let f = Fetcher::new(&cfg()).unwrap();
    let f2 = f.clone();
    let url_other = s.url("/other");
    let watch = s.clone();
    let url_busy = s.url("/busy");
    let busy = f.get(&url_busy, None);
    let other = async move {
        // Start once the 429 has been served, so that this request falls in the Retry-After window.
        while watch.requests_to("/busy").is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        f2.get(&url_other, None).await
    };
    let (r1, r2) = tokio::join!(busy, other);
    assert_eq!(page(r1.unwrap()).text, "ok");
    assert!(r2.is_ok());
    let busy = s.requests_to("/busy");
    assert_eq!(busy.len(), 2);
    assert!(busy[1].at - busy[0].at >= Duration::from_secs(1));
    let other = s.requests_to("/other");
    assert!(
        other[0].at - busy[0].at >= Duration::from_secs(1),
        "the host's limiter waited too"
    );
}

#[tokio::test]
async fn retry_after_is_capped() {
    let s = TestServer::start().await;
    s.route_seq(
        "/slow",
        vec![
            Resp::status(503).header("Retry-After", "3600"),
            Resp::ok("ok"),
        ],
    );
    let mut c = cfg();
    c.retry_after_cap_s = 1;
    let f = Fetcher::new(&c).unwrap();
    assert!(f.get(&s.url("/slow"), None).await.is_ok());
    let r = s.requests_to("/slow");
    assert!(r[1].at - r[0].at >= Duration::from_secs(1));
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_and_without_content_length() {
    let s = TestServer::start().await;
    let big = vec![b'x'; 5000];
    s.route("/big", Resp::ok(big.clone()));
    s.route("/big-chunked", Resp::ok(big).chunked());
    s.route("/small-chunked", Resp::ok(vec![b'y'; 900]).chunked());
    let mut c = cfg();
    c.max_body_bytes = 1000;
    let f = Fetcher::new(&c).unwrap();
    for path in ["/big", "/big-chunked"] {
        let err = f.get(&s.url(path), None).await.unwrap_err();
        assert!(
            matches!(err.kind, FetchErrorKind::TooLarge { limit: 1000 }),
            "{path}: {err}"
        );
        assert!(err.to_string().contains(path), "error names the URL: {err}");
        assert!(!err.is_retryable());
    }
    assert_eq!(
        page(f.get(&s.url("/small-chunked"), None).await.unwrap()).bytes,
        900
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let s = TestServer::start().await;
    s.route("/hang", Resp::ok("never").hang());
    let mut c = cfg();
    c.timeout_s = 1;
    c.max_retries = 0;
    c.respect_robots = false;
    let f = Fetcher::new(&c).unwrap();
    let err = f.get(&s.url("/hang"), None).await.unwrap_err();
    assert!(matches!(err.kind, FetchErrorKind::Timeout), "{err}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn gzip_and_brotli_bodies_are_decoded() {
    let text = "Tổng thu ngân sách đạt 8.850,26 tỷ đồng";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
        w.write_all(text.as_bytes()).unwrap();
    }
    let s = TestServer::start().await;
    s.route(
        "/gz",
        Resp::ok(gz.clone())
            .header("Content-Encoding", "gzip")
            .header("Content-Type", "text/html; charset=utf-8"),
    );
    s.route(
        "/br",
        Resp::ok(br)
            .header("Content-Encoding", "br")
            .header("Content-Type", "text/html; charset=utf-8"),
    );
    // A .xml.gz file served as a file, without Content-Encoding.
    s.route(
        "/sitemaps/news-2026-1.xml.gz",
        Resp::ok(gz).header("Content-Type", "application/x-gzip"),
    );
    let f = Fetcher::new(&cfg()).unwrap();
    for path in ["/gz", "/br", "/sitemaps/news-2026-1.xml.gz"] {
        let p = page(f.get(&s.url(path), None).await.unwrap());
        assert_eq!(p.text, text, "{path}");
    }
}

#[tokio::test]
async fn wrong_declared_charset_and_windows_1258_give_correct_nfc_text() {
    let s = TestServer::start().await;
    let utf8 = "<html><body><h1>Hà Tĩnh: giá trị sản xuất tăng</h1></body></html>";
    s.route(
        "/latin1",
        Resp::ok(utf8).header("Content-Type", "text/html; charset=iso-8859-1"),
    );
    // windows-1258 writes tones as combining marks after the base letter.
    let decomposed = "<html><head><meta charset=\"windows-1258\"></head><body>Nghê\u{323} An: tô\u{309}ng gia\u{301} tri\u{323}</body></html>";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(decomposed);
    assert!(!unmappable);
    s.route(
        "/cp1258",
        Resp::ok(bytes.into_owned()).header("Content-Type", "text/html; charset=windows-1258"),
    );
    let f = Fetcher::new(&cfg()).unwrap();
    let p = page(f.get(&s.url("/latin1"), None).await.unwrap());
    assert!(
        p.text.contains("Hà Tĩnh: giá trị sản xuất tăng"),
        "{}",
        p.text
    );
    let p = page(f.get(&s.url("/cp1258"), None).await.unwrap());
    assert!(p.text.contains("Nghệ An: tổng giá trị"), "{}", p.text);
    assert!(!p.text.contains('\u{323}'), "NFC: no stray combining marks");
}

#[tokio::test]
async fn redirects_are_followed_up_to_the_limit() {
    let s = TestServer::start().await;
    for i in 1..=4 {
        s.route(
            &format!("/r{i}"),
            Resp::status(301).header("Location", &format!("/r{}", i + 1)),
        );
    }
    s.route("/r5", Resp::ok("end"));
    let f = Fetcher::new(&cfg()).unwrap();
    let p = page(f.get(&s.url("/r3"), None).await.unwrap());
    assert_eq!(p.url.path(), "/r5");
    let err = f.get(&s.url("/r1"), None).await.unwrap_err();
    assert!(
        matches!(err.kind, FetchErrorKind::TooManyRedirects(3)),
        "{err}"
    );
}

#[tokio::test]
async fn only_http_and_https_are_fetched() {
    let s = TestServer::start().await;
    s.route(
        "/to-ftp",
        Resp::status(302).header("Location", "ftp://example.invalid/file"),
    );
    let f = Fetcher::new(&cfg()).unwrap();
    let ftp = url::Url::parse("ftp://example.invalid/pub/a.html").unwrap();
    assert!(!f.allowed(&ftp).await);
    let err = f.get(&ftp, None).await.unwrap_err();
    assert!(
        matches!(err.kind, FetchErrorKind::UnsupportedScheme(ref s) if s == "ftp"),
        "{err}"
    );
    let err = f.get(&s.url("/to-ftp"), None).await.unwrap_err();
    assert!(
        matches!(err.kind, FetchErrorKind::UnsupportedScheme(_)),
        "{err}"
    );
}
