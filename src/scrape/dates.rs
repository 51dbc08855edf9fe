//! Publication dates as Vietnamese news pages and feeds write them.
//!
//! Machine-readable forms (RFC 3339, ISO 8601 with or without zone, RFC 822) are tried first;
//! then the visible forms are scanned: `08/01/2026 - 18:21`, `Thứ Bảy, 06/01/2024`,
//! `16:35 ngày 06-01-2024`, `ngày 6 tháng 1 năm 2024`, and the month-first ASP.NET form
//! `1/8/2026 6:21:00 PM` some RSS feeds use. Day first unless the string has AM/PM (and the
//! numbers allow it). A time without a zone is Asia/Ho_Chi_Minh: a fixed +07:00, since Vietnam
//! has no daylight saving time and needs no tz database.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use regex::Regex;
use std::sync::LazyLock;

/// Offset of Asia/Ho_Chi_Minh, used for every date written without a zone.
pub fn vietnam() -> FixedOffset {
    // 7 h east is always in range, so the fallback (UTC) is never taken.
    use chrono::Offset;
    FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| chrono::Utc.fix())
}

static DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})(?:[^\d]|$)")
        .expect("constant regex")
});
static YMD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})(?:[^\d]|$)")
        .expect("constant regex")
});
static WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)ngày\s*(\d{1,2})\s*tháng\s*(\d{1,2})\s*(?:năm|,)?\s*,?\s*(\d{4})")
        .expect("constant regex")
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])(\d{1,2})\s*(?::|h|giờ)\s*(\d{2})(?::(\d{2}))?(?:[^\d]|$)")
        .expect("constant regex")
});
static AMPM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^a-z])([ap])\.?m\.?(?:[^a-z]|$)").expect("constant regex")
});
static GMT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:GMT|UTC)\s*([+\-])\s*(\d{1,2})(?::?(\d{2}))?").expect("constant regex")
});

/// Parses a publication date or date-time as found in pages, meta tags, JSON-LD and RSS.
///
/// Returns `None` when no complete date (day, month, four-digit year) is in the text. A date
/// without a time is midnight; a time without a zone is +07:00.
pub fn parse_vn_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    parse_machine(s).or_else(|| parse_visible(s))
}

/// True when `s` carries a date but no time of day (JSON-LD `2026-01-08`, `06/01/2024`).
pub(crate) fn is_date_only(s: &str) -> bool {
    !TIME.is_match(s) && !s.contains('T')
}

fn parse_machine(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d);
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f %z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    // RFC 822 without a zone, or with a zone chrono does not know: read as local time.
    if s.len() > 10 && s.as_bytes().get(3) == Some(&b',') {
        let body = s.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == ' ');
        let with_zone = format!("{body} +0700");
        if let Ok(d) = DateTime::parse_from_rfc2822(&with_zone) {
            return Some(d);
        }
    }
    let s = s.strip_suffix('Z').unwrap_or(s);
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return local(n);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return local(d.and_time(NaiveTime::MIN));
    }
    None
}

fn local(n: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
    vietnam().from_local_datetime(&n).single()
}

/// Scans free text for a date, a time and an optional `GMT+7` zone.
fn parse_visible(s: &str) -> Option<DateTime<FixedOffset>> {
    let ampm = AMPM
        .captures(s)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().eq_ignore_ascii_case("p"));
    let (date, date_span) = if let Some(c) = WORDS.captures(s) {
        let d = num(&c, 1)?;
        let m = num(&c, 2)?;
        let y = num(&c, 3)?;
        (NaiveDate::from_ymd_opt(y as i32, m, d)?, c.get(0)?.range())
    } else if let Some(c) = DMY.captures(s) {
        let a = num(&c, 1)?;
        let b = num(&c, 2)?;
        let y = num(&c, 3)? as i32;
        let month_first = if a > 12 {
            false
        } else if b > 12 {
            true
        } else {
            ampm.is_some()
        };
        let (d, m) = if month_first { (b, a) } else { (a, b) };
        (NaiveDate::from_ymd_opt(y, m, d)?, c.get(0)?.range())
    } else if let Some(c) = YMD.captures(s) {
        let y = num(&c, 1)? as i32;
        (
            NaiveDate::from_ymd_opt(y, num(&c, 2)?, num(&c, 3)?)?,
            c.get(0)?.range(),
        )
    } else {
        return None;
    };
    // The time is searched outside the date so `06.01.2024` is never read as a time.
    let mut rest = String::with_capacity(s.len());
    rest.push_str(&s[..date_span.start]);
    rest.push(' ');
    rest.push_str(&s[date_span.end..]);
    let time = TIME.captures(&rest).and_then(|c| {
        let mut h = num(&c, 1)?;
        let m = num(&c, 2)?;
        let sec = c.get(3).and_then(|x| x.as_str().parse().ok()).unwrap_or(0);
        match ampm {
            Some(true) if h < 12 => h += 12,
            Some(false) if h == 12 => h = 0,
            _ => {}
        }
        NaiveTime::from_hms_opt(h, m, sec)
    });
    let naive = date.and_time(time.unwrap_or(NaiveTime::MIN));
    let offset = GMT
        .captures(&rest)
        .and_then(|c| {
            let sign = if c.get(1)?.as_str() == "-" { -1 } else { 1 };
            let h = num(&c, 2)? as i32;
            let m = c
                .get(3)
                .and_then(|x| x.as_str().parse::<i32>().ok())
                .unwrap_or(0);
            FixedOffset::east_opt(sign * (h * 3600 + m * 60))
        })
        .unwrap_or_else(vietnam);
    offset.from_local_datetime(&naive).single()
}

fn num(c: &regex::Captures<'_>, i: usize) -> Option<u32> {
    c.get(i)?.as_str().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc(s: &str) -> String {
        parse_vn_datetime(s)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default()
    }

    #[test]
    fn onecms_and_cms_d_visible_dates() {
        assert_eq!(rfc("08/01/2026 - 18:21"), "2026-01-08T18:21:00+07:00");
        assert_eq!(rfc("12/03/2025 - 08:15"), "2025-03-12T08:15:00+07:00");
    }

    #[test]
    fn listing_date_without_separator() {
        assert_eq!(rfc("25/01/2026 07:06"), "2026-01-25T07:06:00+07:00");
    }

    #[test]
    fn weekday_prefix_date_only() {
        assert_eq!(rfc("Thứ Bảy, 06/01/2024"), "2024-01-06T00:00:00+07:00");
        assert_eq!(
            rfc("Chủ nhật, 07/01/2024, 09:05 (GMT+7)"),
            "2024-01-07T09:05:00+07:00"
        );
    }

    #[test]
    fn time_first_with_ngay() {
        assert_eq!(rfc("16:35 ngày 06-01-2024"), "2024-01-06T16:35:00+07:00");
        assert_eq!(rfc("16:35, 06/01/2024"), "2024-01-06T16:35:00+07:00");
        assert_eq!(rfc("16h35 06.01.2024"), "2024-01-06T16:35:00+07:00");
    }

    #[test]
    fn in_words() {
        assert_eq!(rfc("Ngày 6 tháng 1 năm 2024"), "2024-01-06T00:00:00+07:00");
    }

    #[test]
    fn rfc_822_with_and_without_zone() {
        assert_eq!(
            rfc("Sat, 06 Jan 2024 09:35:00 GMT"),
            "2024-01-06T09:35:00+00:00"
        );
        assert_eq!(
            rfc("Sat, 06 Jan 2024 16:35:00 +0700"),
            "2024-01-06T16:35:00+07:00"
        );
        assert_eq!(
            rfc("Sat, 06 Jan 2024 16:35:00"),
            "2024-01-06T16:35:00+07:00"
        );
    }

    #[test]
    fn iso_8601_forms() {
        assert_eq!(
            rfc("2024-01-06T16:35:00+07:00"),
            "2024-01-06T16:35:00+07:00"
        );
        assert_eq!(rfc("2024-01-06T09:35:00Z"), "2024-01-06T09:35:00+00:00");
        assert_eq!(
            rfc("2024-01-06T16:35:00.123+0700"),
            "2024-01-06T16:35:00.123+07:00"
        );
        assert_eq!(rfc("2024-01-06T16:35"), "2024-01-06T16:35:00+07:00");
        assert_eq!(rfc("2018-05-27 06:34:00"), "2018-05-27T06:34:00+07:00");
    }

    #[test]
    fn json_ld_date_only_is_midnight_local() {
        assert_eq!(rfc("2026-01-08"), "2026-01-08T00:00:00+07:00");
        assert!(is_date_only("2026-01-08"));
        assert!(!is_date_only("2026-01-08T10:00"));
    }

    #[test]
    fn rss_month_first_with_am_pm() {
        assert_eq!(rfc("1/8/2026 6:21:00 PM"), "2026-01-08T18:21:00+07:00");
        assert_eq!(rfc("12/25/2025 12:05:00 AM"), "2025-12-25T00:05:00+07:00");
        // AM/PM, but the first number cannot be a month: still day first.
        assert_eq!(rfc("25/12/2025 06:05 PM"), "2025-12-25T18:05:00+07:00");
    }

    #[test]
    fn day_first_without_am_pm() {
        assert_eq!(rfc("1/8/2026 18:21:00"), "2026-08-01T18:21:00+07:00");
    }

    #[test]
    fn rejects_non_dates() {
        assert_eq!(parse_vn_datetime(""), None);
        assert_eq!(parse_vn_datetime("Quyết định số 12/QĐ-UBND"), None);
        assert_eq!(parse_vn_datetime("31/02/2024"), None);
        assert_eq!(parse_vn_datetime("hôm qua"), None);
    }
}
