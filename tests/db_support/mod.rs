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
