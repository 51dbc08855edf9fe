//! Periods (`năm 2023`, `6 tháng đầu năm 2024`, `quý III/2024`, `giai đoạn 2021-2025`, `năm
//! qua`) and the cues that make a number a target (`phấn đấu`, `mục tiêu`, `dự kiến`...).
//!
//! A report states its period once and then lists numbers, so the pipeline keeps the last
//! stated period as state; this module only finds the mentions. Comparison bases (`so với năm
//! 2022`, `so với cùng kỳ`) and spans of awards (`từ năm 2019 đến năm 2023`) are marked so that
//! they never become the period of a fact.

use super::token::Toks;
use chrono::{Datelike, NaiveDate};

/// A reporting period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Period {
    /// A calendar year.
    Year(i32),
    /// First (1) or second (2) half of a year.
    Half(i32, u8),
    /// A quarter.
    Quarter(i32, u8),
    /// The first n months of a year (`9 tháng`).
    Months(i32, u8),
    /// One month.
    Month(i32, u8),
    /// A multi-year plan period `2021/2025`.
    Span(i32, i32),
}

impl Period {
    /// The year the numbers describe (the end year of a span).
    pub fn year(self) -> i32 {
        match self {
            Period::Year(y)
            | Period::Half(y, _)
            | Period::Quarter(y, _)
            | Period::Months(y, _)
            | Period::Month(y, _) => y,
            Period::Span(_, y) => y,
        }
    }

    /// The period label of EXTRACTION.md: `2023`, `2024-H1`, `2024-Q3`, `2024-9M`, `2021/2025`.
    pub fn label(self) -> String {
        match self {
            Period::Year(y) => y.to_string(),
            Period::Half(y, h) => format!("{y}-H{h}"),
            Period::Quarter(y, q) => format!("{y}-Q{q}"),
            Period::Months(y, m) => format!("{y}-{m}M"),
            Period::Month(y, m) => format!("{y}-{m:02}"),
            Period::Span(a, b) => format!("{a}/{b}"),
        }
    }

    /// True for periods that cover a whole year or more.
    pub fn is_full_year(self) -> bool {
        matches!(self, Period::Year(_) | Period::Span(..))
    }
}

/// One period mention in the text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mention {
    /// First token of the mention.
    pub at: usize,
    /// One past its last token.
    pub end: usize,
    /// The period.
    pub period: Period,
    /// A comparison base or an award span: never the period of a fact.
    pub ignore: bool,
    /// A deadline (`đến năm 2025`): the numbers beside it are targets.
    pub deadline: bool,
}

fn year_of(t: &Toks<'_>, i: usize) -> Option<i32> {
    if !t.is_num(i) {
        return None;
    }
    let w = t.low(i);
    if w.len() != 4 || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = w.parse().ok()?;
    (1975..=2100).contains(&y).then_some(y)
}

fn small_num(t: &Toks<'_>, i: usize) -> Option<u8> {
    match t.low(i) {
        "một" => return Some(1),
        "hai" => return Some(2),
        "ba" => return Some(3),
        "bốn" => return Some(4),
        "năm" => return Some(5),
        "sáu" => return Some(6),
        "bảy" => return Some(7),
        "tám" => return Some(8),
        "chín" => return Some(9),
        "mười" => return Some(10),
        _ => {}
    }
    if !t.is_num(i) {
        return None;
    }
    let w = t.low(i);
    if w.len() > 2 || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    w.parse().ok()
}

fn roman(w: &str) -> Option<u8> {
    match w {
        "i" | "1" => Some(1),
        "ii" | "2" => Some(2),
        "iii" | "3" => Some(3),
        "iv" | "4" => Some(4),
        _ => None,
    }
}

/// `/2024` or `năm 2024` after a month or quarter; returns the year and the end index.
fn year_suffix(t: &Toks<'_>, i: usize) -> Option<(i32, usize)> {
    if t.is_punct(i, '/') || t.is_punct(i, '-') {
        return year_of(t, i + 1).map(|y| (y, i + 2));
    }
    if t.low(i) == "năm" {
        return year_of(t, i + 1).map(|y| (y, i + 2));
    }
    None
}

/// The year meant by "năm qua": the previous year for reports published in January–March.
pub(crate) fn last_year(published: NaiveDate) -> i32 {
    if published.month() <= 3 {
        published.year() - 1
    } else {
        published.year()
    }
}

/// Finds period mentions in tokens `from..to`, appending to `out`. `ctx_year` completes
/// mentions without a year (`6 tháng đầu năm`).
pub(crate) fn find_mentions(
    t: &Toks<'_>,
    from: usize,
    to: usize,
    published: Option<NaiveDate>,
    ctx_year: Option<i32>,
    out: &mut Vec<Mention>,
) {
    let mut i = from;
    while i < to {
        if let Some((period, end, deadline)) = mention_at(t, i, to, published, ctx_year) {
            let ignore = is_comparison(t, from, i)
                || (matches!(period, Period::Span(..)) && is_event_name(t, from, i));
            out.push(Mention {
                at: i,
                end,
                period,
                ignore,
                deadline,
            });
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
}

/// True when the mention at `i` is a comparison base (`so với năm 2022`, `cùng kỳ năm trước`)
/// or part of an award span (`5 năm liền (từ năm 2019 đến năm 2023)`).
fn is_comparison(t: &Toks<'_>, from: usize, i: usize) -> bool {
    let lo = i.saturating_sub(4).max(from);
    (lo..i).any(|k| {
        matches!(
            t.low(k),
            "so" | "với" | "từ" | "liền" | "trước" | "lần" | "gấp"
        ) || t.phrase_at(k, "cùng kỳ").is_some()
    })
}

/// True when the span at `i` names a congress, a council or its term rather than the period
/// of the numbers around it: "Đại hội Đảng bộ xã Y lần thứ I, nhiệm kỳ 2025-2030", "HĐND huyện
/// khóa VI, nhiệm kỳ 2016 - 2021". Such a name sets no period for what follows.
fn is_event_name(t: &Toks<'_>, from: usize, i: usize) -> bool {
    // "theo Bộ tiêu chí huyện nông thôn mới giai đoạn 2021-2025", "Chương trình ... giai đoạn
    // 2021-2030": the span names a programme.
    let near = i.saturating_sub(8).max(from);
    if (near..i).any(|k| {
        t.any_at(
            k,
            &[
                "bộ tiêu chí",
                "chương trình",
                "đề án",
                "quy hoạch",
                "chiến lược",
            ],
        )
        .is_some()
    }) {
        return true;
    }
    let lo = i.saturating_sub(16).max(from);
    (lo..i).any(|k| {
        t.phrase_at(k, "đại hội").is_some()
            || t.phrase_at(k, "ban chấp hành").is_some()
            || t.phrase_at(k, "kỳ họp").is_some()
            || matches!(t.low(k), "khóa" | "khoá" | "hđnd" | "bch")
    }) && !(lo..i).any(|k| t.phrase_at(k, "nghị quyết").is_some())
}

fn mention_at(
    t: &Toks<'_>,
    i: usize,
    to: usize,
    published: Option<NaiveDate>,
    ctx_year: Option<i32>,
) -> Option<(Period, usize, bool)> {
    let w = t.low(i);
    let fallback_year = ctx_year.or(published.map(|d| d.year()));
    match w {
        // "đến nay", "hiện nay", "tính đến nay": the report's year (a review published in
        // January–March reports on the year before).
        "đến" | "tới" | "hiện" if published.is_some() => {
            let e = t
                .any_at(
                    i,
                    &[
                        "đến nay",
                        "tới nay",
                        "hiện nay",
                        "hiện tại",
                        "đến thời điểm này",
                    ],
                )
                .or_else(|| {
                    // "Hiện huyện có 14/14 xã", "hiện có", "hiện đã": the state at the report.
                    (w == "hiện"
                        && matches!(
                            t.low(i + 1),
                            "có" | "đã"
                                | "đang"
                                | "toàn"
                                | "huyện"
                                | "xã"
                                | "tỉnh"
                                | "thị"
                                | "phường"
                                | "thành"
                        ))
                    .then_some(i + 1)
                })?;
            Some((Period::Year(last_year(published?)), e, false))
        }
        "giai" | "nhiệm" | "thời" => {
            let k = t.any_at(i, &["giai đoạn", "nhiệm kỳ", "thời kỳ"])?;
            // "nhiệm kỳ qua", "nhiệm kỳ vừa qua": the term that ends with the report.
            if let Some(p) = published {
                if w == "nhiệm" {
                    if let Some(e) = t.any_at(k, &["qua", "vừa qua", "trước"]) {
                        let y = p.year();
                        return Some((Period::Span(y - 5, y), e, false));
                    }
                }
            }
            let k = if t.low(k) == "từ" || t.low(k) == "năm" {
                k + 1
            } else {
                k
            };
            let a = year_of(t, k)?;
            let k2 = if t.is_punct(k + 1, '-') || matches!(t.low(k + 1), "đến" | "tới") {
                k + 2
            } else {
                return Some((Period::Year(a), k + 1, false));
            };
            let k2 = if t.low(k2) == "năm" { k2 + 1 } else { k2 };
            let b = year_of(t, k2)?;
            (b > a && b - a <= 10).then_some((Period::Span(a, b), k2 + 1, false))
        }
        "năm" => {
            if let Some(y) = year_of(t, i + 1) {
                // "năm 2021-2025"
                if t.is_punct(i + 2, '-') {
                    if let Some(b) = year_of(t, i + 3) {
                        if b > y && b - y <= 10 {
                            return Some((Period::Span(y, b), i + 4, false));
                        }
                    }
                }
                let deadline = t
                    .any_before(i, &["đến", "tới", "đến hết", "đến cuối"])
                    .is_some();
                return Some((Period::Year(y), i + 2, deadline));
            }
            let p = published?;
            let next = t.low(i + 1);
            match next {
                "qua" => Some((Period::Year(last_year(p)), i + 2, false)),
                "vừa" if t.low(i + 2) == "qua" => {
                    Some((Period::Year(last_year(p)), i + 3, false))
                }
                "nay" => Some((Period::Year(p.year()), i + 2, false)),
                "trước" | "ngoái" => Some((Period::Year(p.year() - 1), i + 2, false)),
                "tới" | "sau" if i + 2 <= to => Some((Period::Year(p.year() + 1), i + 2, true)),
                _ => None,
            }
        }
        "quý" | "quí" => {
            let q = roman(t.low(i + 1))?;
            match year_suffix(t, i + 2) {
                Some((y, end)) => Some((Period::Quarter(y, q), end, false)),
                None => fallback_year.map(|y| (Period::Quarter(y, q), i + 2, false)),
            }
        }
        "tháng" => {
            let m = small_num(t, i + 1).filter(|m| (1..=12).contains(m))?;
            // "tháng 6/2024" but not a date "ngày 5 tháng 6".
            if t.low(i.wrapping_sub(2)) == "ngày" || t.is_num(i.wrapping_sub(1)) {
                return None;
            }
            let (y, end) = year_suffix(t, i + 2)?;
            Some((Period::Month(y, m), end, false))
        }
        _ if t.low(i + 1) == "tháng" && (t.is_num(i) || small_num(t, i).is_some()) => {
            let n = small_num(t, i)?;
            if !(1..=12).contains(&n) {
                return None;
            }
            let mut k = i + 2;
            let mut second_half = false;
            if t.phrase_at(k, "đầu năm").is_some() {
                k += 2;
            } else if t.phrase_at(k, "cuối năm").is_some() {
                k += 2;
                second_half = true;
            } else if t.low(k) == "năm" {
                k += 1;
            } else if matches!(n, 6 | 9)
                && !matches!(
                    t.low(i.wrapping_sub(1)),
                    "sau"
                        | "hơn"
                        | "khoảng"
                        | "gần"
                        | "trên"
                        | "mỗi"
                        | "trong"
                        | "vòng"
                        | "dài"
                        | "được"
                        | "từ"
                        | "đến"
                        | "tới"
                        | "mất"
                        | "hạn"
                        | "lên"
                        | "có"
                )
            {
                // "9 tháng ước đạt ...", "6 tháng qua": the report's half or nine months.
                if t.low(k) == "qua" {
                    k += 1;
                }
            } else {
                return None;
            }
            let (y, end) = match year_of(t, k) {
                Some(y) => (y, k + 1),
                None => (fallback_year?, k),
            };
            let p = match (n, second_half) {
                (6, true) => Period::Half(y, 2),
                (6, false) => Period::Half(y, 1),
                (3, false) => Period::Quarter(y, 1),
                (12, false) => Period::Year(y),
                (n, _) => Period::Months(y, n),
            };
            Some((p, end, second_half))
        }
        _ if t.low(i + 1) == "năm"
            && small_num(t, i).is_some()
            && (t.any_at(i + 2, &["qua", "vừa qua", "gần đây"]).is_some()
                || matches!(t.low(i.wrapping_sub(1)), "trong" | "sau" | "qua")) =>
        {
            // "5 năm qua", "trong 10 năm thực hiện", "sau 12 năm": the years up to the report.
            let p = published?;
            let n = i32::from(small_num(t, i)?);
            let e = t
                .any_at(i + 2, &["qua", "vừa qua", "gần đây"])
                .unwrap_or(i + 2);
            let y = last_year(p);
            Some((Period::Span(y - n, y), e, false))
        }
        _ => {
            // A bare span "2021-2025".
            let a = year_of(t, i)?;
            if t.is_punct(i + 1, '-') {
                let b = year_of(t, i + 2)?;
                if b > a && b - a <= 10 {
                    return Some((Period::Span(a, b), i + 3, false));
                }
            }
            None
        }
    }
}

/// Target cues: a number after one of these in its sentence is a plan, goal or forecast.
pub(crate) const TARGET_CUES: &[&str] = &[
    "phấn đấu",
    "kế hoạch vốn",
    "chỉ tiêu đặt ra",
    "mục tiêu",
    "dự kiến",
    "định hướng",
    "kế hoạch năm",
    "kế hoạch giao",
    "chỉ tiêu năm",
    "chỉ tiêu đề ra",
    "chỉ tiêu kế hoạch",
    "dự báo",
    "đặt mục tiêu",
    "kỳ vọng",
    "sẽ đạt",
    "sẽ có",
    "phấn đầu",
    "phương hướng",
    "nhiệm vụ năm",
    "đề ra",
    "chỉ tiêu giao",
    "được giao",
    "tỉnh giao",
    "huyện giao",
    "dự toán năm",
    "dự toán giao",
    "cần đạt",
    "phải đạt",
    "hướng tới",
    "mục tiêu đến",
];

/// Cues that keep a number actual even after a target cue (`ước đạt`, `đã đạt`).
pub(crate) const ACTUAL_CUES: &[&str] = &[
    "đến nay",
    "hiện nay",
    "hiện có",
    "đã",
    "ước đạt",
    "ước tính",
    "đã đạt",
    "đạt được",
    "thực hiện được",
    "đã có",
];

#[cfg(test)]
mod tests {
    use super::super::token::tokenize;
    use super::*;

    fn periods(s: &str, pubd: Option<NaiveDate>) -> Vec<(String, bool)> {
        let lower = s.to_lowercase();
        let mut v = Vec::new();
        tokenize(s, &mut v);
        let t = Toks {
            toks: &v,
            lower: &lower,
            text: s,
        };
        let mut out = Vec::new();
        find_mentions(&t, 0, v.len(), pubd, None, &mut out);
        out.iter().map(|m| (m.period.label(), m.ignore)).collect()
    }

    fn d(y: i32, m: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, 6)
    }

    #[test]
    fn shapes() {
        assert_eq!(
            periods("6 tháng đầu năm 2024, thu", None),
            [("2024-H1".into(), false)]
        );
        assert_eq!(periods("quý III/2024", None), [("2024-Q3".into(), false)]);
        assert_eq!(
            periods("9 tháng năm 2024", None),
            [("2024-9M".into(), false)]
        );
        assert_eq!(
            periods("giai đoạn 2021-2025", None),
            [("2021/2025".into(), false)]
        );
        assert_eq!(periods("Năm 2023, huyện", None), [("2023".into(), false)]);
    }

    #[test]
    fn last_year_depends_on_publication_month() {
        assert_eq!(
            periods("Năm qua, huyện", d(2024, 1)),
            [("2023".into(), false)]
        );
        assert_eq!(
            periods("Năm qua, huyện", d(2024, 12)),
            [("2024".into(), false)]
        );
    }

    #[test]
    fn comparison_bases_are_ignored() {
        assert_eq!(
            periods("tăng 14,62% so với năm 2022", None),
            [("2022".into(), true)]
        );
        assert_eq!(
            periods("so với cùng kỳ năm 2022", None),
            [("2022".into(), true)]
        );
        let p = periods("5 năm liền (từ năm 2019 đến năm 2023)", None);
        assert!(p.iter().all(|(_, ign)| *ign), "{p:?}");
    }
}
