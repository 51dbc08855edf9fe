//! Databases for tests: a temporary SQLite file, and a fresh schema on the PostgreSQL server named
//! by `CHISO_TEST_POSTGRES_URL` (set by `.ci/run`). Without that variable PostgreSQL tests print
//! that they were skipped, except under `CI=true`, where a missing server fails the test. Each
//! PostgreSQL test that gets a server appends its name to the file named by
//! `CHISO_TEST_POSTGRES_LOG` when set, so that `.ci/run` can say how many ran.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

/// The environment variable naming the PostgreSQL server for tests.
pub const PG_ENV: &str = "CHISO_TEST_POSTGRES_URL";

/// A SQLite URL in a fresh temporary folder (kept alive by the returned guard).
pub fn sqlite_url() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/nested/chiso.db", dir.path().display());
    (dir, url)
}

/// A URL for a schema of its own on the test PostgreSQL server, or `None` (with a note on stderr)
/// when no server is configured.
pub async fn postgres_url(test: &str) -> Option<String> {
    let Ok(base) = std::env::var(PG_ENV) else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "{test} needs PostgreSQL and CI=true: set {PG_ENV}=postgres://user:pass@host/db"
            );
        }
        eprintln!("skipped: {test} needs PostgreSQL; set {PG_ENV}=postgres://user:pass@host/db");
        return None;
    };
    if let Ok(log) = std::env::var("CHISO_TEST_POSTGRES_LOG") {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = writeln!(f, "{test}");
        }
    }
    static N: AtomicU32 = AtomicU32::new(0);
    let schema = format!(
        "t_{}_{}_{}",
        test.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&base)
        .await
        .expect("CHISO_TEST_POSTGRES_URL is set but the server cannot be reached");
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&mut conn)
        .await
        .expect("drop schema");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .await
        .expect("create schema");
    let sep = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{sep}options=-c%20search_path%3D{schema}"))
}

/// A row of the `indicator_series` view, read with SQL as a `sqlite3` or `psql` user would.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewRow {
    pub year: Option<i64>,
    pub period: Option<String>,
    pub kind: String,
    pub value: f64,
    pub reports: i64,
    pub disagree: bool,
    pub article_url: String,
}

/// The `indicator_series` rows of one area and indicator, oldest period first.
pub async fn indicator_series(url: &str, area: &str, indicator: &str) -> Vec<ViewRow> {
    use sqlx::Connection;
    // Integer widths differ between the backends' views; the casts make them one type.
    const SQL: &str = "SELECT CAST(year AS BIGINT), period, kind, value, CAST(reports AS BIGINT), \
        CAST(CASE WHEN disagree THEN 1 ELSE 0 END AS BIGINT), article_url FROM indicator_series \
        WHERE area = $1 AND indicator = $2 ORDER BY year, period, kind";
    type Raw = (Option<i64>, Option<String>, String, f64, i64, i64, String);
    let raw: Vec<Raw> = if url.starts_with("postgres") {
        let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::query_as(SQL)
            .bind(area)
            .bind(indicator)
            .fetch_all(&mut c)
            .await
            .expect("indicator_series")
    } else {
        let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::query_as(SQL)
            .bind(area)
            .bind(indicator)
            .fetch_all(&mut c)
            .await
            .expect("indicator_series")
    };
    raw.into_iter()
        .map(
            |(year, period, kind, value, reports, disagree, article_url)| ViewRow {
                year,
                period,
                kind,
                value,
                reports,
                disagree: disagree != 0,
                article_url,
            },
        )
        .collect()
}
