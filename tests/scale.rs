//! Many sources on one instance (issue 17), with the real `chiso run`: every slot of every source
//! either sees a run start or is counted as skipped with the source named (log line with its
//! slot, `chiso_runs_skipped_total{source,reason}`, `sources.runs_skipped`, `chiso status`); a
//! run that had to wait still runs once a worker is free; and a run reads only its own source's
//! validators (store level, SQLite and PostgreSQL).

mod db_support;
mod support;

use chiso::store::{self, CachedValidators, Store};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::server::{Resp, TestServer};

/// Upper bound for anything the tests wait for; generous because CI machines are shared.
const PATIENCE: Duration = Duration::from_secs(120);

fn article(n: u32, i: u32) -> String {
    format!(
        r#"<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Tin {i}</title></head>
<body><article><h1 class="t">Tin {i} của xã số {n}</h1>
<time datetime="2026-12-04T08:00:00+07:00">4/12</time>
<div class="b"><p>Năm 2025, tổng giá trị sản xuất của xã số {n} đạt {n}.{i}50 tỷ đồng, tăng 8,1% so với năm 2024.</p>
<p>Hội nghị đã đánh giá kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội năm 2025.</p></div>
</article></body></html>"#
    )
}

/// Source `n` on `server`: a feed at `/x{n}/rss.xml` (answering conditional requests with 304)
/// and `articles` article pages.
fn serve(server: &TestServer, n: u32, articles: u32) {
    let base = server.base();
    let items: String = (1..=articles)
        .map(|i| {
            format!(
                "<item><title>Tin {i}</title><link>{base}/x{n}/tin-{i}-post{i}.html</link>\
                 <pubDate>Fri, 04 Dec 2026 08:00:00 +0700</pubDate></item>"
            )
        })
        .collect();
    server.route(
        &format!("/x{n}/rss.xml"),
        Resp::ok(format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>x{n}</title><link>{base}/</link>{items}</channel></rss>"#
        ))
        .header("Content-Type", "application/rss+xml")
        .header("ETag", &format!("\"x{n}-v1\""))
        .conditional(),
    );
    for i in 1..=articles {
        server.route(
            &format!("/x{n}/tin-{i}-post{i}.html"),
            Resp::ok(article(n, i)).header("Content-Type", "text/html; charset=utf-8"),
        );
    }
}

fn source_toml(n: u32, base: &str, schedule: &str) -> String {
    format!(
        r#"
[[source]]
name = "x{n}"
province = "Hà Tĩnh"
base_url = "{base}"
schedule = "{schedule}"
feeds = ["/x{n}/rss.xml"]
article_pattern = '-post\d+\.html$'
[source.selectors]
title = "h1.t"
published = "time[datetime]"
body = ".b"
"#
    )
}

struct Daemon {
    child: Child,
    dir: tempfile::TempDir,
}

impl Daemon {
    fn start(config: impl Fn(&Path) -> String) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("chiso.toml"), config(dir.path())).unwrap();
        let log = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_chiso"))
            .arg("--config")
            .arg(dir.path().join("chiso.toml"))
            .arg("run")
            .env("RUST_LOG", "chiso=info,warn")
            .env_remove("CHISO_DATABASE_URL")
            .env_remove("NOTIFY_SOCKET")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        Daemon { child, dir }
    }

    fn config_path(&self) -> PathBuf {
        self.dir.path().join("chiso.toml")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default()
    }

    fn query(&self, sql: &str) -> Vec<String> {
        let db = self.dir.path().join("chiso.db");
        if !db.exists() {
            return Vec::new();
        }
        let sql = sql.to_string();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                use sqlx::{Connection, Row};
                // The daemon may still be creating the file or its tables.
                let Ok(mut c) =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await
                else {
                    return Vec::new();
                };
                let Ok(rows) = sqlx::query(&sql).fetch_all(&mut c).await else {
                    return Vec::new();
                };
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
        })
        .join()
        .unwrap()
    }

    fn wait_for(&self, what: &str, mut pred: impl FnMut(&Daemon) -> bool) {
        let start = Instant::now();
        while !pred(self) {
            assert!(
                start.elapsed() < PATIENCE,
                "timed out waiting for {what}; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(300));
        }
    }

    /// SIGTERM, then the exit code.
    fn stop(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("daemon did not stop; log:\n{}", self.log());
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn count(d: &Daemon, sql: &str) -> i64 {
    d.query(sql)
        .first()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn vietnam(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).unwrap())
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

/// 240 sources, 20 on each of 12 loopback hosts, all due in the same second every 10 s: after
/// the first crawl, each of three slots is checked source by source: a run started in it, or the
/// log names the source as skipped for that slot; never both, never neither, never two runs.
/// Later feed requests are conditional (the run read its source's validators) and no article is
/// fetched twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_source_runs_every_slot_or_is_counted_as_skipped() {
    const HOSTS: u32 = 12;
    const PER_HOST: u32 = 20;
    const SLOT_S: i64 = 10;
    let mut servers = Vec::new();
    for h in 0..HOSTS {
        servers.push(TestServer::start_on(&format!("127.0.0.{}", 20 + h)).await);
    }
    let mut sources = String::new();
    let mut owner = BTreeMap::new();
    for h in 0..HOSTS {
        for j in 0..PER_HOST {
            let n = h * PER_HOST + j;
            serve(&servers[h as usize], n, 1);
            sources += &source_toml(n, &servers[h as usize].base(), "*/10 * * * * *");
            owner.insert(format!("x{n}"), (h as usize, n));
        }
    }
    let total = (HOSTS * PER_HOST) as i64;
    let mut d = Daemon::start(|dir| {
        format!(
            "[database]\nurl = \"sqlite://{}\"\n[http]\nmin_interval_ms = 10\ntimeout_s = 10\n\
             max_retries = 0\n[schedule]\njitter_s = 0\n[daemon]\nlisten = \"\"\n\
             shutdown_timeout_s = 5\n{sources}",
            dir.join("chiso.db").display()
        )
    });
    d.wait_for("the first crawl of every source", |d| {
        count(d, "SELECT COUNT(*) FROM articles") == total
    });
    // Three whole slots after the first crawl, and a little more for the tick that closes the
    // last of them.
    let now = Utc::now().timestamp();
    let first = (now / SLOT_S + 1) * SLOT_S;
    let slots: Vec<i64> = (0..3).map(|i| first + i * SLOT_S).collect();
    let close = slots[2] + SLOT_S + 3;
    while Utc::now().timestamp() < close {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(d.stop(), Some(0), "{}", d.log());
    let log = d.log();

    let runs = d.query("SELECT source, started_at FROM crawl_runs");
    let mut started: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for row in &runs {
        let (source, at) = row.split_once('|').unwrap();
        let at = DateTime::parse_from_rfc3339(at).unwrap().timestamp();
        started.entry(source.to_string()).or_default().push(at);
    }
    let mut skipped_total = 0;
    for &slot in &slots {
        let start = DateTime::from_timestamp(slot, 0).unwrap();
        let label = format!("slot={}", vietnam(start));
        let skipped: BTreeSet<String> = log
            .lines()
            .filter(|l| l.contains("run skipped") && l.contains(&label))
            .filter_map(|l| {
                l.split_whitespace()
                    .find_map(|w| w.strip_prefix("source="))
                    .map(str::to_string)
            })
            .collect();
        skipped_total += skipped.len();
        for name in owner.keys() {
            let ran = started.get(name).map_or(0, |v| {
                v.iter()
                    .filter(|&&t| t >= slot && t < slot + SLOT_S)
                    .count()
            });
            assert!(ran <= 1, "{name} ran {ran} times in the slot {label}");
            assert!(
                (ran == 1) != skipped.contains(name),
                "{name} in the slot {label}: {ran} run(s) started, {} skip logged\n{log}",
                if skipped.contains(name) { "a" } else { "no" }
            );
        }
    }
    eprintln!(
        "{} sources × {} slots: {skipped_total} counted as skipped",
        owner.len(),
        slots.len()
    );
    // Every later feed request was conditional, and no article page was fetched twice.
    for (name, &(h, n)) in &owner {
        let feed = servers[h].requests_to(&format!("/x{n}/rss.xml"));
        assert!(feed.len() >= 2, "{name}: {} feed requests", feed.len());
        assert!(
            feed[1..]
                .iter()
                .all(|r| r.header("if-none-match").is_some()),
            "{name}: a later feed request without its validator"
        );
        let page = servers[h].requests_to(&format!("/x{n}/tin-1-post1.html"));
        assert_eq!(
            page.len(),
            1,
            "{name}: article fetched {} times",
            page.len()
        );
    }
    assert!(!log.contains(" ERROR "), "{log}");
}

/// One worker (`max_concurrent_runs = 1`) and a source whose run outlasts several slots (five
/// requests a second and a half apart on a two-second schedule): its slots are counted
/// `running`, the other source's `queued`, each named in the log, `/metrics`, the `sources` table
/// and `chiso status`; the waiting source still runs once the worker is free.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_cannot_start_is_counted_with_its_source_named() {
    let slow = TestServer::start_on("127.0.0.40").await;
    serve(&slow, 1, 3);
    let other = TestServer::start_on("127.0.0.41").await;
    serve(&other, 2, 1);
    let listen = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let sources = source_toml(1, &slow.base(), "*/2 * * * * *")
        + &source_toml(2, &other.base(), "*/2 * * * * *");
    let mut d = Daemon::start(|dir| {
        format!(
            "[database]\nurl = \"sqlite://{}\"\n[http]\nmin_interval_ms = 1500\ntimeout_s = 10\n\
             max_retries = 0\n[schedule]\njitter_s = 0\nmax_concurrent_runs = 1\n[daemon]\n\
             listen = \"{listen}\"\nshutdown_timeout_s = 10\n{sources}",
            dir.join("chiso.db").display()
        )
    });
    d.wait_for("both sources skipped and both crawled", |d| {
        let log = d.log();
        log.contains("run skipped")
            && log
                .lines()
                .any(|l| l.contains(" source=x1 ") && l.contains("reason=\"running\""))
            && log
                .lines()
                .any(|l| l.contains(" source=x2 ") && l.contains("reason=\"queued\""))
            && count(d, "SELECT COUNT(*) FROM articles") == 4
    });
    let metrics = http_get(&listen, "/metrics");
    for want in [
        "chiso_runs_skipped_total{source=\"x1\",reason=\"running\"} ",
        "chiso_runs_skipped_total{source=\"x2\",reason=\"queued\"} ",
    ] {
        let line = metrics.lines().find(|l| l.starts_with(want));
        let n: f64 = line
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        assert!(n >= 1.0, "{want}: {line:?}\n{metrics}");
    }
    d.wait_for("the skips written to sources", |d| {
        count(
            d,
            "SELECT COUNT(*) FROM sources WHERE runs_skipped > 0 AND last_skipped_at IS NOT NULL",
        ) == 2
    });
    assert_eq!(d.stop(), Some(0), "{}", d.log());
    // The log and /metrics above showed `running` and `queued`; the table keeps the latest
    // reason, which on a loaded machine can be `backoff` after a run that timed out.
    let reasons = d.query("SELECT last_skip_reason FROM sources ORDER BY name");
    assert!(
        reasons.len() == 2
            && reasons
                .iter()
                .all(|r| ["running", "queued", "backoff"].contains(&r.as_str())),
        "{reasons:?}"
    );

    let status = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--config")
        .arg(d.config_path())
        .arg("status")
        .env_remove("CHISO_DATABASE_URL")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success(), "{out}");
    assert!(out.lines().next().unwrap().contains("skipped"), "{out}");
    for name in ["x1", "x2"] {
        assert!(
            out.lines()
                .any(|l| l.starts_with(&format!("skipped: {name}: "))
                    && l.contains("scheduled run(s) did not start")),
            "{out}"
        );
    }
}

/// Six sources on one host (a provincial portal with a page per commune) and one elsewhere: the
/// portal's sources run one after the other, in the order they became due, each request to the
/// portal at least `min_interval_ms` after the previous one, and the other host's source is not
/// held behind them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_on_one_host_are_served_in_turn_at_its_pace() {
    const YEARLY: &str = "0 0 0 1 1 *";
    let portal = TestServer::start_on("127.0.0.42").await;
    let elsewhere = TestServer::start_on("127.0.0.43").await;
    let mut sources = String::new();
    for n in 0..6 {
        serve(&portal, n, 2);
        sources += &source_toml(n, &portal.base(), YEARLY);
    }
    serve(&elsewhere, 9, 2);
    sources += &source_toml(9, &elsewhere.base(), YEARLY);
    let d = Daemon::start(|dir| {
        format!(
            "[database]\nurl = \"sqlite://{}\"\n[http]\nmin_interval_ms = 200\ntimeout_s = 10\n\
             max_retries = 0\n[schedule]\njitter_s = 0\n[daemon]\nlisten = \"\"\n{sources}",
            dir.join("chiso.db").display()
        )
    });
    d.wait_for("every source crawled", |d| {
        count(d, "SELECT COUNT(*) FROM articles") == 14
    });
    let mut asked = portal.requests();
    asked.sort_by_key(|r| r.at);
    for pair in asked.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= Duration::from_millis(150),
            "{} then {} only {gap:?} apart",
            pair[0].path,
            pair[1].path
        );
    }
    // One source's requests all come before the next source's: served in turn, x0 first.
    let order: Vec<&str> = asked
        .iter()
        .filter_map(|r| r.path.strip_prefix('/')?.split('/').next())
        .filter(|p| p.starts_with('x'))
        .collect();
    let mut runs: Vec<&str> = order.clone();
    runs.dedup();
    assert_eq!(runs, ["x0", "x1", "x2", "x3", "x4", "x5"], "{order:?}");
    // The other host's source did not wait for the portal's six runs.
    let other_done = elsewhere.requests().iter().map(|r| r.at).max().unwrap();
    let portal_last = portal
        .requests_to("/x5/rss.xml")
        .first()
        .map(|r| r.at)
        .unwrap();
    assert!(
        other_done < portal_last,
        "the other host waited behind the portal"
    );
}

fn http_get(addr: &str, path: &str) -> String {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

fn validators(url: &str, etag: &str) -> CachedValidators {
    CachedValidators {
        url: url.to_string(),
        etag: Some(etag.to_string()),
        last_modified: None,
        content_hash: None,
    }
}

/// A run reads the validators of its own source only, however many other sources have some; a
/// URL written by another source becomes that source's.
async fn own_validators(store: Arc<dyn Store>) {
    store.migrate().await.unwrap();
    let a: Vec<CachedValidators> = (0..3)
        .map(|i| validators(&format!("https://a.vn/rss/{i}.rss"), "a"))
        .collect();
    store.put_fetch_cache("a", &a).await.unwrap();
    let others: Vec<CachedValidators> = (0..500)
        .map(|i| validators(&format!("https://portal.vn/xa-{i}/rss.xml"), "p"))
        .collect();
    for chunk in others.chunks(50) {
        let source = format!("xa-{}", chunk[0].url.len() % 7);
        store.put_fetch_cache(&source, chunk).await.unwrap();
    }
    let mut mine = store.fetch_cache("a").await.unwrap();
    mine.sort_by(|x, y| x.url.cmp(&y.url));
    assert_eq!(mine, a);
    assert!(store.fetch_cache("nobody").await.unwrap().is_empty());
    // The same URL written by source b is b's now.
    store
        .put_fetch_cache("b", &[validators("https://a.vn/rss/0.rss", "b")])
        .await
        .unwrap();
    assert_eq!(store.fetch_cache("a").await.unwrap().len(), 2);
    assert_eq!(
        store.fetch_cache("b").await.unwrap(),
        vec![validators("https://a.vn/rss/0.rss", "b")]
    );
}

#[tokio::test]
async fn a_run_reads_only_its_own_validators_on_sqlite() {
    let (_dir, url) = db_support::sqlite_url();
    own_validators(store::open(&url, 2).await.unwrap()).await;
}

#[tokio::test]
async fn a_run_reads_only_its_own_validators_on_postgres() {
    let Some(url) = db_support::postgres_url("a_run_reads_only_its_own_validators").await else {
        return;
    };
    own_validators(store::open(&url, 2).await.unwrap()).await;
}
