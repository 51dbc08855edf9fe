//! Source leases: the claim rules through the store on both backends, and two real `chiso run`
//! processes sharing one PostgreSQL database: every article fetched and stored once, every alert
//! sent once, no source crawled twice in a slot, both instances doing work, and the sources of an
//! instance killed with SIGKILL taken over once its lease expires.

mod db_support;
mod support;

use chiso::store::{self, Claim, LeaseRequest, SourceRow, Store};
use chrono::{Duration as Span, Utc};
use std::collections::{BTreeMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::server::{Resp, TestServer};

/// Upper bound for anything the tests wait for; generous because CI machines are shared.
const PATIENCE: Duration = Duration::from_secs(120);

/// Migrates the store and records one enabled source named "s".
async fn migrate_with_source(store: &Arc<dyn Store>) {
    store.migrate().await.unwrap();
    store
        .sync_sources(&[SourceRow {
            name: "s".into(),
            province: "Hà Tĩnh".into(),
            base_url: "http://127.0.0.1/".into(),
            enabled: true,
        }])
        .await
        .unwrap();
}

async fn claim_rules(store: Arc<dyn Store>) {
    migrate_with_source(&store).await;
    let now = Utc::now();
    let slot = now - Span::seconds(1);
    let req = |instance: &'static str, now, slot| LeaseRequest {
        source: "s",
        instance,
        now,
        slot_start: slot,
        lease_until: now + Span::seconds(30),
        next_run_at: None,
    };
    assert_eq!(
        store
            .claim_source(&req("a", now, Some(slot)))
            .await
            .unwrap(),
        Claim::Claimed {
            took_over_from: None
        }
    );
    // A live lease keeps another instance out, even for a manual run.
    assert!(matches!(
        store.claim_source(&req("b", now, None)).await.unwrap(),
        Claim::Leased { ref owner, .. } if owner == "a"
    ));
    assert!(store
        .renew_source_lease("s", "a", now + Span::seconds(30))
        .await
        .unwrap());
    assert!(!store
        .renew_source_lease("s", "b", now + Span::seconds(30))
        .await
        .unwrap());
    // Released: the slot is done, the next slot is free.
    assert!(store.release_source_lease("s", "a").await.unwrap());
    assert!(matches!(
        store
            .claim_source(&req("b", now, Some(slot)))
            .await
            .unwrap(),
        Claim::Done { .. }
    ));
    let later = now + Span::seconds(10);
    assert_eq!(
        store
            .claim_source(&req("b", later, Some(later)))
            .await
            .unwrap(),
        Claim::Claimed {
            took_over_from: None
        }
    );
    // b dies holding its lease (with an open run); after expiry a takes over and closes the run.
    let run = store.start_run("s", "b").await.unwrap();
    let expired = later + Span::seconds(31);
    assert!(matches!(
        store
            .claim_source(&req("a", later + Span::seconds(5), None))
            .await
            .unwrap(),
        Claim::Leased { .. }
    ));
    assert_eq!(
        store
            .claim_source(&req("a", expired, Some(expired)))
            .await
            .unwrap(),
        Claim::Claimed {
            took_over_from: Some("b".into())
        }
    );
    assert!(!store.release_source_lease("s", "b").await.unwrap());
    let status = store.source_status().await.unwrap();
    assert_eq!(
        status[0].last_status.as_deref(),
        Some("interrupted"),
        "run {run}"
    );
    assert_eq!(store.release_source_leases("a").await.unwrap(), 1);
}

#[tokio::test]
async fn claim_rules_on_sqlite() {
    let (_dir, url) = db_support::sqlite_url();
    claim_rules(store::open(&url, 2).await.unwrap()).await;
}

#[tokio::test]
async fn claim_rules_on_postgres() {
    let Some(url) = db_support::postgres_url("claim_rules").await else {
        return;
    };
    claim_rules(store::open(&url, 2).await.unwrap()).await;
}

/// On PostgreSQL a claim skips a row another transaction holds locked instead of waiting for it.
#[tokio::test]
async fn a_locked_row_is_busy_then_claimable_on_postgres() {
    let Some(url) = db_support::postgres_url("locked_row").await else {
        return;
    };
    let store = store::open(&url, 2).await.unwrap();
    migrate_with_source(&store).await;
    use sqlx::Connection;
    let mut other = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut tx = other.begin().await.unwrap();
    sqlx::query("SELECT name FROM sources WHERE name = 's' FOR UPDATE")
        .execute(&mut *tx)
        .await
        .unwrap();
    let now = Utc::now();
    let req = LeaseRequest {
        source: "s",
        instance: "a",
        now,
        slot_start: Some(now),
        lease_until: now + Span::seconds(30),
        next_run_at: None,
    };
    assert_eq!(store.claim_source(&req).await.unwrap(), Claim::Busy);
    tx.rollback().await.unwrap();
    assert_eq!(
        store.claim_source(&req).await.unwrap(),
        Claim::Claimed {
            took_over_from: None
        }
    );
}

const SOURCES: u32 = 4;

fn article(source: u32, id: u32) -> String {
    format!(
        r#"<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Tin {source}-{id}</title></head>
<body><article><h1 class="t">Huyện Kỳ Anh: tin {source}-{id}</h1>
<time datetime="2024-01-06T08:00:00">06/01/2024 08:00</time>
<div class="b"><p>Năm 2023, tổng giá trị sản phẩm của huyện Kỳ Anh đạt {id}.850,26 tỷ đồng, tăng 14,62% so với năm 2022.</p>
<p>Tin số {id} của nguồn {source}, viết cho bài kiểm thử.</p></div></article></body></html>"#
    )
}

fn path(source: u32, id: u32) -> String {
    format!("/s{source}/tin-{id}-post{id}.html")
}

/// Serves source `source`'s feed listing `ids`, and their pages.
fn serve(server: &TestServer, source: u32, ids: &[u32]) {
    let base = server.base();
    let items: String = ids
        .iter()
        .map(|id| {
            format!(
                "<item><title>Tin {id}</title><link>{base}{}</link></item>",
                path(source, *id)
            )
        })
        .collect();
    server.route(
        &format!("/s{source}/rss.xml"),
        Resp::ok(format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>{base}/</link><description>d</description>{items}</channel></rss>"#
        ))
        .header("Content-Type", "application/rss+xml"),
    );
    for &id in ids {
        server.route(
            &path(source, id),
            Resp::ok(article(source, id)).header("Content-Type", "text/html; charset=utf-8"),
        );
    }
}

fn config(db: &str, base: &str, hook: &str) -> String {
    let mut cfg = format!(
        r#"[database]
url = "{db}"
[http]
min_interval_ms = 10
timeout_s = 20
max_retries = 0
[schedule]
jitter_s = 4
lease_s = 6
[daemon]
listen = ""
shutdown_timeout_s = 3
[[alert]]
url = "json://{hook}/hook"
name = "team"
min_facts = 0
"#
    );
    for n in 1..=SOURCES {
        cfg += &format!(
            r#"
[[source]]
name = "s{n}"
province = "Hà Tĩnh"
base_url = "{base}"
schedule = "*/10 * * * * *"
feeds = ["/s{n}/rss.xml"]
article_pattern = '-post\d+\.html$'
[source.selectors]
title = "h1.t"
published = "time[datetime]"
body = ".b"
"#
        );
    }
    cfg
}

struct Instance {
    child: Child,
    log: std::path::PathBuf,
}

impl Instance {
    fn start(dir: &std::path::Path, name: &str, cfg: &str) -> Instance {
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, cfg).unwrap();
        let log = dir.join(format!("{name}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_chiso"))
            .arg("--config")
            .arg(&path)
            .arg("run")
            .env("RUST_LOG", "chiso=debug,warn")
            .env_remove("CHISO_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        Instance { child, log }
    }

    /// Its name on leases and crawl runs ends with its process id.
    fn owns(&self, owner: &str) -> bool {
        owner.ends_with(&format!("-{}", self.child.id()))
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn rows(url: &str, sql: &str) -> Vec<Vec<String>> {
    try_rows(url, sql).await.unwrap()
}

/// Rows of a query, or the error (the schema does not exist before the daemons migrated it).
async fn try_rows(url: &str, sql: &str) -> Result<Vec<Vec<String>>, sqlx::Error> {
    use sqlx::{Connection, Row};
    let mut c = sqlx::PgConnection::connect(url).await?;
    let rows = sqlx::query(sql).fetch_all(&mut c).await?;
    Ok(rows
        .iter()
        .map(|r| {
            (0..r.columns().len())
                .map(|i| {
                    r.try_get::<String, _>(i)
                        .or_else(|_| r.try_get::<i64, _>(i).map(|v| v.to_string()))
                        .or_else(|_| r.try_get::<f64, _>(i).map(|v| v.to_string()))
                        .unwrap_or_else(|_| "NULL".into())
                })
                .collect()
        })
        .collect())
}

/// The single number a query returns; -1 while the tables do not exist yet.
async fn count(url: &str, sql: &str) -> i64 {
    match try_rows(url, sql).await {
        Ok(rows) => rows[0][0].parse().unwrap(),
        Err(_) => -1,
    }
}

/// Waits until `pred` holds, polling every 300 ms.
async fn wait_for<F, Fut>(what: &str, logs: &[&Instance], mut pred: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !pred().await {
        if start.elapsed() > PATIENCE {
            let logs: Vec<String> = logs.iter().map(|i| i.log()).collect();
            panic!(
                "timed out waiting for {what}; logs:\n{}",
                logs.join("\n-----\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_the_sources_and_take_over_a_killed_one() {
    let Some(db) = db_support::postgres_url("two_instances").await else {
        return;
    };
    let server = TestServer::start().await;
    for n in 1..=SOURCES {
        serve(&server, n, &[1, 2, 3]);
    }
    server.route("/hook", Resp::ok("ok"));
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&db, &server.base(), &server.addr.to_string());
    let a = Instance::start(dir.path(), "a", &cfg);
    let b = Instance::start(dir.path(), "b", &cfg);

    // Both instances start, crawl at start and on schedule; each slot goes to one of them.
    let expected = i64::from(SOURCES * 3);
    wait_for("the first articles", &[&a, &b], || async {
        count(&db, "SELECT COUNT(*) FROM articles").await == expected
    })
    .await;
    wait_for("runs by both instances", &[&a, &b], || async {
        let owners = try_rows(
            &db,
            "SELECT DISTINCT instance FROM crawl_runs WHERE status = 'ok'",
        )
        .await
        .unwrap_or_default();
        owners.iter().any(|r| a.owns(&r[0])) && owners.iter().any(|r| b.owns(&r[0]))
    })
    .await;

    // A new article of s4 is slow: whoever crawls s4 holds its lease while waiting, and is killed.
    serve(&server, 4, &[1, 2, 3, 4]);
    server.route(
        &path(4, 4),
        Resp::ok(article(4, 4)).delay(Duration::from_secs(600)),
    );
    wait_for("the slow page requested", &[&a, &b], || async {
        !server.requests_to(&path(4, 4)).is_empty()
    })
    .await;
    let owner = rows(&db, "SELECT lease_owner FROM sources WHERE name = 's4'").await[0][0].clone();
    let (mut dead, survivor) = if a.owns(&owner) { (a, b) } else { (b, a) };
    assert!(dead.owns(&owner), "s4 leased by {owner}");
    dead.child.kill().unwrap(); // SIGKILL
    dead.child.wait().unwrap();
    let dead_pid = dead.child.id();

    // The page answers again and every source gets a new article: the survivor crawls them all,
    // s4 once the dead instance's lease has expired.
    server.route(
        &path(4, 4),
        Resp::ok(article(4, 4)).header("Content-Type", "text/html; charset=utf-8"),
    );
    for n in 1..=3 {
        serve(&server, n, &[1, 2, 3, 5]);
    }
    let expected = expected + i64::from(SOURCES);
    wait_for(
        "the new articles stored by the survivor",
        &[&survivor],
        || async { count(&db, "SELECT COUNT(*) FROM articles").await == expected },
    )
    .await;
    assert!(
        survivor.log().contains("source taken over"),
        "{}",
        survivor.log()
    );
    let abandoned = rows(
        &db,
        "SELECT instance FROM crawl_runs WHERE source = 's4' AND status = 'interrupted' \
         AND message LIKE 'lease expired%'",
    )
    .await;
    assert_eq!(abandoned.len(), 1, "{abandoned:?}");
    assert!(abandoned[0][0].ends_with(&format!("-{dead_pid}")));

    // Every alert delivered once.
    wait_for("one alert per article", &[&survivor], || async {
        server.requests_to("/hook").len() as i64 >= expected
    })
    .await;
    let survivor_pid = survivor.child.id();
    drop(survivor);

    // Every article page fetched once; the slow one twice (the dead instance never got it).
    for n in 1..=SOURCES {
        let ids: &[u32] = if n == 4 { &[1, 2, 3, 4] } else { &[1, 2, 3, 5] };
        for &id in ids {
            let want = if (n, id) == (4, 4) { 2 } else { 1 };
            assert_eq!(
                server.requests_to(&path(n, id)).len(),
                want,
                "requests of {}",
                path(n, id)
            );
        }
    }
    let hooks = server.requests_to("/hook");
    let keys: HashSet<_> = hooks
        .iter()
        .filter_map(|r| r.header("idempotency-key"))
        .collect();
    assert_eq!(keys.len(), hooks.len(), "an alert was delivered twice");
    assert_eq!(keys.len() as i64, expected);

    // No source crawled twice in one slot; each run fetched its feed once.
    let runs = rows(
        &db,
        "SELECT source, instance, FLOOR(EXTRACT(EPOCH FROM started_at) / 10)::BIGINT FROM crawl_runs",
    )
    .await;
    let mut per_slot: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in &runs {
        per_slot
            .entry((r[0].clone(), r[2].clone()))
            .or_default()
            .push(r[1].clone());
    }
    for (k, owners) in &per_slot {
        assert_eq!(owners.len(), 1, "slot {k:?} crawled by {owners:?}");
    }
    for n in 1..=SOURCES {
        let feed = server.requests_to(&format!("/s{n}/rss.xml")).len();
        let runs = runs.iter().filter(|r| r[0] == format!("s{n}")).count();
        assert!(feed <= runs, "s{n}: {feed} feed requests for {runs} runs");
    }
    // The survivor did work after the kill on every source.
    for n in 1..=SOURCES {
        let after = rows(
            &db,
            &format!(
                "SELECT COUNT(*) FROM crawl_runs WHERE source = 's{n}' AND instance LIKE '%-{survivor_pid}' AND new_articles > 0"
            ),
        )
        .await;
        assert_ne!(
            after[0][0], "0",
            "s{n} never crawled with news by the survivor"
        );
    }
}

/// The same code path on SQLite: two `chiso run` processes sharing one file split the work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_sqlite_file_fetch_each_article_once() {
    let server = TestServer::start().await;
    for n in 1..=SOURCES {
        serve(&server, n, &[1, 2, 3]);
    }
    server.route("/hook", Resp::ok("ok"));
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("chiso.db").display());
    let cfg = config(&db, &server.base(), &server.addr.to_string());
    let a = Instance::start(dir.path(), "a", &cfg);
    let b = Instance::start(dir.path(), "b", &cfg);
    let sqlite = |sql: &'static str| {
        let db = db.clone();
        async move {
            use sqlx::Connection;
            let mut c = sqlx::SqliteConnection::connect(&db).await.ok()?;
            sqlx::query_as::<_, (String, String, String)>(sql)
                .fetch_all(&mut c)
                .await
                .ok()
        }
    };
    // Every article stored, runs by both instances (at start or in the next slots).
    wait_for("articles and runs by both instances", &[&a, &b], || async {
        let Some(runs) = sqlite("SELECT source, instance, started_at FROM crawl_runs").await else {
            return false;
        };
        let stored = sqlite("SELECT url, source, fetched_at FROM articles")
            .await
            .map_or(0, |r| r.len());
        stored == (SOURCES * 3) as usize
            && runs.iter().any(|r| a.owns(&r.1))
            && runs.iter().any(|r| b.owns(&r.1))
    })
    .await;
    drop(a);
    drop(b);
    for n in 1..=SOURCES {
        for id in 1..=3 {
            assert_eq!(server.requests_to(&path(n, id)).len(), 1, "{}", path(n, id));
        }
    }
    let runs = sqlite("SELECT source, instance, started_at FROM crawl_runs")
        .await
        .unwrap();
    let mut per_slot: BTreeMap<(String, i64), Vec<String>> = BTreeMap::new();
    for (source, instance, started) in runs {
        let t = chrono::DateTime::parse_from_rfc3339(&started).unwrap();
        per_slot
            .entry((source, t.timestamp().div_euclid(10)))
            .or_default()
            .push(instance);
    }
    for (k, owners) in &per_slot {
        assert_eq!(owners.len(), 1, "slot {k:?} crawled by {owners:?}");
    }
}
