//! Retry decisions, kept apart from the request loop so that they can be read and tested alone.
//!
//! The loop in `client.rs` asks two questions after each attempt: is this worth another try, and
//! how long to wait first. Timeouts, broken connections and 5xx get capped exponential backoff with
//! jitter; 429 and 503 wait what `Retry-After` asks (seconds or an HTTP date), capped by
//! configuration. Everything else is final.

use super::error::FetchErrorKind;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

/// First backoff step; doubled for each further attempt.
pub const BACKOFF_BASE: Duration = Duration::from_millis(500);
/// Longest backoff between two attempts (before jitter).
pub const BACKOFF_CAP: Duration = Duration::from_secs(30);

/// What to do after an attempt that did not give a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Final: report the error.
    GiveUp,
    /// Try again after the usual backoff.
    Backoff,
    /// Try again after this long (the server said so with `Retry-After`).
    After(Duration),
}

/// The verdict for an HTTP status; `retry_after` is the parsed `Retry-After` header if any.
pub fn for_status(status: u16, retry_after: Option<Duration>) -> Verdict {
    match status {
        429 | 503 => retry_after.map_or(Verdict::Backoff, Verdict::After),
        500..=599 => Verdict::Backoff,
        _ => Verdict::GiveUp,
    }
}

/// The verdict for a failure that produced no status.
pub fn for_error(kind: &FetchErrorKind) -> Verdict {
    match kind {
        FetchErrorKind::Timeout | FetchErrorKind::Connect(_) | FetchErrorKind::Body(_) => {
            Verdict::Backoff
        }
        _ => Verdict::GiveUp,
    }
}

/// Whether an error kind may go away on a later try (the basis of `FetchError::is_retryable`).
pub fn kind_is_retryable(kind: &FetchErrorKind) -> bool {
    match kind {
        FetchErrorKind::Status(s) => for_status(*s, None) != Verdict::GiveUp,
        FetchErrorKind::RobotsUnavailable => true,
        other => for_error(other) != Verdict::GiveUp,
    }
}

/// The pause before retry number `attempt` (0 for the first retry): `BACKOFF_BASE * 2^attempt`,
/// capped at `BACKOFF_CAP`, then "equal jitter" (half fixed, half random) so that many clients
/// that failed together do not come back together.
pub fn backoff(attempt: u32) -> Duration {
    let exp = BACKOFF_BASE.saturating_mul(1u32 << attempt.min(16));
    let capped = exp.min(BACKOFF_CAP);
    let half = capped / 2;
    let millis = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
    half + Duration::from_millis(random_below(millis.saturating_add(1)))
}

/// Parses `Retry-After`: delay seconds, or an HTTP date (a past date means no wait).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::from(date.with_timezone(&chrono::Utc));
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A number in `0..n` from the standard library's randomly keyed hasher; good enough for jitter
/// and saves a dependency.
fn random_below(n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish() % n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_back_off_and_client_errors_give_up() {
        assert_eq!(for_status(500, None), Verdict::Backoff);
        assert_eq!(for_status(502, None), Verdict::Backoff);
        assert_eq!(for_status(404, None), Verdict::GiveUp);
        assert_eq!(for_status(403, None), Verdict::GiveUp);
        assert_eq!(for_status(429, None), Verdict::Backoff);
        let d = Duration::from_secs(7);
        assert_eq!(for_status(429, Some(d)), Verdict::After(d));
        assert_eq!(for_status(503, Some(d)), Verdict::After(d));
        // Retry-After on a plain 500 is not a promise; use the backoff.
        assert_eq!(for_status(500, Some(d)), Verdict::Backoff);
    }

    #[test]
    fn errors_without_status() {
        assert_eq!(for_error(&FetchErrorKind::Timeout), Verdict::Backoff);
        assert_eq!(
            for_error(&FetchErrorKind::Connect("reset".into())),
            Verdict::Backoff
        );
        assert_eq!(
            for_error(&FetchErrorKind::TooLarge { limit: 1 }),
            Verdict::GiveUp
        );
        assert_eq!(
            for_error(&FetchErrorKind::UnsupportedScheme("ftp".into())),
            Verdict::GiveUp
        );
        assert!(kind_is_retryable(&FetchErrorKind::Status(503)));
        assert!(!kind_is_retryable(&FetchErrorKind::Status(404)));
        assert!(kind_is_retryable(&FetchErrorKind::RobotsUnavailable));
        assert!(!kind_is_retryable(&FetchErrorKind::RobotsDisallowed));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempt in 0..20 {
            let d = backoff(attempt);
            let full = BACKOFF_BASE
                .saturating_mul(1 << attempt.min(16))
                .min(BACKOFF_CAP);
            assert!(
                d >= full / 2 && d <= full,
                "attempt {attempt}: {d:?} vs {full:?}"
            );
        }
        assert!(backoff(30) <= BACKOFF_CAP);
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        // 2023-11-14T22:13:20Z is 1_700_000_000; ten seconds later:
        let later = parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now);
        assert_eq!(later, Some(Duration::from_secs(10)));
        let past = parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now);
        assert_eq!(past, Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
