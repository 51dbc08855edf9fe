//! The systemd notify protocol as the real daemon speaks it: READY on a path socket and on an
//! abstract-namespace socket, WATCHDOG=1 at half of `$WATCHDOG_USEC`, and no watchdog pings when
//! `$WATCHDOG_PID` names another process.

use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PATIENCE: Duration = Duration::from_secs(30);

fn config(dir: &Path) -> std::path::PathBuf {
    let cfg = format!(
        r#"[database]
url = "sqlite://{}/chiso.db"
[schedule]
run_at_start = false
[daemon]
listen = ""
[[source]]
name = "quiet"
province = "Hà Tĩnh"
base_url = "http://127.0.0.1:9/"
schedule = "0 0 0 1 1 *"
feeds = ["/rss.xml"]
"#,
        dir.display()
    );
    let path = dir.join("chiso.toml");
    std::fs::write(&path, cfg).unwrap();
    path
}

/// Starts `chiso run` with `NOTIFY_SOCKET` and the given extra environment.
fn daemon(dir: &Path, notify_socket: &str, env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chiso"));
    cmd.arg("--config")
        .arg(config(dir))
        .arg("run")
        .env("NOTIFY_SOCKET", notify_socket)
        .env_remove("WATCHDOG_USEC")
        .env_remove("WATCHDOG_PID")
        .env_remove("CHISO_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

/// Every notification line received until `until` holds for the list or `within` runs out.
fn collect(
    sock: &UnixDatagram,
    within: Duration,
    until: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while start.elapsed() < within && !until(&got) {
        if let Ok(n) = sock.recv(&mut buf) {
            let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
            got.extend(msg.lines().map(str::to_string));
        }
    }
    got
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

#[test]
fn ready_and_watchdog_pings_on_a_path_socket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let sock = UnixDatagram::bind(&path).unwrap();
    // 400 ms: pings every 200 ms.
    let child = daemon(
        dir.path(),
        path.to_str().unwrap(),
        &[("WATCHDOG_USEC", "400000")],
    );
    let got = collect(&sock, PATIENCE, |g| {
        g.iter().filter(|m| m.as_str() == "WATCHDOG=1").count() >= 3
    });
    stop(child);
    assert!(got.iter().any(|m| m == "READY=1"), "{got:?}");
    assert!(
        got.iter().filter(|m| m.as_str() == "WATCHDOG=1").count() >= 3,
        "{got:?}"
    );
}

#[test]
fn no_watchdog_pings_when_watchdog_pid_names_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify.sock");
    let sock = UnixDatagram::bind(&path).unwrap();
    let child = daemon(
        dir.path(),
        path.to_str().unwrap(),
        &[("WATCHDOG_USEC", "400000"), ("WATCHDOG_PID", "1")],
    );
    // A watchdog at 200 ms would ping about ten times in the two seconds after READY.
    let got = collect(&sock, PATIENCE, |g| g.iter().any(|m| m == "READY=1"));
    let settle = collect(&sock, Duration::from_secs(2), |_| false);
    stop(child);
    assert!(got.iter().any(|m| m == "READY=1"), "{got:?}");
    assert!(
        !got.iter().chain(&settle).any(|m| m == "WATCHDOG=1"),
        "{got:?} {settle:?}"
    );
}

#[test]
fn ready_on_an_abstract_socket() {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::SocketAddr;
    let dir = tempfile::tempdir().unwrap();
    let name = format!("chiso-notify-test-{}", std::process::id());
    let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let sock = UnixDatagram::bind_addr(&addr).unwrap();
    let child = daemon(dir.path(), &format!("@{name}"), &[]);
    let got = collect(&sock, PATIENCE, |g| g.iter().any(|m| m == "READY=1"));
    stop(child);
    assert!(got.iter().any(|m| m == "READY=1"), "{got:?}");
}
