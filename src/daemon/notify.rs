//! systemd readiness protocol: `READY=1`, `STATUS=`, `WATCHDOG=1`, `STOPPING=1` sent as datagrams
//! to `$NOTIFY_SOCKET`. Outside systemd (no variable) every call is a no-op.

use std::time::Duration;

/// Sends one notification; errors are logged, never fatal (a lost READY only delays systemd).
pub fn notify(state: &str) {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    if let Err(e) = send(&path.to_string_lossy(), state) {
        tracing::warn!("sd_notify {state:?}: {e}");
    }
}

#[cfg(target_os = "linux")]
fn send(path: &str, state: &str) -> std::io::Result<()> {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::{SocketAddr, UnixDatagram};
    let sock = UnixDatagram::unbound()?;
    let addr = match path.strip_prefix('@') {
        Some(name) => SocketAddr::from_abstract_name(name.as_bytes())?,
        None => SocketAddr::from_pathname(path)?,
    };
    sock.send_to_addr(state.as_bytes(), &addr)?;
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn send(_path: &str, _state: &str) -> std::io::Result<()> {
    Ok(())
}

/// Half of `$WATCHDOG_USEC`, the interval at which `WATCHDOG=1` must be sent, when systemd asked
/// this process for a watchdog (`$WATCHDOG_PID`, when set, names the process it is meant for).
pub fn watchdog_interval() -> Option<Duration> {
    watchdog_for(
        std::env::var("WATCHDOG_USEC").ok().as_deref(),
        std::env::var("WATCHDOG_PID").ok().as_deref(),
        std::process::id(),
    )
}

fn watchdog_for(usec: Option<&str>, pid: Option<&str>, me: u32) -> Option<Duration> {
    let usec: u64 = usec?.trim().parse().ok()?;
    if let Some(pid) = pid {
        if pid.trim().parse::<u32>().ok() != Some(me) {
            return None;
        }
    }
    (usec > 0).then(|| Duration::from_micros(usec / 2))
}

/// Gives memory freed during start-up (CSV parsing of the gazetteer, migrations) back to the
/// operating system, so that an idle daemon's resident size reflects what it really keeps.
pub fn release_startup_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim only releases free heap pages; it has no preconditions.
        unsafe {
            malloc_trim(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::watchdog_for;
    use std::time::Duration;

    #[test]
    fn watchdog_only_for_the_process_it_names() {
        let half = Some(Duration::from_secs(15));
        assert_eq!(watchdog_for(Some("30000000"), None, 7), half);
        assert_eq!(watchdog_for(Some("30000000"), Some("7"), 7), half);
        assert_eq!(watchdog_for(Some("30000000"), Some("8"), 7), None);
        assert_eq!(watchdog_for(Some("0"), None, 7), None);
        assert_eq!(watchdog_for(None, Some("7"), 7), None);
    }
}
