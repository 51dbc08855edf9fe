//! systemd readiness protocol: `READY=1`, `STATUS=`, `WATCHDOG=1`, `STOPPING=1` sent as datagrams
//! to `$NOTIFY_SOCKET`. Outside systemd (no variable) every call is a no-op.
//!
//! The `sd-notify` crate sends the datagrams and reads `$WATCHDOG_USEC`/`$WATCHDOG_PID`. It
//! connects to `$NOTIFY_SOCKET` as a file path, so a socket in the abstract namespace (a value
//! starting with `@`, which systemd uses inside some containers) is sent to here with the
//! standard library's abstract-address support instead.

use std::time::Duration;

/// Sends one notification; errors are logged, never fatal (a lost READY only delays systemd).
pub fn notify(state: &str) {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    let path = path.to_string_lossy();
    let sent = match path.strip_prefix('@') {
        Some(name) => send_abstract(name, state),
        None => sd_notify::notify(&[sd_notify::NotifyState::Custom(state)]),
    };
    if let Err(e) = sent {
        tracing::warn!("sd_notify {state:?}: {e}");
    }
}

#[cfg(target_os = "linux")]
fn send_abstract(name: &str, state: &str) -> std::io::Result<()> {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::{SocketAddr, UnixDatagram};
    let sock = UnixDatagram::unbound()?;
    let addr = SocketAddr::from_abstract_name(name.as_bytes())?;
    sock.send_to_addr(state.as_bytes(), &addr)?;
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn send_abstract(_name: &str, _state: &str) -> std::io::Result<()> {
    Ok(())
}

/// Half of `$WATCHDOG_USEC`, the interval at which `WATCHDOG=1` must be sent, when systemd asked
/// this process for a watchdog (`$WATCHDOG_PID`, when set, must name this process).
pub fn watchdog_interval() -> Option<Duration> {
    sd_notify::watchdog_enabled()
        .filter(|d| !d.is_zero())
        .map(|d| d / 2)
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
