//! `chiso backfill` through the binary against a local site with three years of history (a
//! monthly sitemap index, a deep paginated listing with dates, a short feed): a one-year backfill
//! stores exactly that year's articles (by the publication day in Asia/Ho_Chi_Minh) with their
//! facts and fetches no article page outside the year; a second run fetches no article page; a
//! run killed with SIGKILL at about 40 % and started again stores everything exactly once without
//! fetching again what it stored; two requests to the host are never closer than
//! `min_interval_ms`; `crawl --once` afterwards fetches no article page; `--dry-run` counts per
//! month without fetching articles; beside a running `chiso run` on the same database (which
//! finds the source leased and leaves it), no page is requested twice; the same on PostgreSQL.
//! The server counts requests per path. Other backfill behaviours: `backfill_sources.rs`.

#[path = "fixtures/backfill/archive.rs"]
mod archive;
mod db_support;
#[path = "fixtures/backfill/harness.rs"]
mod harness;
mod support;

use archive::Entry;
use harness::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use support::server::{Recorded, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_year_backfill_stores_that_year_only_and_a_second_run_fetches_no_article() {
    let server = TestServer::start_on("127.0.0.5").await;
    let all = archive::entries(2023, 2025, 7);
    archive::serve(&server, &all);
    let dir = tempfile::tempdir().unwrap();
    let interval = 60;
    let (config, db) = setup(dir.path(), &server, interval, 3);

    let out = chiso(
        &config,
        &[
            "backfill",
            "--source",
            "luutru",
            "--since",
            "2024-01-01",
            "--until",
            "2024-12-31",
        ],
    )
    .await;
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");

    // Exactly the articles of 2024 by their day in Vietnam: the one at 00:15 on 1 January 2024
    // (31 December in UTC) in, the one at 23:30 on 31 December 2023 out.
    let year: Vec<&Entry> = all.iter().filter(|e| e.year() == 2024).collect();
    let (got, facts) = stored(&db).await;
    let got_paths: HashSet<String> = got.keys().cloned().collect();
    assert_eq!(got_paths, paths_of(&year), "stdout:\n{stdout}");
    assert!(year.iter().any(|e| e.at == (2024, 1, 1, 0, 15)));
    for e in &year {
        assert_eq!(got[&e.path()], e.published(), "{}", e.path());
    }
    assert_eq!(facts, 2 * year.len() as i64, "two facts per article");

    // No article page outside the year was fetched (sitemap children named for other months
    // skipped unread, listing links dated outside the year skipped), none twice.
    let first_log = server.requests();
    let fetched = article_requests(&first_log);
    let outside: Vec<&String> = fetched
        .iter()
        .filter(|p| !paths_of(&year).contains(*p))
        .collect();
    assert!(outside.is_empty(), "fetched outside 2024: {outside:?}");
    assert_eq!(fetched.len(), year.len(), "each article page once");
    // Sitemap children of 2023 and 2025 were never read.
    for r in &first_log {
        assert!(
            !r.path.starts_with("/sitemaps/news-2023-")
                && !r.path.starts_with("/sitemaps/news-2025-"),
            "read {}",
            r.path
        );
    }
    // No alert rows (no channel is configured either; the outbox stays empty).
    let p = pool(&db).await;
    let alerts: (i64,) = sqlx::query_as("SELECT count(*) FROM alerts")
        .fetch_one(&p)
        .await
        .unwrap();
    assert_eq!(alerts.0, 0);
    p.close().await;

    // Politeness: never two requests to the host closer than min_interval_ms (with the same
    // scheduling slack as the crawl test, between the limiter's instant and the arrival).
    // Slack between the limiter's start instant and the server's arrival instant: the
    // connection and the scheduler add a few milliseconds, more on a busy machine (a 17 ms
    // late arrival was seen once under CI load); a broken limiter shows gaps near zero.
    let slack = Duration::from_millis(50);
    for pair in first_log.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap + slack >= Duration::from_millis(interval),
            "{} then {} only {gap:?} apart",
            pair[0].path,
            pair[1].path
        );
    }

    // A second run fetches no article page and stores nothing new.
    let out = chiso(
        &config,
        &[
            "backfill",
            "--source",
            "luutru",
            "--since",
            "2024-01-01",
            "--until",
            "2024-12-31",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let second: Vec<Recorded> = server.requests()[first_log.len()..].to_vec();
    assert!(
        article_requests(&second).is_empty(),
        "{:?}",
        article_requests(&second)
    );
    assert!(
        second.iter().all(|r| !r.path.starts_with("/sitemaps/")),
        "sitemap children read to the end are not read again: {:?}",
        second.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    assert_eq!(stored(&db).await.0.len(), year.len());

    // The rest of the history (2025), then a crawl: it finds everything its feed, sitemap and
    // listing name stored and fetches no article page.
    let out = chiso(
        &config,
        &[
            "backfill",
            "--source",
            "luutru",
            "--since",
            "2025-01-01",
            "--until",
            "2025-12-31",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before_crawl = server.requests().len();
    let out = chiso(&config, &["crawl", "--once", "--source", "luutru"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let crawl_log: Vec<Recorded> = server.requests()[before_crawl..].to_vec();
    assert!(crawl_log.iter().any(|r| r.path == "/sitemap.xml"));
    assert!(
        article_requests(&crawl_log).is_empty(),
        "{:?}",
        article_requests(&crawl_log)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_counts_articles_per_month_without_fetching_them() {
    let server = TestServer::start_on("127.0.0.6").await;
    let all = archive::entries(2023, 2025, 7);
    archive::serve(&server, &all);
    let dir = tempfile::tempdir().unwrap();
    let (config, db) = setup(dir.path(), &server, 0, 3);
    let out = chiso(
        &config,
        &[
            "backfill",
            "--source",
            "luutru",
            "--since",
            "2024-03-01",
            "--until",
            "2024-04-30",
            "--dry-run",
        ],
    )
    .await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}\n{}", stdout, text(&out.stderr));
    assert!(article_requests(&server.requests()).is_empty());
    for month in ["2024-03", "2024-04"] {
        let n = all
            .iter()
            .filter(|e| format!("{:04}-{:02}", e.at.0, e.at.1) == month)
            .count();
        assert!(
            stdout.lines().any(|l| l.trim() == format!("{month}  {n}")),
            "{month} {n}:\n{stdout}"
        );
    }
    assert!(!stdout.contains("2024-05"), "{stdout}");
    assert!(stored(&db).await.0.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_killed_at_40_percent_resumes_and_stores_everything_once() {
    let server = TestServer::start_on("127.0.0.7").await;
    let all = archive::entries(2023, 2025, 9);
    archive::serve(&server, &all);
    let dir = tempfile::tempdir().unwrap();
    let (config, db) = setup(dir.path(), &server, 25, 3);
    let args = [
        "--config",
        config.to_str().unwrap(),
        "backfill",
        "--source",
        "luutru",
        "--since",
        "2023-01-01",
        "--until",
        "2025-12-31",
    ];
    let mut child = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(args)
        .env_remove("CHISO_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it (SIGKILL, no chance to clean up) once about 40 % of the articles are stored.
    let target = all.len() * 2 / 5;
    let mut reached = false;
    for _ in 0..6000 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        let n = try_count(&db).await;
        if n.is_some_and(|n| n >= target) {
            reached = true;
            break;
        }
    }
    // SIGKILL (also when the target was never reached, so that no process outlives the test).
    let _ = child.kill();
    let _ = child.wait();
    assert!(reached, "the stored count never reached {target}");
    let at_kill = stored(&db).await.0;
    assert!(at_kill.len() >= target, "the run was not killed midway");
    assert!(
        at_kill.len() < all.len(),
        "killed too late: {}",
        at_kill.len()
    );
    let before_restart = server.requests().len();

    // The same command again: it waits for the dead process's lease to expire, then continues.
    let owned: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_chiso"))
            .args(owned)
            .env_remove("CHISO_DATABASE_URL")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    let (got, facts) = stored(&db).await;
    let want: HashSet<String> = all.iter().map(Entry::path).collect();
    assert_eq!(got.keys().cloned().collect::<HashSet<_>>(), want);
    assert_eq!(
        facts,
        2 * all.len() as i64,
        "every article's facts stored once"
    );
    // Nothing stored before the kill was fetched again.
    let again = article_requests(&server.requests()[before_restart..]);
    let refetched: Vec<&String> = again.iter().filter(|p| at_kill.contains_key(*p)).collect();
    assert!(
        refetched.is_empty(),
        "fetched again after the restart: {refetched:?}"
    );
    // Over both runs, every article page was fetched once, but for at most the one in flight.
    let mut count: HashMap<String, usize> = HashMap::new();
    for p in article_requests(&server.requests()) {
        *count.entry(p).or_default() += 1;
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.len() <= 1, "{twice:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_a_backfill_stores_its_range_and_a_second_run_fetches_no_article() {
    let Some(url) = db_support::postgres_url("backfill_range").await else {
        return;
    };
    let server = TestServer::start_on("127.0.0.9").await;
    let all = archive::entries(2023, 2025, 14);
    archive::serve(&server, &all);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("chiso.toml");
    let text_config = archive::config(
        Path::new("unused.db"),
        0,
        3,
        &[archive::source("luutru", &server.base())],
    )
    .replace("url = \"sqlite://unused.db\"", &format!("url = \"{url}\""));
    std::fs::write(&config, text_config).unwrap();
    let args = [
        "backfill",
        "--source",
        "luutru",
        "--since",
        "2025-01-01",
        "--until",
        "2025-12-31",
    ];
    let out = chiso(&config, &args).await;
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let first = server.requests().len();
    let out = chiso(&config, &args).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(article_requests(&server.requests()[first..]).is_empty());

    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    let urls: Vec<(String,)> = sqlx::query_as("SELECT url FROM articles")
        .fetch_all(&pool)
        .await
        .unwrap();
    let got: HashSet<String> = urls
        .into_iter()
        .map(|(u,)| url::Url::parse(&u).unwrap().path().to_string())
        .collect();
    let year: Vec<&Entry> = all.iter().filter(|e| e.year() == 2025).collect();
    assert_eq!(got, paths_of(&year));
    let done: (i64,) = sqlx::query_as(
        "SELECT count(*) FROM backfill_progress WHERE source = 'luutru' \
         AND range_since = '2025-01-01' AND range_until = '2025-12-31'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(done.0 >= 12, "twelve monthly children at least: {}", done.0);
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_beside_a_running_daemon_never_doubles_a_request() {
    let server = TestServer::start_on("127.0.0.10").await;
    let all = archive::entries(2023, 2025, 9);
    archive::serve(&server, &all);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("chiso.db");
    let config = dir.path().join("chiso.toml");
    // The daemon crawls the source at start and every two seconds on the same SQLite file.
    let source = archive::source("luutru", &server.base()).replace(
        "max_listing_pages = 1\n",
        "max_listing_pages = 1\nschedule = \"*/2 * * * * *\"\n",
    );
    let text_config = archive::config(&db, 20, 3, &[source])
        .replace(
            "[schedule]\n",
            "[schedule]\njitter_s = 0\nbackoff_base_s = 1\n",
        )
        .replacen("[[source]]", "[daemon]\nlisten = \"\"\n\n[[source]]", 1);
    std::fs::write(&config, text_config).unwrap();
    let log = std::fs::File::create(dir.path().join("daemon.log")).unwrap();
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .arg("--config")
        .arg(&config)
        .arg("run")
        .env_remove("CHISO_DATABASE_URL")
        .env("RUST_LOG", "chiso=debug")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let out = chiso(
        &config,
        &[
            "backfill",
            "--source",
            "luutru",
            "--since",
            "2023-01-01",
            "--until",
            "2025-12-31",
        ],
    )
    .await;
    // A few ticks of the daemon after the backfill gave the lease back.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let _ = daemon.kill();
    let _ = daemon.wait();
    let daemon_log = std::fs::read_to_string(dir.path().join("daemon.log")).unwrap();
    assert!(
        out.status.success(),
        "{}\n{}\ndaemon:\n{daemon_log}",
        text(&out.stdout),
        text(&out.stderr)
    );

    let (got, _) = stored(&db).await;
    assert_eq!(got.len(), all.len(), "daemon:\n{daemon_log}");
    let mut count: HashMap<String, usize> = HashMap::new();
    for p in article_requests(&server.requests()) {
        *count.entry(p).or_default() += 1;
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "fetched twice: {twice:?}\ndaemon:\n{daemon_log}"
    );
    // The daemon did work on the same database meanwhile.
    let p = pool(&db).await;
    let runs: (i64,) = sqlx::query_as("SELECT count(*) FROM crawl_runs WHERE source = 'luutru'")
        .fetch_one(&p)
        .await
        .unwrap();
    p.close().await;
    assert!(runs.0 >= 1, "daemon:\n{daemon_log}");
    // The backfill (at least 20 ms × some 170 requests) outlasted a two-second tick, which found
    // the source leased and left it.
    assert!(
        daemon_log.contains("slot left to another instance"),
        "daemon:\n{daemon_log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_stops_between_pages_and_gives_the_lease_back() {
    let server = TestServer::start_on("127.0.0.17").await;
    let all = archive::entries(2023, 2025, 9);
    archive::serve(&server, &all);
    let dir = tempfile::tempdir().unwrap();
    // A long lease: only giving it back lets the next command start at once.
    let (config, db) = setup(dir.path(), &server, 25, 600);
    let args = [
        "--config",
        config.to_str().unwrap(),
        "backfill",
        "--source",
        "luutru",
        "--since",
        "2023-01-01",
        "--until",
        "2025-12-31",
    ];
    let child = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(args)
        .env_remove("CHISO_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let mut some = false;
    for _ in 0..6000 {
        tokio::time::sleep(Duration::from_millis(10)).await;
        if try_count(&db).await.is_some_and(|n| n >= 10) {
            some = true;
            break;
        }
    }
    let kill = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(some && kill.success());
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(stdout.contains("interrupted (Ctrl-C)"), "{stdout}");
    let p = pool(&db).await;
    let owner: (Option<String>,) =
        sqlx::query_as("SELECT lease_owner FROM sources WHERE name = 'luutru'")
            .fetch_one(&p)
            .await
            .unwrap();
    p.close().await;
    assert_eq!(owner.0, None, "the lease was given back");
    let partial = stored(&db).await.0.len();
    assert!(partial < all.len(), "stopped before the end");

    // The same command continues at once (a live lease would make it wait ten minutes).
    let owned: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_chiso"))
            .args(owned)
            .env_remove("CHISO_DATABASE_URL")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(stored(&db).await.0.len(), all.len());
}
