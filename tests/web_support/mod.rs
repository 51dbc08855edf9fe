//! `chiso serve` for tests: a database filled by `chiso demo`, a server on a free loopback port
//! with a configuration of only `[database]` and `[daemon]`, and GETs against it.

#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PATIENCE: Duration = Duration::from_secs(30);

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `chiso serve` process on a free loopback port, killed when dropped.
pub struct Serve {
    child: Child,
    addr: String,
    log: PathBuf,
}

impl Serve {
    /// Writes a configuration of only `[database]` and `[daemon]` and starts `chiso serve`;
    /// returns once it answers.
    pub async fn start(dir: &Path, db: &Path) -> Serve {
        let addr = format!("127.0.0.1:{}", free_port());
        let cfg = dir.join("web.toml");
        std::fs::write(
            &cfg,
            format!(
                "[database]\nurl = \"sqlite://{}\"\n\n[daemon]\nlisten = \"{addr}\"\n",
                db.display()
            ),
        )
        .unwrap();
        let log = dir.join("serve.log");
        let child = Command::new(env!("CARGO_BIN_EXE_chiso"))
            .arg("--config")
            .arg(&cfg)
            .arg("serve")
            .env_remove("CHISO_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let s = Serve { child, addr, log };
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if let Ok(r) = reqwest::get(s.url("/api/sources")).await {
                if r.status().is_success() {
                    return s;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chiso serve did not answer; log:\n{}", s.log());
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Status, content type and body of a GET.
    pub async fn get(&self, path: &str) -> (u16, String, String) {
        let r = reqwest::get(self.url(path)).await.unwrap();
        let status = r.status().as_u16();
        let ctype = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, ctype, r.text().await.unwrap())
    }

    pub async fn json(&self, path: &str) -> Value {
        let (status, ctype, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(ctype.starts_with("application/json"), "{path}: {ctype}");
        serde_json::from_str(&body).unwrap()
    }

    /// SIGTERM, then the exit code.
    pub fn stop(&mut self) -> Option<i32> {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let start = Instant::now();
        while start.elapsed() < PATIENCE {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("chiso serve did not stop; log:\n{}", self.log());
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A database filled by `chiso demo`.
pub fn demo_db(dir: &Path) -> PathBuf {
    let db = dir.join("demo.db");
    let out = Command::new(env!("CARGO_BIN_EXE_chiso"))
        .args(["demo", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db
}

/// One number from a SQLite file (a count the test compares the pages with).
pub async fn sqlite_count(db: &Path, sql: &str) -> i64 {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", db.display()))
        .await
        .unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap()
}

/// Every row of every table of a SQLite file, as text: equal before and after means nothing was
/// written (the file's bytes are no measure: closing a connection checkpoints the WAL).
pub async fn sqlite_dump(db: &Path) -> String {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", db.display()))
        .await
        .unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    let mut out = String::new();
    for t in tables {
        let cols: Vec<String> = sqlx::query(&format!("PRAGMA table_info(\"{t}\")"))
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("name"))
            .collect();
        let row = cols
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        let dump: Option<String> = sqlx::query_scalar(&format!(
            "SELECT group_concat(x, '|') FROM (SELECT {row} AS x FROM \"{t}\" ORDER BY rowid)"
        ))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        out.push_str(&format!("{t}: {}\n", dump.unwrap_or_default()));
    }
    out
}
