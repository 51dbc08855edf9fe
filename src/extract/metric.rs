//! The metric phrase of a fact: the shortest faithful phrase, as written.
//!
//! Measured values name their metric before the number (`tổng giá trị sản phẩm đạt 8.850,26 tỷ
//! đồng`); counted nouns carry it after (`5 lớp bồi dưỡng nhận thức Đảng`) or in a beneficiary
//! construction before (`chuyển đảng chính thức cho 157 đồng chí`). The phrase is cut from the
//! text as written, trimmed of framing words (periods, areas, `trong đó`, `đạt`, `là`...).

use super::token::{TokKind, Toks};

/// Framing words dropped at the start of a metric phrase.
const LEAD_FILLERS: &[&str] = &[
    "phấn đấu",
    "dự kiến",
    "mục tiêu",
    "mục tiêu là",
    "phấn đấu đến năm",
    "trong đó",
    "riêng",
    "cụ thể",
    "đặc biệt",
    "ngoài ra",
    "bên cạnh đó",
    "đến nay",
    "hiện nay",
    "hiện",
    "tính đến nay",
    "lũy kế",
    "tổng cộng",
    "theo đó",
    "trong năm",
    "năm qua",
    "và",
    "còn",
    "với",
    "có",
    "đã",
    "đạt",
    "toàn huyện",
    "toàn tỉnh",
    "toàn xã",
    "toàn thành phố",
    "toàn thị xã",
    "cả huyện",
    "cả tỉnh",
    "huyện",
    "tỉnh",
    "xã",
    "thị xã",
    "thành phố",
    "địa phương",
    "đơn vị",
    "trên địa bàn",
    "tại",
    "ở",
    "về",
    "như",
    "là",
    "thì",
    "nhìn chung",
    "qua đó",
    "bước đầu",
    "đồng thời",
    "đó là",
    "trong",
    "khi",
    "sau",
    "kết quả",
    "nhờ đó",
    "bình quân mỗi năm",
    "từ đầu năm đến nay",
    "từ đầu năm",
    "tính chung",
    "nhìn lại",
    "nay",
    "cùng với đó",
    "tiếp tục",
    "mới",
    "được",
];

/// Words dropped at the end of a metric phrase.
const TRAIL_FILLERS: &[&str] = &[
    "ước đạt",
    "ước tính",
    "dự kiến đạt",
    "dự kiến",
    "phấn đấu đạt",
    "phấn đấu",
    "đạt được",
    "đạt",
    "là",
    "có",
    "được",
    "đã",
    "với",
    "lên",
    "còn",
    "xuống",
    "chiếm",
    "khoảng",
    "trên",
    "hơn",
    "gần",
    "ước",
    "bằng",
    "vào",
    "cho",
    "của",
    "gồm",
    "đến",
    "tới",
    "thêm",
    "mới",
    "ở",
    "mức",
    "tăng",
    "giảm",
    "tăng trưởng",
    "cùng",
    "xấp xỉ",
    "đạt mức",
    "đạt khoảng",
    "thì",
    "lại",
    "hiện",
    "có tổng",
    "tổng",
    "khi",
    "nhất",
    "ra",
    "trong năm",
    "cũng",
    "đều",
    "sẽ",
    "từ",
    "giảm từ",
    "tăng từ",
];

/// Words that end the phrase after a counted noun (`5 lớp bồi dưỡng ... cho 305 quần chúng`).
const AFTER_STOPS: &[&str] = &[
    "cho",
    "với",
    "so",
    "tăng",
    "giảm",
    "chiếm",
    "bằng",
    "trong đó",
    "gồm",
    "trên tổng",
    "của",
    "tại",
    "ở",
    "là",
    "đạt tỷ lệ",
    "trong năm",
    "năm",
    "tương đương",
    "như",
    "nâng",
    "thì",
];

/// A token range `[start, end)`.
pub(crate) type Range = (usize, usize);

fn is_sep(t: &Toks<'_>, i: usize) -> bool {
    t.get(i).is_some_and(|x| x.kind == TokKind::Punct)
        && matches!(
            t.low(i),
            "," | "(" | ")" | ":" | "-" | "\"" | "'" | "." | "+" | "|" | "%" | "/"
        )
}

/// Trims framing words at both ends of `r`; `skip(i)` gives the end of a period or area mention
/// that starts at `i` (to drop leading "Năm 2023", "huyện Kỳ Anh").
pub(crate) fn trim(t: &Toks<'_>, mut r: Range, skip: &dyn Fn(usize) -> Option<usize>) -> Range {
    loop {
        let before = r;
        while r.0 < r.1 && is_sep(t, r.0) {
            r.0 += 1;
        }
        while r.1 > r.0 && (is_sep(t, r.1 - 1) || t.is_num(r.1 - 1)) {
            r.1 -= 1;
        }
        if r.0 >= r.1 {
            return (r.0, r.0);
        }
        if let Some(e) = skip(r.0) {
            r.0 = e.min(r.1);
        } else if let Some(e) = t.any_at(r.0, LEAD_FILLERS).filter(|&e| e <= r.1) {
            r.0 = e;
        }
        if let Some(s) = t.any_before(r.1, TRAIL_FILLERS).filter(|&s| s >= r.0) {
            r.1 = s;
        } else if let Some(k) =
            (r.1.saturating_sub(6).max(r.0 + 1)..r.1).find(|&k| skip(k) == Some(r.1))
        {
            // A trailing period or area ("CPI tháng 9/2024", "thu ngân sách huyện Kỳ Anh").
            r.1 = k;
        }
        if r == before {
            return r;
        }
    }
}

/// The phrase before a number: the last comma-separated chunk of `lo..at` that still holds
/// words after trimming.
pub(crate) fn before_phrase(
    t: &Toks<'_>,
    lo: usize,
    at: usize,
    skip: &dyn Fn(usize) -> Option<usize>,
) -> Range {
    let mut hi = at;
    let mut k = at;
    while k > lo {
        k -= 1;
        if t.is_punct(k, ',') || t.is_punct(k, '(') || t.is_punct(k, ')') || k == lo {
            let start = if k == lo && !t.is_punct(k, ',') && !t.is_punct(k, '(') {
                k
            } else {
                k + 1
            };
            let r = trim(t, (start, hi), skip);
            if r.1 > r.0 && (r.0..r.1).any(|i| t.is_word(i)) {
                return r;
            }
            hi = k;
        }
    }
    (at, at)
}

/// The phrase after a counted noun starting at `from` (the noun itself included).
pub(crate) fn after_phrase(t: &Toks<'_>, from: usize, limit: usize) -> Range {
    let mut e = from;
    while e < limit && e - from < 10 {
        if e > from && (t.any_at(e, AFTER_STOPS).is_some() || t.is_num(e)) {
            break;
        }
        if t.get(e).is_some_and(|x| x.kind == TokKind::Punct)
            && (t.low(e) != "-" || t.toks[e].space_before)
            && t.low(e) != "/"
        {
            break;
        }
        e += 1;
    }
    while e > from + 1 && matches!(t.low(e - 1), "và" | "cùng" | "hoặc" | "hay" | "cũng") {
        e -= 1;
    }
    (from, e)
}

/// The object after a measured unit (`2.150 ha rừng`): like [`after_phrase`], but empty when
/// the unit is directly followed by a stop word (`3 khu công nghiệp với tỷ lệ ...`).
pub(crate) fn object_phrase(t: &Toks<'_>, from: usize, limit: usize) -> Range {
    if t.any_at(from, AFTER_STOPS).is_some() || !t.is_word(from) {
        return (from, from);
    }
    after_phrase(t, from, limit)
}

/// The text as written of tokens `r`.
pub(crate) fn text_of(t: &Toks<'_>, r: Range) -> String {
    if r.1 <= r.0 {
        return String::new();
    }
    let s = t.toks[r.0].start as usize;
    let e = t.toks[r.1 - 1].end as usize;
    t.text.get(s..e).unwrap_or("").to_string()
}

/// True when the range is the single beneficiary construction `... cho`.
pub(crate) fn ends_with_cho(t: &Toks<'_>, lo: usize, at: usize) -> bool {
    at > lo && t.low(at - 1) == "cho"
}

#[cfg(test)]
mod tests {
    use super::super::token::tokenize;
    use super::*;

    fn with<F: FnOnce(&Toks<'_>) -> String>(s: &str, f: F) -> String {
        let lower = s.to_lowercase();
        let mut v = Vec::new();
        tokenize(s, &mut v);
        let t = Toks {
            toks: &v,
            lower: &lower,
            text: s,
        };
        f(&t)
    }

    #[test]
    fn before_trims_framing() {
        let s = "Trong đó, tổng giá trị sản phẩm đạt 8.850,26 tỷ đồng";
        let m = with(s, |t| {
            let at = (0..t.len()).find(|&i| t.is_num(i)).unwrap();
            text_of(t, before_phrase(t, 0, at, &|_| None))
        });
        assert_eq!(m, "tổng giá trị sản phẩm");
        let s = "Thu ngân sách: 193,65 tỷ đồng";
        let m = with(s, |t| text_of(t, before_phrase(t, 0, 4, &|_| None)));
        assert_eq!(m, "Thu ngân sách");
    }

    #[test]
    fn after_stops_at_beneficiary() {
        let s = "5 lớp bồi dưỡng nhận thức Đảng cho 305 quần chúng";
        let m = with(s, |t| text_of(t, after_phrase(t, 1, t.len())));
        assert_eq!(m, "lớp bồi dưỡng nhận thức Đảng");
        let s = "18 sản phẩm OCOP (2 sản phẩm 4 sao";
        let m = with(s, |t| text_of(t, after_phrase(t, 1, t.len())));
        assert_eq!(m, "sản phẩm OCOP");
    }
}
