//! `chiso alerts` as a user runs it: a dispatcher killed in the middle of a batch and restarted
//! delivers every alert exactly once per channel (counted at the receiver); an always-failing
//! channel ends `failed`, listed by `chiso alerts list --status failed` without its secret, while
//! other channels are delivered; `chiso alerts test` reaches a receiver.

mod alert_support;
mod db_support;

use alert_support::fixtures::{channel, config, seed};
use alert_support::{Behavior, HttpReceiver};
use chiso::alert::{self, DispatchOptions};
use chiso::store;
use std::collections::HashMap;
use std::process::{Command, Output};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_chiso");

async fn chiso(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(BIN)
            .args(&args)
            .env_remove("CHISO_DATABASE_URL")
            .output()
            .expect("run chiso")
    })
    .await
    .unwrap()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Waits (polling) until `cond` holds; panics with `what` after a generous bound.
async fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..600 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatcher_killed_mid_batch_delivers_each_alert_once() {
    let rx = HttpReceiver::start().await;
    let host = rx.base.trim_start_matches("http://").to_string();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/chiso.db", dir.path().display());
    let (text, cfg) = config(
        &url,
        &[
            channel("a", &format!("json://{host}/a")),
            channel("b", &format!("json://{host}/b")),
        ],
    );
    let path = dir.path().join("chiso.toml");
    std::fs::write(&path, text).unwrap();
    let store = store::open(&url, 2).await.unwrap();
    seed(store.as_ref(), &cfg, 5).await;
    assert_eq!(store.counts().await.unwrap().alerts, 10);

    // Channel b stalls: the dispatcher is killed in the middle of its batch of ten.
    rx.set("/b", Behavior::Stall);
    let path_s = path.display().to_string();
    let child = {
        let p = path_s.clone();
        std::thread::spawn(move || {
            Command::new(BIN)
                .args([
                    "--config",
                    &p,
                    "alerts",
                    "dispatch",
                    "--once",
                    "--instance",
                    "node1",
                ])
                .env_remove("CHISO_DATABASE_URL")
                .spawn()
                .expect("spawn chiso")
        })
        .join()
        .unwrap()
    };
    let mut child = child;
    wait_for("a request to stall", || !rx.under("/b").is_empty()).await;
    // Channels are delivered side by side: the stalled receiver does not hold channel a back.
    wait_for("channel a delivered while b stalls", || {
        rx.under("/a").iter().filter(|r| r.acked).count() == 5
    })
    .await;
    child.kill().unwrap();
    let _ = child.wait();
    let before_restart = rx.requests();
    assert!(
        before_restart.iter().any(|r| !r.acked),
        "one request was in flight"
    );
    let acked_before = before_restart.iter().filter(|r| r.acked).count();
    assert!(acked_before < 10, "the batch was interrupted");

    // The receiver recovers; the same instance restarts and finishes the work. (The short pause
    // lets the receiver see the killed connection close before it stops stalling.)
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    rx.set("/b", Behavior::Ok);
    let out = chiso(args(&[
        "--config",
        &path_s,
        "alerts",
        "dispatch",
        "--once",
        "--instance",
        "node1",
    ]))
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut acked: HashMap<(String, String), usize> = HashMap::new();
    for r in rx.requests().iter().filter(|r| r.acked) {
        let key = r.header("idempotency-key").unwrap().to_string();
        *acked.entry((r.path.clone(), key)).or_default() += 1;
    }
    assert_eq!(
        acked.len(),
        10,
        "every alert acknowledged on each channel: {acked:?}"
    );
    assert!(acked.values().all(|&n| n == 1), "none twice: {acked:?}");
    let sent = store.list_alerts(Some("sent"), 100).await.unwrap();
    assert_eq!(sent.len(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn always_failing_channel_ends_failed_and_others_are_delivered() {
    let rx = HttpReceiver::start().await;
    rx.set("/down", Behavior::AlwaysFail(500));
    let host = rx.base.trim_start_matches("http://").to_string();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/chiso.db", dir.path().display());
    let (text, cfg) = config(
        &url,
        &[
            channel("up", &format!("json://{host}/up")),
            // No name: listed under its redacted URL.
            format!("url = \"json://user:hunter2@{host}/down\""),
        ],
    );
    let path = dir.path().join("chiso.toml");
    std::fs::write(&path, text).unwrap();
    let store = store::open(&url, 2).await.unwrap();
    seed(store.as_ref(), &cfg, 2).await;
    let opts = DispatchOptions {
        max_attempts: 3,
        backoff_base: Duration::from_millis(1),
        backoff_cap: Duration::from_millis(5),
        ..DispatchOptions::from_config(&cfg)
    };
    for _ in 0..10 {
        alert::dispatch_with(store.as_ref(), &cfg, "t", &opts)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(rx.under("/up").iter().filter(|r| r.acked).count(), 2);
    assert_eq!(
        rx.under("/down").len(),
        6,
        "three attempts per alert, then no more"
    );

    let p = path.display().to_string();
    let out = chiso(args(&[
        "--config", &p, "alerts", "list", "--status", "failed",
    ]))
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let failed_rows = stdout
        .lines()
        .filter(|l| l.split_whitespace().nth(1) == Some("failed"))
        .count();
    assert_eq!(failed_rows, 2, "{stdout}");
    assert!(stdout.contains("HTTP 500"), "{stdout}");
    assert!(stdout.contains("json://user:***@"), "{stdout}");
    assert!(!stdout.contains("hunter2"), "secret leaked: {stdout}");
    assert!(!stdout.contains(" up "), "{stdout}");

    // retry puts one back; the next dispatch tries it again.
    let failed = store.list_alerts(Some("failed"), 10).await.unwrap();
    let id = failed[0].id.to_string();
    let out = chiso(args(&["--config", &p, "alerts", "retry", &id])).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pending = store.list_alerts(Some("pending"), 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].attempts, 0);
    let out = chiso(args(&["--config", &p, "alerts", "retry", "987654"])).await;
    assert!(!out.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_test_sends_a_signed_sample() {
    let rx = HttpReceiver::start().await;
    let host = rx.base.trim_start_matches("http://").to_string();
    let out = chiso(args(&[
        "--config",
        "/nonexistent/chiso.toml",
        "alerts",
        "test",
        &format!("json://{host}/t"),
        "--secret",
        "k",
    ]))
    .await;
    // An explicit configuration that does not exist is an error...
    assert!(!out.status.success());
    assert!(rx.requests().is_empty());
    // ...while without one the defaults serve.
    let dir = tempfile::tempdir().unwrap();
    let out = tokio::task::spawn_blocking({
        let host = host.clone();
        let d = dir.path().to_path_buf();
        move || {
            Command::new(BIN)
                .current_dir(d)
                .args([
                    "alerts",
                    "test",
                    &format!("json://{host}/t"),
                    "--secret",
                    "k",
                ])
                .env_remove("CHISO_CONFIG")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reqs = rx.under("/t");
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].json()["event"], "test");
    assert_eq!(
        reqs[0].header("x-chiso-signature").map(str::to_string),
        Some(alert::signature("k", &reqs[0].body))
    );
    let out = chiso(args(&["alerts", "test", "discord://only-a-s3cret-id"])).await;
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("s3cret"));
}
