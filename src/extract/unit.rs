//! Units after a number: money, mass, area, percent, per-unit rates and counted nouns, with the
//! conversion to a base unit (VND, USD, kg, ha, %, count).
//!
//! A unit is `[scale] base [/per]*`: `1,2 nghìn tỷ đồng`, `49,09 triệu đồng/người/năm`,
//! `54,5 tạ/ha`, `2 vạn người`. For counted nouns the unit is the noun that follows the number
//! (`5.892 học viên`); only nouns listed here count, so that a number followed by an unknown
//! word is not taken for a fact (precision first).

use super::lexicon::WordMap;
use super::number::SCALES;
use super::token::{TokKind, Toks};
use std::sync::OnceLock;

/// The family of a unit, which decides how it is used and converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnitClass {
    /// VND or USD.
    Money,
    /// A measured quantity: mass, area, length, volume, energy.
    Measure,
    /// Percent.
    Percent,
    /// A counted noun.
    Count,
}

/// A matched unit.
#[derive(Debug, Clone)]
pub(crate) struct UnitMatch {
    /// Token index just after the unit.
    pub end: usize,
    /// The unit as written, lower case ("tỷ đồng", "tạ/ha", "học viên").
    pub written: String,
    /// Base unit ("VND", "kg/ha", "count"), when defined.
    pub base: Option<String>,
    /// Multiplier from the written unit to the base unit (scale included).
    pub factor: f64,
    /// Family.
    pub class: UnitClass,
    /// Money per good, per time or per act (`đồng/kg`, `triệu đồng/tháng`): a price, not a fact.
    pub price_like: bool,
    /// The count noun is also an area level word (`xã`, `huyện`, `thôn`).
    pub level_noun: bool,
    /// The scale word's multiplier (1 without one).
    pub scale: f64,
    /// First token after the scale word.
    pub noun_start: usize,
}

/// Measured units: written form (tokens separated by spaces), base, factor, class.
const MEASURES: &[(&str, &str, f64, UnitClass)] = &[
    ("phần trăm", "%", 1.0, UnitClass::Percent),
    ("%", "%", 1.0, UnitClass::Percent),
    ("điểm phần trăm", "%", 1.0, UnitClass::Percent),
    ("đồng", "VND", 1.0, UnitClass::Money),
    ("usd", "USD", 1.0, UnitClass::Money),
    ("đô la mỹ", "USD", 1.0, UnitClass::Money),
    ("đô la", "USD", 1.0, UnitClass::Money),
    ("đôla", "USD", 1.0, UnitClass::Money),
    ("tấn", "kg", 1000.0, UnitClass::Measure),
    ("tạ", "kg", 100.0, UnitClass::Measure),
    ("kg", "kg", 1.0, UnitClass::Measure),
    ("ha", "ha", 1.0, UnitClass::Measure),
    ("héc - ta", "ha", 1.0, UnitClass::Measure),
    ("hecta", "ha", 1.0, UnitClass::Measure),
    ("hécta", "ha", 1.0, UnitClass::Measure),
    ("km2", "ha", 100.0, UnitClass::Measure),
    ("km²", "ha", 100.0, UnitClass::Measure),
    ("m2", "m2", 1.0, UnitClass::Measure),
    ("m²", "m2", 1.0, UnitClass::Measure),
    ("m3", "m3", 1.0, UnitClass::Measure),
    ("m³", "m3", 1.0, UnitClass::Measure),
    ("km", "km", 1.0, UnitClass::Measure),
    ("cây số", "km", 1.0, UnitClass::Measure),
    ("mét", "m", 1.0, UnitClass::Measure),
    ("lít", "l", 1.0, UnitClass::Measure),
    ("kwh", "kWh", 1.0, UnitClass::Measure),
    ("mw", "MW", 1.0, UnitClass::Measure),
    ("kw", "kW", 1.0, UnitClass::Measure),
    ("teu", "TEU", 1.0, UnitClass::Measure),
];

/// Counted nouns (the unit is the noun). Longest forms first within a first word is handled by
/// the lookup, so order here does not matter.
const COUNT_NOUNS: &[&str] = &[
    // areas and settlements
    "xã",
    "phường",
    "thị trấn",
    "huyện",
    "thị xã",
    "tỉnh",
    "thôn",
    "tổ dân phố",
    "khu dân cư",
    "bản",
    "làng",
    "ấp",
    "xóm",
    "buôn",
    "khu phố",
    "đơn vị",
    "khối",
    "tổ dân cư",
    // households and people
    "hộ",
    "người",
    "nhân khẩu",
    "khẩu",
    "lao động",
    "công nhân",
    "học sinh",
    "sinh viên",
    "học viên",
    "giáo viên",
    "trẻ",
    "trẻ em",
    "bệnh nhân",
    "ca",
    "giường bệnh",
    "bác sĩ",
    "cán bộ",
    "công chức",
    "viên chức",
    "đảng viên",
    "quần chúng",
    "đồng chí",
    "hội viên",
    "đoàn viên",
    "thành viên",
    "thanh niên",
    "lượt người",
    "lượt",
    "lượt khách",
    "lượt hộ",
    "đồng bào",
    "thửa",
    "thửa đất",
    "bị can",
    "ngày công",
    "chuyến",
    "sự kiện",
    "lễ hội",
    "khách sạn",
    "phòng",
    "giường",
    "trạm",
    "camera",
    "ngôi",
    "máy",
    "cá thể",
    "phòng khám",
    "em",
    "điểm",
    "du khách",
    "khách",
    "thí sinh",
    "tình nguyện viên",
    "cử tri",
    "hội",
    "đảng viên dự bị",
    "trung kiên",
    "hộ kinh doanh",
    "hộ gia đình",
    "lượt du khách",
    // organisations and establishments
    "tổ chức đảng",
    "tổ chức cơ sở đảng",
    "tổ chức đảng cơ sở",
    "chi bộ cơ sở",
    "đảng bộ cơ sở",
    "đơn vị kinh tế",
    "đơn vị cấp huyện",
    "đơn vị cấp xã",
    "đơn vị hành chính",
    "khu dân cư tập trung",
    "tuyến phố",
    "tuyến đường",
    "trường học",
    "chi bộ",
    "đảng bộ",
    "tổ chức",
    "doanh nghiệp",
    "hợp tác xã",
    "htx",
    "tổ hợp tác",
    "cơ sở",
    "trang trại",
    "gia trại",
    "trường",
    "lớp",
    "phòng học",
    "trạm y tế",
    "bệnh viện",
    "chợ",
    "siêu thị",
    "làng nghề",
    "cụm công nghiệp",
    "khu công nghiệp",
    "nhà máy",
    "câu lạc bộ",
    "mô hình",
    "tổ",
    "nhóm",
    "nhà văn hóa",
    "thiết chế",
    "di tích",
    "điểm du lịch",
    "khu du lịch",
    "cơ sở lưu trú",
    // works, projects, documents, goods
    "dự án",
    "công trình",
    "hạng mục",
    "sản phẩm",
    "chỉ tiêu",
    "tiêu chí",
    "thẻ đảng",
    "thẻ",
    "căn nhà",
    "căn hộ",
    "căn",
    "ngôi nhà",
    "nhà",
    "nhà ở",
    "con",
    "chiếc",
    "tàu",
    "phương tiện",
    "xe",
    "cây",
    "hồ sơ",
    "thủ tục",
    "văn bản",
    "đơn",
    "vụ",
    "vụ việc",
    "vụ án",
    "đối tượng",
    "việc làm",
    "hợp đồng",
    "giấy phép",
    "giấy chứng nhận",
    "tài khoản",
    "thuê bao",
    "cuộc",
    "đợt",
    "buổi",
    "tuyến",
    "cầu",
    "cống",
    "kênh",
    "hồ",
    "đập",
    "container",
    "tour",
];

/// Count nouns that are also area level words: followed by a capitalised name they name an
/// area (`xã Kỳ Châu`), not a count.
const LEVEL_NOUNS: &[&str] = &[
    "xã",
    "phường",
    "thị trấn",
    "huyện",
    "thị xã",
    "tỉnh",
    "thôn",
    "tổ dân phố",
    "bản",
    "làng",
    "ấp",
    "xóm",
    "buôn",
    "khu phố",
    "tổ",
    "cầu",
    "hồ",
    "chợ",
    "trường",
    "đảng bộ",
    "chi bộ",
    "làng nghề",
    "cụm công nghiệp",
    "khu công nghiệp",
    "nhà máy",
    "bệnh viện",
    "tàu",
    "đơn vị",
];

/// Words after a `/` that make a money amount a price of one good or a wage per period.
const PRICE_PER: &[&str] = &[
    "kg",
    "lít",
    "con",
    "tấn",
    "tạ",
    "m2",
    "m²",
    "m3",
    "chiếc",
    "quả",
    "bao",
    "cây",
    "lượng",
    "chỉ",
    "thùng",
    "gói",
    "suất",
    "vé",
    "lần",
    "sản phẩm",
    "bộ",
    "cái",
    "ngày",
    "giờ",
    "công",
    "kwh",
    "đêm",
    "phòng",
    "km",
    "usd",
    "chai",
    "hộp",
    "mét",
    "m",
    "kỳ",
];

fn count_index() -> &'static WordMap<Vec<&'static str>> {
    static IDX: OnceLock<WordMap<Vec<&'static str>>> = OnceLock::new();
    IDX.get_or_init(|| {
        let mut m: WordMap<Vec<&'static str>> = WordMap::default();
        for p in COUNT_NOUNS {
            let first = p.split(' ').next().unwrap_or(p);
            m.entry(first).or_default().push(p);
        }
        for v in m.values_mut() {
            v.sort_by_key(|p| std::cmp::Reverse(p.split(' ').count()));
        }
        m
    })
}

/// Joins tokens `from..to` as a unit is written: words with single spaces, `/` glued.
fn written(t: &Toks<'_>, from: usize, to: usize) -> String {
    let mut s = String::new();
    for k in from..to {
        let w = t.low(k);
        if k > from && w != "/" && w != "%" && !s.ends_with('/') {
            s.push(' ');
        }
        s.push_str(w);
    }
    s
}

/// The longest counted noun at `i`, with the index after it.
pub(crate) fn count_noun_at(t: &Toks<'_>, i: usize) -> Option<usize> {
    if !t.is_word(i) {
        return None;
    }
    let cands = count_index().get(t.low(i))?;
    cands.iter().find_map(|p| t.phrase_at(i, p))
}

/// Matches the unit starting at token `i` (just after a number).
pub(crate) fn match_unit(t: &Toks<'_>, i: usize) -> Option<UnitMatch> {
    let mut j = i;
    let mut scale = 1.0;
    for (w, f) in SCALES.iter() {
        if let Some(k) = t.phrase_at(j, w) {
            scale = *f;
            j = k;
            break;
        }
    }
    // A counted noun that starts like a unit ("đồng chí" vs "đồng") wins when longer.
    let count_end = count_noun_at(t, j);
    let measure = MEASURES
        .iter()
        .find_map(|(p, b, f, c)| t.phrase_at(j, p).map(|k| (k, *b, *f, *c)))
        .filter(|(k, ..)| count_end.is_none_or(|ce| ce <= *k));
    if let Some((k, base, factor, class)) = measure {
        if class == UnitClass::Percent && scale != 1.0 {
            return None;
        }
        // "m" / "ha" must be a whole word, not the start of a name ("Ha Long") or a glued code.
        if t.get(j).is_some_and(|tok| tok.upper) && class == UnitClass::Measure && base == "ha" {
            return None;
        }
        let (end, per) = per_suffix(t, k);
        let per_text = if per > k {
            written(t, k, end)
        } else {
            String::new()
        };
        let price_like = matches!(class, UnitClass::Money)
            && per > k
            && PRICE_PER.iter().any(|p| t.phrase_at(k + 1, p).is_some());
        let base = if per > k {
            let per_norm = per_text.trim_start_matches('/');
            match (base, per_norm) {
                ("kg", "ha") => "kg/ha".to_string(),
                _ => format!("{base}/{per_norm}"),
            }
        } else {
            base.to_string()
        };
        return Some(UnitMatch {
            end,
            written: written(t, i, end),
            base: Some(base),
            factor: factor * scale,
            class,
            price_like,
            level_noun: false,
            scale,
            noun_start: j,
        });
    }
    let k = count_end?;
    let noun = written(t, j, k);
    let level_noun = LEVEL_NOUNS.contains(&noun.as_str());
    Some(UnitMatch {
        end: k,
        written: written(t, i, k),
        base: Some("count".to_string()),
        factor: scale,
        class: UnitClass::Count,
        price_like: false,
        level_noun,
        scale,
        noun_start: j,
    })
}

/// A mixed amount `2 tỷ 815 triệu USD`: at `i` a scale word, then a whole number below a
/// thousand, then a smaller scale and the rest of a unit. Returns the unit written with the
/// larger scale (`tỷ USD`) and the fraction the middle number adds (0.815).
pub(crate) fn mixed_amount(t: &Toks<'_>, i: usize) -> Option<(UnitMatch, f64)> {
    let (big_end, big) = SCALES
        .iter()
        .find_map(|(w, f)| t.phrase_at(i, w).map(|k| (k, *f)))?;
    let w = t.low(big_end);
    if !t.is_num(big_end) || w.len() > 3 || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mid: f64 = w.parse().ok()?;
    let u = match_unit(t, big_end + 1)?;
    if u.scale >= big || u.scale == 1.0 || u.class != UnitClass::Money {
        return None;
    }
    let frac = mid * u.scale / big;
    if frac >= 1.0 {
        return None;
    }
    let head = written(t, i, big_end);
    let tail = written(t, u.noun_start, u.end);
    Some((
        UnitMatch {
            written: format!("{head} {tail}"),
            factor: u.factor / u.scale * big,
            scale: big,
            ..u
        },
        frac,
    ))
}

/// Consumes `/word[ word]` groups after a unit ("/người/năm", "/ha"); returns the end index.
fn per_suffix(t: &Toks<'_>, mut k: usize) -> (usize, usize) {
    let start = k;
    // "55,3 triệu đồng/KH 55-56 triệu đồng": "/KH" opens the plan figure, it is no "per".
    while t.is_punct(k, '/')
        && t.get(k + 1).is_some_and(|x| {
            x.kind == TokKind::Word && (!x.space_before || matches!(t.low(k + 1), "năm" | "người"))
        })
        && !matches!(t.low(k + 1), "kh" | "kế" | "nq" | "ct")
    {
        k += 2;
    }
    (k, if k > start { k } else { start })
}

#[cfg(test)]
mod tests {
    use super::super::token::{tokenize, Toks};
    use super::*;

    fn unit(s: &str) -> Option<UnitMatch> {
        let lower = s.to_lowercase();
        let mut v = Vec::new();
        tokenize(s, &mut v);
        let t = Toks {
            toks: &v,
            lower: &lower,
            text: s,
        };
        match_unit(&t, 0)
    }

    #[test]
    fn money_with_scale() {
        let u = unit("tỷ đồng, đạt").unwrap();
        assert_eq!(u.written, "tỷ đồng");
        assert_eq!(u.factor, 1e9);
        assert_eq!(u.base.as_deref(), Some("VND"));
        let u = unit("nghìn tỷ đồng").unwrap();
        assert_eq!(u.factor, 1e12);
    }

    #[test]
    fn per_units() {
        let u = unit("tạ/ha, tăng").unwrap();
        assert_eq!(u.written, "tạ/ha");
        assert_eq!(u.base.as_deref(), Some("kg/ha"));
        assert_eq!(u.factor, 100.0);
        let u = unit("triệu đồng/người/năm;").unwrap();
        assert_eq!(u.written, "triệu đồng/người/năm");
        assert!(!u.price_like);
        assert!(unit("đồng/kg").unwrap().price_like);
    }

    #[test]
    fn counted_nouns() {
        let u = unit("học viên;").unwrap();
        assert_eq!(
            (u.written.as_str(), u.class),
            ("học viên", UnitClass::Count)
        );
        let u = unit("thẻ đảng.").unwrap();
        assert_eq!(u.written, "thẻ đảng");
        assert_eq!(unit("đồng chí,").unwrap().written, "đồng chí");
        assert!(unit("xã đạt chuẩn").unwrap().level_noun);
        assert!(unit("năm liền").is_none());
        assert!(unit("sao").is_none());
    }

    #[test]
    fn percent() {
        assert_eq!(unit("%").unwrap().class, UnitClass::Percent);
        assert_eq!(unit("phần trăm").unwrap().written, "phần trăm");
    }
}
