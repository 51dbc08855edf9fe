//! `chiso backfill` through the binary: an `archive_url` template read day by day, pages stored
//! under another canonical URL not fetched again, `--all`, alert rows only with `--alerts`, and
//! bad arguments exiting 2 with a message naming the flag or the source.

#[path = "fixtures/backfill/archive.rs"]
mod archive;
#[path = "fixtures/backfill/harness.rs"]
mod harness;
mod support;

use archive::Entry;
use harness::*;
use std::collections::HashSet;
use support::server::TestServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_exit_2_naming_the_flag_or_the_source() {
    let server = TestServer::start_on("127.0.0.8").await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("chiso.db");
    let config = dir.path().join("chiso.toml");
    let off = archive::source("eteint", &server.base()).replace(
        "max_listing_pages = 1\n",
        "max_listing_pages = 1\nenabled = false\n",
    );
    std::fs::write(
        &config,
        archive::config(&db, 0, 3, &[archive::source("luutru", &server.base()), off]),
    )
    .unwrap();
    let cases: [(&[&str], &str); 6] = [
        (&["--source", "luutru", "--since", "2024-13-01"], "--since"),
        (
            &[
                "--source",
                "luutru",
                "--since",
                "2024-01-01",
                "--until",
                "31/12/2024",
            ],
            "--until",
        ),
        (
            &[
                "--source",
                "luutru",
                "--since",
                "2024-06-01",
                "--until",
                "2024-05-31",
            ],
            "--until 2024-05-31 is before --since 2024-06-01",
        ),
        (
            &["--source", "khongco", "--since", "2024-01-01"],
            "\"khongco\"",
        ),
        (
            &["--source", "eteint", "--since", "2024-01-01"],
            "\"eteint\" is disabled",
        ),
        (&["--since", "2024-01-01"], "--source NAME or --all"),
    ];
    for (args, needle) in cases {
        let mut full = vec!["backfill"];
        full.extend_from_slice(args);
        let out = chiso(&config, &full).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    assert!(server.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_stored_under_another_canonical_url_are_not_fetched_again() {
    let server = TestServer::start_on("127.0.0.11").await;
    let all = archive::entries(2024, 2025, 14);
    // Only the listing, which links a second URL of each article (`/m/...`); the page's
    // canonical link names the first.
    archive::serve_with(&server, &all, "/m");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("chiso.db");
    let config = dir.path().join("chiso.toml");
    let source = archive::source("luutru", &server.base())
        .replace("feeds = [\"/rss/home.rss\"]\n", "")
        .replace("sitemaps = [\"/sitemap.xml\"]\n", "");
    std::fs::write(&config, archive::config(&db, 0, 3, &[source])).unwrap();
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
    let (got, _) = stored(&db).await;
    let year: Vec<&Entry> = all.iter().filter(|e| e.year() == 2025).collect();
    assert_eq!(got.keys().cloned().collect::<HashSet<_>>(), paths_of(&year));
    let first = server.requests().len();
    assert!(article_requests(&server.requests())
        .iter()
        .all(|p| p.starts_with("/m/")));

    let out = chiso(&config, &args).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let again = article_requests(&server.requests()[first..]);
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_url_template_is_read_day_by_day_over_the_range() {
    let server = TestServer::start_on("127.0.0.12").await;
    let all = archive::entries(2023, 2025, 5);
    archive::serve(&server, &all);
    archive::serve_day_archive(&server, &all);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("chiso.db");
    let config = dir.path().join("chiso.toml");
    // The archive alone: no feed, sitemap or listing.
    let source = archive::source("luutru", &server.base())
        .replace("feeds = [\"/rss/home.rss\"]\n", "")
        .replace("sitemaps = [\"/sitemap.xml\"]\n", "")
        .replace(
            "listings = [\"/kinh-te/\"]\n",
            "archive_url = \"/luu-tru/{year}/{month}/{day}/\"\n",
        );
    std::fs::write(&config, archive::config(&db, 0, 3, &[source])).unwrap();
    let args = [
        "backfill",
        "--source",
        "luutru",
        "--since",
        "2024-03-01",
        "--until",
        "2024-04-30",
    ];
    let out = chiso(&config, &args).await;
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let range: Vec<&Entry> = all
        .iter()
        .filter(|e| e.at.0 == 2024 && (3..=4).contains(&e.at.1))
        .collect();
    assert!(range.len() >= 10);
    let (got, facts) = stored(&db).await;
    assert_eq!(
        got.keys().cloned().collect::<HashSet<_>>(),
        paths_of(&range)
    );
    assert_eq!(facts, 2 * range.len() as i64);
    let log = server.requests();
    // One archive page per day of the range (61 days), days without news answering 404.
    let days: HashSet<&str> = log
        .iter()
        .filter(|r| r.path.starts_with("/luu-tru/"))
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(days.len(), 61);
    assert!(days.contains("/luu-tru/2024/03/01/"));
    assert_eq!(article_requests(&log).len(), range.len());

    // Read to the end, every archive day is recorded: a second run fetches nothing of it.
    let out = chiso(&config, &args).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let again: Vec<String> = server.requests()[log.len()..]
        .iter()
        .map(|r| r.path.clone())
        .filter(|p| p != "/robots.txt")
        .collect();
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_fills_every_enabled_source_one_after_another() {
    let one = TestServer::start_on("127.0.0.13").await;
    let two = TestServer::start_on("127.0.0.14").await;
    let off = TestServer::start_on("127.0.0.15").await;
    let all = archive::entries(2024, 2025, 20);
    for s in [&one, &two, &off] {
        archive::serve(s, &all);
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("chiso.db");
    let config = dir.path().join("chiso.toml");
    let disabled = archive::source("tat", &off.base()).replace(
        "max_listing_pages = 1\n",
        "max_listing_pages = 1\nenabled = false\n",
    );
    std::fs::write(
        &config,
        archive::config(
            &db,
            0,
            3,
            &[
                archive::source("mot", &one.base()),
                archive::source("hai", &two.base()),
                disabled,
            ],
        ),
    )
    .unwrap();
    let out = chiso(
        &config,
        &[
            "backfill",
            "--all",
            "--since",
            "2025-01-01",
            "--until",
            "2025-12-31",
        ],
    )
    .await;
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    let year = all.iter().filter(|e| e.year() == 2025).count();
    let p = pool(&db).await;
    let per_source: Vec<(String, i64)> =
        sqlx::query_as("SELECT source, count(*) FROM articles GROUP BY source ORDER BY source")
            .fetch_all(&p)
            .await
            .unwrap();
    p.close().await;
    assert_eq!(
        per_source,
        [
            ("hai".to_string(), year as i64),
            ("mot".to_string(), year as i64)
        ]
    );
    assert!(off.requests().is_empty(), "a disabled source is left alone");
    assert!(stdout.lines().any(|l| l.starts_with("mot ")), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("hai ")), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_writes_no_alert_rows_unless_alerts_is_given() {
    let server = TestServer::start_on("127.0.0.16").await;
    let all = archive::entries(2024, 2025, 20);
    archive::serve(&server, &all);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("chiso.db");
    let config = dir.path().join("chiso.toml");
    let channel =
        "\n[[alert]]\nname = \"team\"\nurl = \"json://127.0.0.1:9/hook\"\nmin_facts = 0\n";
    std::fs::write(
        &config,
        archive::config(&db, 0, 3, &[archive::source("luutru", &server.base())]) + channel,
    )
    .unwrap();
    let alerts = || async {
        let p = pool(&db).await;
        let n: (i64,) = sqlx::query_as("SELECT count(*) FROM alerts")
            .fetch_one(&p)
            .await
            .unwrap();
        p.close().await;
        n.0
    };
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
    let stored_2024 = stored(&db).await.0.len();
    assert!(stored_2024 > 0);
    assert_eq!(alerts().await, 0, "history is not news");

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
            "--alerts",
        ],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stored_2025 = stored(&db).await.0.len() - stored_2024;
    assert_eq!(
        alerts().await,
        stored_2025 as i64,
        "one row per new article and channel"
    );
}
