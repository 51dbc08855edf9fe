//! Vietnamese number formats: `8.850,26`, `5.892`, `54,5`, `1.234.567`, `0,8`, and scale words.
//!
//! Vietnamese writes `.` between thousands and `,` before decimals; national sites influenced by
//! English sometimes do the opposite. The rules here decide by group shape: a separator followed
//! by exactly three digits, repeated, is a thousands separator; a single `,` is a decimal comma.

/// A decoded number token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Number {
    /// The value.
    pub value: f64,
    /// Written with a leading zero ("06", "0912"): dates, phone numbers, codes.
    pub leading_zero: bool,
    /// Written with thousands separators or a decimal part (not a bare integer).
    pub formatted: bool,
    /// Count of digits before any separator.
    pub int_digits: usize,
}

/// Decodes a number token as written in Vietnamese news. `None` for shapes that are not one
/// number (version strings, overlong digit runs).
pub(crate) fn parse_number(s: &str) -> Option<Number> {
    if s.is_empty() || s.len() > super::token::MAX_NUM_LEN {
        return None;
    }
    let dots = s.bytes().filter(|&b| b == b'.').count();
    let commas = s.bytes().filter(|&b| b == b',').count();
    let groups_of_three = |sep: u8| {
        s.split(sep as char)
            .skip(1)
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
    };
    let (int_part, frac_part): (String, &str) = match (dots, commas) {
        (0, 0) => (s.to_string(), ""),
        (_, 0) => {
            if groups_of_three(b'.') {
                (s.replace('.', ""), "")
            } else if dots == 1 {
                let (a, b) = s.split_once('.')?;
                (a.to_string(), b)
            } else {
                return None;
            }
        }
        (0, _) => {
            if commas == 1 {
                let (a, b) = s.split_once(',')?;
                (a.to_string(), b)
            } else if groups_of_three(b',') {
                (s.replace(',', ""), "")
            } else {
                return None;
            }
        }
        _ => {
            // Both: the last separator is the decimal one.
            let last_dot = s.rfind('.')?;
            let last_comma = s.rfind(',')?;
            let (thousands, dec) = if last_comma > last_dot {
                ('.', ',')
            } else {
                (',', '.')
            };
            if s.bytes().filter(|&b| b == dec as u8).count() != 1 {
                return None;
            }
            let (a, b) = s.split_once(dec)?;
            if !a.split(thousands).skip(1).all(|g| g.len() == 3) {
                return None;
            }
            (a.replace(thousands, ""), b)
        }
    };
    if int_part.len() > 15 {
        return None;
    }
    let int_digits = s.bytes().take_while(|b| b.is_ascii_digit()).count();
    let mut value: f64 = int_part.parse::<u64>().ok()? as f64;
    if !frac_part.is_empty() {
        let f: f64 = format!("0.{frac_part}").parse().ok()?;
        value += f;
    }
    Some(Number {
        value,
        leading_zero: s.len() > 1 && s.starts_with('0') && !s[1..].starts_with([',', '.']),
        formatted: dots + commas > 0,
        int_digits,
    })
}

/// Scale words that multiply the number before a unit, longest first.
pub(crate) const SCALES: [(&str, f64); 11] = [
    ("nghìn tỷ", 1e12),
    ("ngàn tỷ", 1e12),
    ("nghìn tỉ", 1e12),
    ("ngàn tỉ", 1e12),
    ("tỉ", 1e9),
    ("trăm nghìn", 1e5),
    ("nghìn", 1e3),
    ("ngàn", 1e3),
    ("triệu", 1e6),
    ("tỷ", 1e9),
    ("vạn", 1e4),
];

/// Rounds away binary noise from decimal arithmetic (`1.2 * 1e12`).
pub(crate) fn tidy(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let mag = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(12 - mag);
    if !scale.is_finite() || scale == 0.0 {
        return x;
    }
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Option<f64> {
        parse_number(s).map(|n| n.value)
    }

    #[test]
    fn vietnamese_formats() {
        assert_eq!(v("8.850,26"), Some(8850.26));
        assert_eq!(v("5.892"), Some(5892.0));
        assert_eq!(v("54,5"), Some(54.5));
        assert_eq!(v("1.234.567"), Some(1_234_567.0));
        assert_eq!(v("0,8"), Some(0.8));
        assert_eq!(v("2021"), Some(2021.0));
    }

    #[test]
    fn english_formats_on_national_sites() {
        assert_eq!(v("1,234,567"), Some(1_234_567.0));
        assert_eq!(v("8,850.26"), Some(8850.26));
        assert_eq!(v("7.5"), Some(7.5));
    }

    #[test]
    fn not_numbers() {
        assert_eq!(v("1.2.3"), None);
        assert_eq!(v(&"9".repeat(40)), None);
        assert!(parse_number("0912.345.678").unwrap().leading_zero);
        assert!(!parse_number("0,8").unwrap().leading_zero);
    }

    #[test]
    fn tidy_removes_float_noise() {
        assert_eq!(tidy(1.2 * 1e12), 1.2e12);
        assert_eq!(tidy(8850.26 * 1e9), 8.85026e12);
    }
}
