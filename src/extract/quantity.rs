//! Quantities: a number with its unit, ratio, range and approximation cue, and the role it plays
//! in its clause (a level, a growth rate, a percentage of plan, or nothing).
//!
//! `20/21 chỉ tiêu` is a ratio, `6/1` and `06/01/2024` are dates, `12/QĐ-UBND` is a document
//! number; `từ 5 đến 7%` and `5-7%` are ranges; `tăng 14,62%` is growth, `đạt 107,79% kế hoạch`
//! and `vượt 4,45% kế hoạch` are shares of plan, `tăng 2,02 tạ/ha` is an absolute change (no
//! role at all).

use super::negative::blocked_prefix;
use super::number::{parse_number, Number};
use super::token::{TokKind, Toks};
use super::unit::{match_unit, mixed_amount, UnitClass, UnitMatch};

/// A number with its unit.
#[derive(Debug, Clone)]
pub(crate) struct Quantity {
    /// First token of the approximation cue, or of the number.
    pub cue_start: usize,
    /// First token of the number.
    pub first: usize,
    /// One past the last token of the number part (before the unit).
    pub num_end: usize,
    /// One past the unit.
    pub end: usize,
    /// The value (low end of a range).
    pub value: f64,
    /// High end of a range.
    pub high: Option<f64>,
    /// Denominator of a ratio.
    pub total: Option<f64>,
    /// The unit.
    pub unit: UnitMatch,
    /// `khoảng`, `gần`, `hơn`, `trên`, `ước đạt`, `ước tính`...
    pub approx: bool,
}

/// What a quantity is in its clause.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Role {
    /// A level: the fact itself.
    Level,
    /// A signed growth rate in percent: an attribute of the level before it, or a fact alone.
    Growth(f64),
    /// A percentage of plan.
    Plan(f64),
    /// Not a fact and not an attribute (absolute change, bare excess).
    Drop,
}

const APPROX: &[&str] = &[
    "ước đạt",
    "ước tính",
    "ước",
    "khoảng",
    "gần",
    "hơn",
    "trên",
    "xấp xỉ",
    "chừng",
    "ngót",
    "khoảng hơn",
    "khoảng gần",
    "đạt khoảng",
    "đạt trên",
    "đạt hơn",
    "đạt gần",
    "ước khoảng",
];

const DATE_CUES: &[&str] = &[
    "ngày", "sáng", "chiều", "tối", "trưa", "đêm", "hôm", "từ", "đến", "tới", "rạng", "đầu", "cuối",
];

fn num(t: &Toks<'_>, i: usize) -> Option<Number> {
    if !t.is_num(i) {
        return None;
    }
    parse_number(t.low(i)).filter(|n| !n.leading_zero)
}

/// "08/15 xã", "01 thị trấn": administrative writing pads small counts with a zero. A one- or
/// two-digit number with a leading zero is a count when a counted noun (or `/N noun`) follows.
fn small_leading_zero_count(t: &Toks<'_>, i: usize) -> Option<Number> {
    let w = t.low(i);
    if !t.is_num(i) || w.len() != 2 || !w.starts_with('0') {
        return None;
    }
    let n = parse_number(w)?;
    let next = if t.is_punct(i + 1, '/') && t.is_num(i + 2) {
        i + 3
    } else {
        i + 1
    };
    // "06 tỷ USD" too: a padded amount before a scale word.
    match_unit(t, next)
        .filter(|u| (u.class == UnitClass::Count && u.scale == 1.0) || u.scale > 1.0)
        .map(|_| Number {
            leading_zero: false,
            ..n
        })
}

fn glued(t: &Toks<'_>, i: usize) -> bool {
    t.get(i).is_some_and(|x| !x.space_before)
}

/// Parses the quantity whose number is token `i`, if it is one.
pub(crate) fn quantity_at(t: &Toks<'_>, i: usize) -> Option<Quantity> {
    // Second half of a date, score or code: "6/1", "3-1", "05-NQ".
    if i > 0
        && glued(t, i)
        && (t.is_punct(i - 1, '/')
            || t.is_punct(i - 1, '-')
            || t.is_punct(i - 1, ':')
            || t.is_punct(i - 1, '.')
            || t.is_word(i - 1))
    {
        return None;
    }
    if i > 0
        && blocked_prefix(t.low(i - 1))
        && !(t.low(i - 1) == "số" && matches!(t.low(i.wrapping_sub(2)), "tổng" | "dân"))
        && !(t.low(i - 1) == "hạng" && t.low(i.wrapping_sub(2)) == "phân")
    {
        return None;
    }
    let n = num(t, i).or_else(|| small_leading_zero_count(t, i))?;
    let mut k = i + 1;
    let mut total = None;
    let mut high = None;
    // Ratio "20/21 chỉ tiêu" vs date "6/1", "06/01/2024" vs "12/QĐ-UBND".
    if t.is_punct(k, '/') && glued(t, k) {
        if !glued(t, k + 1) {
            return None;
        }
        if t.is_word(k + 1) {
            return None;
        }
        let b = num(t, k + 1)?;
        if t.is_punct(k + 2, '/') || t.is_punct(k + 2, '-') {
            return None;
        }
        if i > 0 && DATE_CUES.contains(&t.low(i - 1)) {
            return None;
        }
        if b.value <= 0.0 {
            return None;
        }
        // "127/120 đảng viên", "2.110,4/2.106 tỷ đồng": actual over plan, not a part of a
        // whole; the value stands without a total (LABELING.md).
        let actual_over_plan =
            n.value > b.value || match_unit(t, k + 2).is_some_and(|u| u.class != UnitClass::Count);
        if !actual_over_plan {
            total = Some(b.value);
        }
        k += 2;
    } else if t.is_punct(k, ':') && glued(t, k) && t.is_num(k + 1) && glued(t, k + 1) {
        // "8:30", "1.5.2024" pieces.
        return None;
    }
    // Range: "5-7%", "5 - 7%", "từ 5 đến 7%".
    if total.is_none()
        && (t.is_punct(k, '-')
            || (matches!(t.low(k), "đến" | "tới") && t.low(i.wrapping_sub(1)) == "từ"))
    {
        if let Some(b) = num(t, k + 1) {
            if b.value > n.value && match_unit(t, k + 2).is_some() {
                high = Some(b.value);
                k += 2;
            }
        }
    }
    // "153 tỷ 900 triệu đồng": one amount, written with the larger scale.
    if high.is_none() && total.is_none() {
        if let Some((unit, frac)) = mixed_amount(t, k) {
            let n = Number {
                value: n.value + frac,
                ..n
            };
            return finish(t, i, k, n, total, high, unit);
        }
    }
    let unit = match_unit(t, k)?;
    // "từ 5% đến 7%"
    if high.is_none()
        && total.is_none()
        && matches!(t.low(unit.end), "đến" | "tới" | "-")
        && t.low(i.wrapping_sub(1)) == "từ"
    {
        // "từ 35% đến dưới 60%"
        let b_at = if matches!(t.low(unit.end + 1), "dưới" | "trên" | "hơn" | "khoảng") {
            unit.end + 2
        } else {
            unit.end + 1
        };
        if let Some(b) = num(t, b_at) {
            if let Some(u2) = match_unit(t, b_at + 1) {
                if u2.written == unit.written && b.value > n.value {
                    high = Some(b.value);
                    let mut u = u2;
                    u.written = unit.written.clone();
                    return finish(t, i, k, n, total, high, u);
                }
            }
        }
    }
    // "20 chỉ tiêu/21 chỉ tiêu", "43 hộ nghèo/2.254 hộ": a part of a whole written with the
    // noun on both sides.
    if total.is_none() && high.is_none() && unit.class == UnitClass::Count {
        let slash = (unit.end..(unit.end + 4).min(t.len()))
            .take_while(|&j| t.is_word(j) || t.is_punct(j, '/'))
            .find(|&j| t.is_punct(j, '/'));
        if let Some(j) = slash {
            if let (Some(b), Some(u2)) = (num(t, j + 1), match_unit(t, j + 2)) {
                if u2.class == UnitClass::Count
                    && unit.written.starts_with(u2.written.as_str())
                    && b.value >= n.value
                {
                    return finish(t, i, k, n, Some(b.value), None, unit);
                }
            }
        }
    }
    // A counted noun that is a level word and is followed by a name is an area, not a count:
    // "3 xã Kỳ Châu, Kỳ Đồng".
    if unit.level_noun
        && t.get(unit.end)
            .is_some_and(|x| x.kind == TokKind::Word && x.upper)
    {
        return None;
    }
    // Ages: "5 người 80 tuổi" is fine, "80 tuổi" never reaches here; "người" + "tuổi" is.
    if t.low(unit.end) == "tuổi" {
        return None;
    }
    finish(t, i, k, n, total, high, unit)
}

fn finish(
    t: &Toks<'_>,
    i: usize,
    num_end: usize,
    n: Number,
    total: Option<f64>,
    high: Option<f64>,
    unit: UnitMatch,
) -> Option<Quantity> {
    let start = if high.is_some() && t.low(i.wrapping_sub(1)) == "từ" {
        i - 1
    } else {
        i
    };
    let cue = t.any_before(start, APPROX);
    // "ước tính đạt", "ước thực hiện cả năm đạt": an estimate a few words back.
    let approx = cue.is_some() || (start.saturating_sub(4)..start).any(|k| t.low(k) == "ước");
    // "trên 1 ha", "mỗi 1 ha": a per-unit expression, not an amount.
    if n.value == 1.0
        && matches!(
            t.low(start.wrapping_sub(1)),
            "trên" | "mỗi" | "một" | "quân" | "/"
        )
    {
        return None;
    }
    Some(Quantity {
        cue_start: cue.unwrap_or(start),
        first: i,
        num_end,
        end: unit.end,
        value: super::number::tidy(n.value),
        high: high.map(super::number::tidy),
        total,
        unit,
        approx,
    })
}

/// Words after a percentage that make it a share of plan.
const PLAN_WORDS: &[&str] = &[
    "kế hoạch",
    "kh",
    "dự toán",
    "chỉ tiêu",
    "nghị quyết",
    "mục tiêu",
    "kịch bản",
    "nhiệm vụ",
];
/// Words after `so với` that make a percentage a comparison with an earlier period.
const YOY_WORDS: &[&str] = &[
    "cùng kỳ",
    "năm",
    "tháng",
    "quý",
    "quí",
    "kỳ",
    "cuối năm",
    "đầu năm",
    "thời điểm",
];

/// Change verbs before a number, up to two filler words between ("tăng bình quân 7,5%").
fn change_before(t: &Toks<'_>, at: usize, lo: usize) -> Option<(f64, usize)> {
    let mut k = at;
    let mut fillers = 0;
    while k > lo {
        k -= 1;
        match t.low(k) {
            "tăng" => return Some((1.0, k)),
            "giảm" => return Some((-1.0, k)),
            "trưởng" | "thêm" | "đi" | "bình" | "quân" | "mạnh" | "khoảng" | "hơn" | "gần"
            | "trên" | "được" | "nhẹ" | "lần" | "chỉ" | "ước" | "đạt" | "tới" | "đến" | "ở"
            | "mức" => {
                fillers += 1;
                if fillers > 4 {
                    return None;
                }
            }
            _ => return None,
        }
    }
    None
}

/// Classifies quantity `q` in a clause starting at token `lo`.
pub(crate) fn role(t: &Toks<'_>, q: &Quantity, lo: usize) -> Role {
    let x = q.value;
    let before = t.low(q.cue_start.wrapping_sub(1));
    // "tăng lên 5 xã", "giảm còn 2,5%", "giảm xuống 3%": the new level.
    let to_level = matches!(before, "lên" | "còn" | "xuống");
    // "giảm từ 5,2% xuống còn 3,8%": the old level is not this period's fact.
    if before == "từ" && matches!(t.low(q.end), "xuống" | "lên" | "còn") {
        return Role::Drop;
    }
    let change = if to_level {
        None
    } else {
        change_before(t, q.cue_start, lo)
    };
    let vuot = before == "vượt"
        || t.any_before(q.cue_start, &["vượt", "vượt mức", "vượt kế hoạch"])
            .is_some();
    let mut k = q.end;
    let so_voi = t.any_at(k, &["so với", "so", "bằng"]);
    if let Some(e) = so_voi {
        k = e;
    }
    // "so với HĐND huyện giao", "so với chỉ tiêu UBND tỉnh giao": the base is a plan.
    let plan_after = t.any_at(k, PLAN_WORDS).is_some()
        || (so_voi.is_some() && (k..k + 5).any(|j| t.low(j) == "giao"));
    // "so với dự toán tỉnh giao đạt 142,26%", "giải ngân vốn đầu tư công đạt 68,15%": the
    // base (or a disbursement, always measured against its plan) comes before the number.
    let plan_before = (lo.max(q.cue_start.saturating_sub(8))..q.cue_start).any(|j| {
        (t.low(j) == "so" && t.low(j + 1) == "với" && t.any_at(j + 2, PLAN_WORDS).is_some())
            || t.phrase_at(j, "giải ngân").is_some()
    });
    let yoy_after = so_voi.is_some() && t.any_at(k, YOY_WORDS).is_some();
    match q.unit.class {
        UnitClass::Percent => {
            if plan_before && change.is_none() {
                return Role::Plan(x);
            }
            if plan_after {
                return match change {
                    Some((s, _)) if s > 0.0 => Role::Plan(100.0 + x),
                    Some(_) => Role::Plan(100.0 - x),
                    None if vuot => Role::Plan(100.0 + x),
                    None => Role::Plan(x),
                };
            }
            if let Some((s, _)) = change {
                return Role::Growth(s * x);
            }
            if vuot {
                return Role::Drop;
            }
            if yoy_after && matches!(before, "bằng" | "đạt") {
                return Role::Growth(x - 100.0);
            }
            Role::Level
        }
        // "giảm 312 hộ nghèo", "có thêm 34 doanh nghiệp": a flow of counted things is a fact;
        // "tăng 5 doanh nghiệp so với năm trước" is a difference.
        UnitClass::Count if change.is_some() && so_voi.is_none() => Role::Level,
        // "vốn đầu tư tăng thêm 2.697 tỷ đồng": added capital, a flow, not a comparison.
        _ if change.is_some()
            && so_voi.is_none()
            && t.low(q.cue_start.wrapping_sub(1)) == "thêm" =>
        {
            Role::Level
        }
        // "đạt và vượt 46/50 chỉ tiêu": a part of a whole is a level whatever the verb.
        _ if q.total.is_some() && change.is_none() => Role::Level,
        _ => {
            if change.is_some() || vuot {
                Role::Drop
            } else {
                Role::Level
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::token::tokenize;
    use super::*;

    fn first_q(s: &str) -> Option<(Quantity, Role)> {
        let lower = s.to_lowercase();
        let mut v = Vec::new();
        tokenize(s, &mut v);
        let t = Toks {
            toks: &v,
            lower: &lower,
            text: s,
        };
        (0..v.len()).find_map(|i| quantity_at(&t, i)).map(|q| {
            let r = role(&t, &q, 0);
            (q, r)
        })
    }

    #[test]
    fn ratio_not_date() {
        let (q, _) = first_q("có 20/21 chỉ tiêu đạt").unwrap();
        assert_eq!((q.value, q.total), (20.0, Some(21.0)));
        assert!(first_q("Chiều 6/1, huyện tổ chức").is_none());
        assert!(first_q("ngày 06/01/2024 có 5 xã").map(|(q, _)| q.value) == Some(5.0));
        assert!(first_q("Quyết định số 12/QĐ-UBND").is_none());
        assert!(first_q("ngày 15/3 xã Kỳ Châu").is_none());
    }

    #[test]
    fn ranges() {
        let (q, _) = first_q("tăng từ 5 đến 7%").unwrap();
        assert_eq!((q.value, q.high), (5.0, Some(7.0)));
        let (q, _) = first_q("tăng 5-7%").unwrap();
        assert_eq!((q.value, q.high), (5.0, Some(7.0)));
    }

    #[test]
    fn roles() {
        assert_eq!(
            first_q("đạt 107,79% kế hoạch").unwrap().1,
            Role::Plan(107.79)
        );
        assert_eq!(
            first_q("vượt 4,45% kế hoạch").unwrap().1,
            Role::Plan(104.45)
        );
        assert_eq!(
            first_q("tăng 14,62% so với năm 2022").unwrap().1,
            Role::Growth(14.62)
        );
        assert_eq!(first_q("giảm 3,1%").unwrap().1, Role::Growth(-3.1));
        let (_, r) = first_q("bằng 103,7% so với năm 2021").unwrap();
        assert!(matches!(r, Role::Growth(g) if (g - 3.7).abs() < 1e-9));
        assert_eq!(first_q("đạt 111% dự toán").unwrap().1, Role::Plan(111.0));
        assert_eq!(
            first_q("tăng 2,02 tạ/ha so với năm 2022").unwrap().1,
            Role::Drop
        );
        assert_eq!(first_q("giảm còn 2,5%").unwrap().1, Role::Level);
        assert_eq!(first_q("đạt trên 98,5%").unwrap().1, Role::Level);
        assert!(first_q("đạt trên 98,5%").unwrap().0.approx);
    }

    #[test]
    fn not_quantities() {
        assert!(first_q("5 năm liền").is_none());
        assert!(first_q("4 sao").is_none());
        assert!(first_q("năm 2023 đạt").is_none());
        assert!(first_q("0912.345.678 hộ").is_none());
    }
}
