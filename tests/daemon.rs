//! The real `chiso run` against local fixture sites with schedules of a few seconds: it crawls,
//! answers `/healthz` and `/metrics`, says READY=1 on NOTIFY_SOCKET, stops cleanly on SIGTERM in
//! the middle of a slow page, backs off from a dead site and recovers when it returns, and
//! reloads its sources on SIGHUP while rejecting a broken file.

mod support;

use std::io::Read;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::server::{Resp, TestServer};

/// Upper bound for anything the tests wait for; generous because CI machines are shared.
const PATIENCE: Duration = Duration::from_secs(90);

fn article(id: u32, title: &str, sentence: &str) -> String {
    format!(
        r#"<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head>
<body><article><h1 class="article__title">{title}</h1>
<time datetime="2024-01-0{d}T08:00:00">0{d}/01/2024 08:00</time>
<div class="article__sapo">(Baohatinh.vn) - Báo cáo của huyện.</div>
<div class="article__body"><p>{sentence}</p><p>Bài số {id}.</p></div>
<div class="article__author">Phóng viên</div></article></body></html>"#,
        d = id % 9 + 1
    )
}

fn feed(base: &str, ids: &[u32]) -> String {
    let items: String = ids
        .iter()
        .map(|id| {
            format!(
                "<item><title>Bài {id}</title><link>{base}/bai-{id}-post{id}.html</link></item>"
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>{base}/</link><description>d</description>{items}</channel></rss>"#
    )
}

/// Serves a small CMS-A-like site with the given articles.
fn site(server: &TestServer, ids: &[u32]) {
    let base = server.base();
    server.route(
        "/robots.txt",
        Resp::ok("User-agent: *\nDisallow: /admin/\n"),
    );
    server.route(
        "/rss/home.rss",
        Resp::ok(feed(&base, ids)).header("Content-Type", "application/rss+xml"),
    );
    for &id in ids {
        server.route(
            &format!("/bai-{id}-post{id}.html"),
            Resp::ok(article(
                id,
                &format!("Huyện Kỳ Anh: bài {id}"),
                &format!("Năm 2023, tổng giá trị sản phẩm của huyện Kỳ Anh đạt {id}.850,26 tỷ đồng, tăng 14,62% so với năm 2022."),
            ))
            .header("Content-Type", "text/html; charset=utf-8"),
        );
    }
}

fn source_toml(name: &str, base: &str) -> String {
    format!(
        r#"
[[source]]
name = "{name}"
province = "Hà Tĩnh"
base_url = "{base}"
schedule = "*/2 * * * * *"
feeds = ["/rss/home.rss"]
article_pattern = '-post\d+\.html$'
[source.selectors]
title = "h1.article__title"
published = "time[datetime]"
author = ".article__author"
sapo = ".article__sapo"
body = ".article__body"
"#
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Daemon {
    child: Child,
    dir: tempfile::TempDir,
    listen: String,
    notify: UnixDatagram,
}

impl Daemon {
    fn config_path(&self) -> PathBuf {
        self.dir.path().join("chiso.toml")
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("chiso.db")
    }

    fn start(sources: &str) -> Daemon {
        Self::start_with(sources, "", Some("chiso=debug,info"))
    }

    /// A daemon with `schedule` lines added to `[schedule]` and `RUST_LOG` set or not.
    fn start_with(sources: &str, schedule: &str, rust_log: Option<&str>) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        let listen = format!("127.0.0.1:{}", free_port());
        let sock = dir.path().join("notify.sock");
        let notify = UnixDatagram::bind(&sock).unwrap();
        notify
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let cfg = header(dir.path(), &listen)
            .replace("[schedule]\n", &format!("[schedule]\n{schedule}"))
            + sources;
        std::fs::write(dir.path().join("chiso.toml"), cfg).unwrap();
        let log = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_chiso"));
        cmd.arg("--config")
            .arg(dir.path().join("chiso.toml"))
            .arg("run")
            .env("NOTIFY_SOCKET", &sock)
            .env_remove("RUST_LOG")
            .env_remove("CHISO_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(log);
        if let Some(filter) = rust_log {
            cmd.env("RUST_LOG", filter);
        }
        let child = cmd.spawn().unwrap();
        Daemon {
            child,
            dir,
            listen,
            notify,
        }
    }

    /// Waits for a notification containing `what`.
    fn expect_notify(&self, what: &str) -> String {
        let start = Instant::now();
        let mut buf = [0u8; 1024];
        while start.elapsed() < PATIENCE {
            if let Ok(n) = self.notify.recv(&mut buf) {
                let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
                if msg.contains(what) {
                    return msg;
                }
            }
        }
        panic!("no {what:?} on NOTIFY_SOCKET; log:\n{}", self.log());
    }

    fn get(&self, path: &str) -> (u16, String) {
        http_get(&self.listen, path)
    }

    /// Polls /metrics until `pred` holds.
    fn wait_metrics(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            let (status, body) = self.get("/metrics");
            if status == 200 && pred(&body) {
                return body;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        panic!(
            "timed out waiting for {what}; metrics:\n{}\nlog:\n{}",
            self.get("/metrics").1,
            self.log()
        );
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default()
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill {sig}");
    }

    /// Waits for the process to exit and returns its code.
    fn wait_exit(&mut self) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        panic!("daemon did not exit; log:\n{}", self.log());
    }

    fn query(&self, sql: &str) -> Vec<String> {
        sqlite_rows(&self.db(), sql)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn header(dir: &Path, listen: &str) -> String {
    format!(
        r#"[database]
url = "sqlite://{db}"
[http]
min_interval_ms = 20
timeout_s = 5
max_retries = 0
[schedule]
jitter_s = 0
backoff_base_s = 1
[daemon]
listen = "{listen}"
shutdown_timeout_s = 3
"#,
        db = dir.join("chiso.db").display()
    )
}

/// One GET over a raw TCP connection (the daemon's listener closes after each answer).
fn http_get(addr: &str, path: &str) -> (u16, String) {
    use std::io::Write;
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return (0, String::new());
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

/// Rows of a query on the daemon's SQLite file, columns joined by `|` (on a thread of its own,
/// since the tests themselves run inside a runtime).
fn sqlite_rows(db: &Path, sql: &str) -> Vec<String> {
    std::thread::scope(|s| s.spawn(|| sqlite_rows_blocking(db, sql)).join().unwrap())
}

fn sqlite_rows_blocking(db: &Path, sql: &str) -> Vec<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::{Connection, Row};
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let rows = sqlx::query(sql).fetch_all(&mut c).await.unwrap();
        rows.iter()
            .map(|r| {
                (0..r.columns().len())
                    .map(|i| {
                        r.try_get::<String, _>(i)
                            .or_else(|_| r.try_get::<i64, _>(i).map(|v| v.to_string()))
                            .unwrap_or_else(|_| "NULL".into())
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect()
    })
}

fn metric(body: &str, name_and_labels: &str) -> Option<f64> {
    body.lines()
        .find(|l| l.starts_with(name_and_labels))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawls_on_schedule_serves_health_and_stops_cleanly_on_sigterm() {
    let server = TestServer::start().await;
    site(&server, &[1, 2]);
    server.route("/hook", Resp::ok("ok"));
    let alert = format!(
        "\n[[alert]]\nurl = \"json://{}/hook\"\nname = \"team\"\n",
        server.addr
    );
    let mut d = Daemon::start(&(source_toml("site", &server.base()) + &alert));
    d.expect_notify("READY=1");

    let body = d.wait_metrics("two new articles", |m| {
        metric(m, "chiso_articles_new_total{source=\"site\"}") == Some(2.0)
    });
    assert!(
        metric(&body, "chiso_facts_extracted_total{source=\"site\"}").unwrap_or(0.0) >= 2.0,
        "{body}"
    );
    assert!(metric(&body, "chiso_fetch_requests_total{host=\"127.0.0.1\"}").unwrap_or(0.0) >= 4.0);
    assert!(body.contains("chiso_crawl_runs_total{source=\"site\",status=\"ok\"}"));
    // Run durations are a histogram, not a counter named `_sum`.
    assert!(
        body.contains("# TYPE chiso_crawl_duration_seconds histogram"),
        "{body}"
    );
    assert!(
        metric(&body, "chiso_crawl_duration_seconds_count{source=\"site\"}").unwrap_or(0.0) >= 1.0,
        "{body}"
    );
    let (status, health) = d.get("/healthz");
    assert_eq!(status, 200, "{health}");
    assert_eq!(d.get("/nope").0, 404);
    let (status, atom) = d.get("/feed.atom");
    assert_eq!(status, 200);
    assert!(
        atom.contains("<feed") && atom.contains("bai-1-post1.html"),
        "{atom}"
    );
    // The web pages and the JSON API are on the same listener.
    let (status, sources) = d.get("/api/sources");
    assert_eq!(status, 200, "{sources}");
    let sources: serde_json::Value = serde_json::from_str(&sources).unwrap();
    assert_eq!(sources[0]["name"], "site", "{sources}");
    assert!(
        sources[0]["articles"].as_i64().unwrap_or(0) >= 2,
        "{sources}"
    );
    let (status, home) = d.get("/");
    assert_eq!(status, 200);
    assert!(
        home.contains("<table class=\"sources\">") && home.contains(">site<"),
        "{home}"
    );

    // A client that never finishes its request head is disconnected by the daemon (after its
    // 10 s header read timeout); the wait here is only bounded by PATIENCE.
    {
        use std::io::Write;
        let mut slow = std::net::TcpStream::connect(&d.listen).unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a")
            .unwrap();
        slow.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut got = Vec::new();
        let closed = match slow.read_to_end(&mut got) {
            Ok(_) => true,
            Err(e) => !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
        };
        assert!(closed, "the daemon kept a half-sent request open");
        let got = String::from_utf8_lossy(&got);
        assert!(!got.contains(" 200 "), "{got}");
    }

    // The dispatcher in the same process delivers one alert per new report to the webhook.
    let start = Instant::now();
    while server.requests_to("/hook").len() < 2 {
        assert!(
            start.elapsed() < PATIENCE,
            "alerts not delivered:\n{}",
            d.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let hooks = server.requests_to("/hook");
    let keys: std::collections::HashSet<_> = hooks
        .iter()
        .filter_map(|r| r.header("idempotency-key"))
        .collect();
    assert_eq!(keys.len(), 2, "one alert per article");

    // A new article whose page is slow: SIGTERM arrives while it is in flight.
    server.route(
        "/rss/home.rss",
        Resp::ok(feed(&server.base(), &[1, 2, 3])).header("Content-Type", "application/rss+xml"),
    );
    server.route(
        "/bai-3-post3.html",
        Resp::ok(article(3, "chậm", "Năm 2023 thu ngân sách đạt 10 tỷ đồng."))
            .delay(Duration::from_secs(60)),
    );
    let start = Instant::now();
    while server.requests_to("/bai-3-post3.html").is_empty() {
        assert!(start.elapsed() < PATIENCE, "slow page never requested");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    d.signal("-TERM");
    assert_eq!(d.wait_exit(), Some(0), "log:\n{}", d.log());
    d.expect_notify("STOPPING=1");

    // Nothing half-written: the slow article is absent, every run row is closed.
    let urls = d.query("SELECT url FROM articles ORDER BY url");
    assert_eq!(urls.len(), 2, "{urls:?}");
    assert!(urls.iter().all(|u| !u.contains("post3")));
    let open = d.query("SELECT id FROM crawl_runs WHERE finished_at IS NULL");
    assert!(open.is_empty(), "runs left open: {open:?}\n{}", d.log());
    let last = d.query("SELECT status FROM crawl_runs ORDER BY id DESC LIMIT 1");
    assert_eq!(last, vec!["interrupted".to_string()]);
    let facts = d.query("SELECT COUNT(*) FROM facts");
    assert_ne!(facts, vec!["0".to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_source_backs_off_and_recovers_when_its_server_returns() {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let d = Daemon::start(&source_toml("flaky", &base));
    d.expect_notify("READY=1");
    d.wait_metrics("a failed run", |m| {
        metric(m, "chiso_source_consecutive_failures{source=\"flaky\"}").unwrap_or(0.0) >= 1.0
    });
    let (status, _) = d.get("/healthz");
    assert_eq!(
        status, 200,
        "one dead site does not make the daemon unhealthy"
    );

    let server = TestServer::start_at(&format!("127.0.0.1:{port}")).await;
    site(&server, &[7]);
    let body = d.wait_metrics("recovery", |m| {
        metric(m, "chiso_articles_new_total{source=\"flaky\"}") == Some(1.0)
            && metric(m, "chiso_source_consecutive_failures{source=\"flaky\"}") == Some(0.0)
    });
    assert!(body.contains("chiso_crawl_runs_total{source=\"flaky\",status=\"failed\"}"));
    assert!(d.log().contains("source recovered"), "{}", d.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_adds_a_source_and_a_broken_file_keeps_the_running_config() {
    let a = TestServer::start().await;
    site(&a, &[1]);
    let b = TestServer::start_on("127.0.0.2").await;
    site(&b, &[5, 6]);
    let d = Daemon::start(&source_toml("alpha", &a.base()));
    d.expect_notify("READY=1");
    d.wait_metrics("alpha crawled", |m| {
        metric(m, "chiso_articles_new_total{source=\"alpha\"}") == Some(1.0)
    });
    assert!(b.requests().is_empty());

    let both = header(d.dir.path(), &d.listen)
        + &source_toml("alpha", &a.base())
        + &source_toml("beta", &b.base());
    std::fs::write(d.config_path(), both).unwrap();
    d.signal("-HUP");
    d.wait_metrics("beta crawled after reload", |m| {
        metric(m, "chiso_articles_new_total{source=\"beta\"}") == Some(2.0)
    });

    std::fs::write(d.config_path(), "[[source]\nname = broken").unwrap();
    d.signal("-HUP");
    let start = Instant::now();
    while !d.log().contains("reload rejected") {
        assert!(
            start.elapsed() < PATIENCE,
            "no rejection logged:\n{}",
            d.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Still running the old sources.
    let before = a.requests_to("/rss/home.rss").len();
    let start = Instant::now();
    while a.requests_to("/rss/home.rss").len() <= before {
        assert!(
            start.elapsed() < PATIENCE,
            "alpha no longer crawled after a broken reload"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(d.get("/healthz").0, 200);
}

/// Once a year: during a test only a crawl at start can fetch anything.
const YEARLY: &str = "0 0 0 1 1 *";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_crawl_right_after_start_with_one_line_per_source_and_quiet_dependencies() {
    let server = TestServer::start().await;
    site(&server, &[1, 2]);
    let sources = source_toml("yearly", &server.base()).replace("*/2 * * * * *", YEARLY);
    let d = Daemon::start_with(&sources, "", None);
    d.expect_notify("READY=1");
    d.wait_metrics("the articles of the crawl at start", |m| {
        metric(m, "chiso_articles_new_total{source=\"yearly\"}") == Some(2.0)
    });
    let log = d.log();
    let scheduled: Vec<&str> = log.lines().filter(|l| l.contains("scheduled")).collect();
    assert_eq!(scheduled.len(), 1, "{log}");
    assert!(
        scheduled[0].contains("source=yearly")
            && scheduled[0].contains("crawling now")
            && scheduled[0].contains("-01-01 00:00:00 +07:00"),
        "{log}"
    );
    // Without RUST_LOG, libraries log nothing below warn (the scheduler says "Job creator
    // created" at info), and chiso logs at info.
    assert!(!log.contains("tokio_cron_scheduler"), "{log}");
    assert!(!log.contains("DEBUG"), "{log}");
    assert!(log.contains("crawl finished"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_at_start_false_waits_for_the_schedule() {
    let server = TestServer::start().await;
    site(&server, &[1]);
    let sources = source_toml("yearly", &server.base()).replace("*/2 * * * * *", YEARLY);
    let d = Daemon::start_with(&sources, "run_at_start = false\n", Some("info"));
    d.expect_notify("READY=1");
    // RUST_LOG still turns dependency logs on.
    let start = Instant::now();
    while !d.log().contains("tokio_cron_scheduler") {
        assert!(start.elapsed() < PATIENCE, "{}", d.log());
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = d.log();
    assert!(
        log.lines().any(|l| l.contains("scheduled")
            && l.contains("source=yearly")
            && !l.contains("crawling now")),
        "{log}"
    );
    assert_eq!(d.get("/healthz").0, 200);
    assert!(
        server.requests().is_empty(),
        "crawled at start: {:?}",
        server.requests()
    );
    assert!(d.query("SELECT id FROM crawl_runs").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_applies_changed_alert_channels_and_names_what_needs_a_restart() {
    let server = TestServer::start().await;
    site(&server, &[1]);
    server.route("/hook-old", Resp::ok("ok"));
    server.route("/hook-new", Resp::ok("ok"));
    let channel = |path: &str| {
        format!(
            "\n[[alert]]\nurl = \"json://{}{path}\"\nname = \"team\"\nmin_facts = 0\n",
            server.addr
        )
    };
    let sources = source_toml("site", &server.base());
    let d = Daemon::start(&(sources.clone() + &channel("/hook-old")));
    d.expect_notify("READY=1");
    let start = Instant::now();
    while server.requests_to("/hook-old").is_empty() {
        assert!(
            start.elapsed() < PATIENCE,
            "first alert not sent:\n{}",
            d.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Same channel name, new address; a changed [http] section is named as needing a restart.
    let cfg = header(d.dir.path(), &d.listen).replace("timeout_s = 5", "timeout_s = 6")
        + &sources
        + &channel("/hook-new");
    std::fs::write(d.config_path(), cfg).unwrap();
    d.signal("-HUP");
    let start = Instant::now();
    while !d.log().contains("configuration reloaded") {
        assert!(start.elapsed() < PATIENCE, "no reload:\n{}", d.log());
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        d.log()
            .contains("reload: changes to [http] take effect at the next restart"),
        "{}",
        d.log()
    );
    site(&server, &[1, 2]);
    let start = Instant::now();
    while server.requests_to("/hook-new").is_empty() {
        assert!(
            start.elapsed() < PATIENCE,
            "alert not sent to the new address:\n{}",
            d.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(server.requests_to("/hook-old").len(), 1, "{}", d.log());
    assert_eq!(server.requests_to("/hook-new").len(), 1, "{}", d.log());
}
