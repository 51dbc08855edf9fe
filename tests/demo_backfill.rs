//! `chiso demo --db FILE` through the binary: the built-in site is crawled, its archive
//! backfilled, and the sample trend spans the archive's years.

use sqlx::SqlitePool;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_backfills_its_archive_and_its_trend_spans_the_years() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db_arg = db.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_chiso"))
            .arg("demo")
            .arg("--db")
            .arg(&db_arg)
            .env_remove("CHISO_DATABASE_URL")
            .env_remove("CHISO_CONFIG")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.starts_with("backfill baodemo since 2019-01-01:"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains(" 5 stored,"), "{line}");
    assert!(line.contains(" 0 error(s)"), "{line}");
    assert!(
        stdout.contains("indicator_series for huyện Thạch Hà (2019–2024):"),
        "{stdout}"
    );

    let pool = SqlitePool::connect(&format!("sqlite://{}?mode=ro", db.display()))
        .await
        .unwrap();
    let years: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT year FROM facts WHERE indicator = 'income_per_capita' \
         AND kind = 'actual' AND area = 'huyện Thạch Hà' ORDER BY year",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let years: Vec<i64> = years.into_iter().map(|(y,)| y).collect();
    assert_eq!(years, [2019, 2020, 2021, 2022, 2023, 2024]);
    // History is not news: the demo writes no alert rows.
    let alerts: (i64,) = sqlx::query_as("SELECT count(*) FROM alerts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(alerts.0, 0);
}
