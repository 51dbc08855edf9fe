//! Fallback parsing of feed and sitemap dates that feed-rs and RFC 3339 do not accept.
//!
//! Vietnamese feeds write `pubDate` as ASP.NET `1/8/2026 6:21:00 PM` (month first, with AM/PM),
//! `2026-01-08 18:21:00`, `08/01/2026 18:21:00` (day first) or RFC 822 without a zone. A missing
//! zone means Asia/Ho_Chi_Minh (+07:00).
// use crate::scrape::parse_vn_datetime after merge

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

/// Vietnam's offset, used when a date carries no zone.
pub fn vn_offset() -> FixedOffset {
    #[allow(clippy::expect_used)]
    FixedOffset::east_opt(7 * 3600).expect("+07:00 is a valid offset")
}

/// Parses the date forms Vietnamese feeds and sitemaps use.
pub fn parse_feed_date(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d);
    }
    let local = |n: NaiveDateTime| vn_offset().from_local_datetime(&n).single();
    // RFC 822 without a zone: "Thu, 08 Jan 2026 18:21:00".
    for f in [
        "%a, %d %b %Y %H:%M:%S",
        "%d %b %Y %H:%M:%S",
        "%a, %d %b %Y %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return local(n);
        }
    }
    let has_ampm = {
        let u = s.to_ascii_uppercase();
        u.ends_with("AM") || u.ends_with("PM")
    };
    let formats: &[&str] = if has_ampm {
        // AM/PM means the ASP.NET month-first form.
        &[
            "%m/%d/%Y %I:%M:%S %p",
            "%m/%d/%Y %I:%M %p",
            "%d/%m/%Y %I:%M:%S %p",
            "%d/%m/%Y %I:%M %p",
        ]
    } else {
        &[
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M",
            "%d/%m/%Y %H:%M:%S",
            "%d/%m/%Y %H:%M",
            "%d/%m/%Y - %H:%M",
            "%d-%m-%Y %H:%M",
        ]
    };
    for f in formats {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return local(n);
        }
    }
    for f in ["%Y-%m-%d", "%d/%m/%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return local(d.and_time(NaiveTime::MIN));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        parse_feed_date(s)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default()
    }

    #[test]
    fn vietnamese_feed_forms() {
        assert_eq!(p("1/8/2026 6:21:00 PM"), "2026-01-08T18:21:00+07:00");
        assert_eq!(p("12/25/2025 9:05:00 AM"), "2025-12-25T09:05:00+07:00");
        assert_eq!(p("08/01/2026 18:21:00"), "2026-01-08T18:21:00+07:00");
        assert_eq!(p("2026-01-08 18:21:00"), "2026-01-08T18:21:00+07:00");
        assert_eq!(p("Thu, 08 Jan 2026 18:21:00"), "2026-01-08T18:21:00+07:00");
        assert_eq!(
            p("Thu, 08 Jan 2026 11:21:00 GMT"),
            "2026-01-08T11:21:00+00:00"
        );
        assert_eq!(p("2026-01-08T18:21:00+07:00"), "2026-01-08T18:21:00+07:00");
        assert_eq!(p("2026-01-08"), "2026-01-08T00:00:00+07:00");
        assert_eq!(p("yesterday"), "");
    }
}
