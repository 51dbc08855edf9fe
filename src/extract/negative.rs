//! Not-facts: numbers that look like indicators but are not (EXTRACTION.md, "Not facts").
//!
//! Dates, times, ages, phone and document numbers rarely reach this module: they carry no unit,
//! and a number without a known unit is never a fact. What remains are numbers with a unit in
//! the wrong context: awards to named people or collectives, meeting attendance, a single
//! donation, prize or fine, casualties of one accident, weather, sports, lotteries, prices of
//! single goods, and work in progress (`đang thẩm định 4 sản phẩm`). Each context is a tag on
//! the clause; the pipeline asks whether a fact of a given unit class survives it.

use super::lexicon::PhraseSet;
use super::token::Toks;
use super::unit::UnitClass;
use std::sync::OnceLock;

/// Awards, certificates, commendations.
pub(crate) const AWARD: u8 = 0;
/// Meeting or ceremony attendance.
pub(crate) const ATTENDANCE: u8 = 1;
/// Gifts, donations, scholarships, prizes.
pub(crate) const DONATION: u8 = 2;
/// One accident, fire or drowning.
pub(crate) const ACCIDENT: u8 = 3;
/// Weather and water levels.
pub(crate) const WEATHER: u8 = 4;
/// Sports results.
pub(crate) const SPORTS: u8 = 5;
/// Lotteries.
pub(crate) const LOTTERY: u8 = 6;
/// Fines.
pub(crate) const FINE: u8 = 7;
/// A count of cases (`xảy ra 12 vụ tai nạn`): statistics, not one accident.
pub(crate) const CASE_COUNT: u8 = 8;
/// One arrest or seizure (`bắt quả tang 2 đối tượng tàng trữ 5 gam ma túy`).
pub(crate) const CRIME: u8 = 10;
/// One household's story (`gia đình anh A có 4 người, nuôi 3 con bò`).
pub(crate) const SINGLE_HOUSEHOLD: u8 = 11;
/// Hit marker (not a cue tag): a number followed by `vụ` or `ca`.
const NUM_CASES: u8 = 31;
/// A single project's or company's figures.
pub(crate) const SINGLE: u8 = 9;

const CUES: &[(&str, u8)] = &[
    ("bằng khen", AWARD),
    ("giấy khen", AWARD),
    ("khen thưởng", AWARD),
    ("trao giấy chứng nhận", AWARD),
    ("trao giải", AWARD),
    ("đạt giải", AWARD),
    ("giải nhất", AWARD),
    ("giải nhì", AWARD),
    ("giải ba", AWARD),
    ("giải khuyến khích", AWARD),
    ("huy chương", AWARD),
    ("kỷ niệm chương", AWARD),
    ("danh hiệu", AWARD),
    ("tuyên dương", AWARD),
    ("biểu dương", AWARD),
    ("vinh danh", AWARD),
    ("tham dự", ATTENDANCE),
    ("dự hội nghị", ATTENDANCE),
    ("dự lễ", ATTENDANCE),
    ("đại biểu", ATTENDANCE),
    ("tham gia hội nghị", ATTENDANCE),
    ("trao tặng", DONATION),
    ("ủng hộ tiền", DONATION),
    ("ủng hộ quỹ", DONATION),
    ("ủng hộ số tiền", DONATION),
    ("ủng hộ người", DONATION),
    ("ủng hộ gia đình", DONATION),
    ("quyên góp", DONATION),
    ("tặng quà", DONATION),
    ("trao quà", DONATION),
    ("suất quà", DONATION),
    ("phần quà", DONATION),
    ("trị giá", DONATION),
    ("học bổng", DONATION),
    ("trao tiền", DONATION),
    ("hỗ trợ gia đình", DONATION),
    ("thăm hỏi", DONATION),
    ("tai nạn", ACCIDENT),
    ("va chạm", ACCIDENT),
    ("vụ cháy", ACCIDENT),
    ("hỏa hoạn", ACCIDENT),
    ("đuối nước", ACCIDENT),
    ("thiệt mạng", ACCIDENT),
    ("tử vong", ACCIDENT),
    ("bị thương", ACCIDENT),
    ("nạn nhân", ACCIDENT),
    ("ngộ độc", ACCIDENT),
    ("nhiệt độ", WEATHER),
    ("lượng mưa", WEATHER),
    ("mực nước", WEATHER),
    ("độ c", WEATHER),
    ("độ ẩm", WEATHER),
    ("áp thấp", WEATHER),
    ("sức gió", WEATHER),
    ("tỷ số", SPORTS),
    ("vận động viên", SPORTS),
    ("về nhất", SPORTS),
    ("vô địch", SPORTS),
    ("bỏng", ACCIDENT),
    ("đấu giá", SINGLE),
    ("khởi công", SINGLE),
    ("khánh thành", SINGLE),
    ("chủ đầu tư", SINGLE),
    ("gói thầu", SINGLE),
    ("trúng thầu", SINGLE),
    ("gia đình anh", SINGLE_HOUSEHOLD),
    ("gia đình chị", SINGLE_HOUSEHOLD),
    ("gia đình ông", SINGLE_HOUSEHOLD),
    ("gia đình bà", SINGLE_HOUSEHOLD),
    ("gia đình em", SINGLE_HOUSEHOLD),
    ("bắt quả tang", CRIME),
    ("tàng trữ", CRIME),
    ("mua bán trái phép", CRIME),
    ("vận chuyển trái phép", CRIME),
    ("tạm giữ", CRIME),
    ("thu giữ", CRIME),
    ("bàn thắng", SPORTS),
    ("ghi bàn", SPORTS),
    ("trận đấu", SPORTS),
    ("hiệp", SPORTS),
    ("vòng đấu", SPORTS),
    ("xổ số", LOTTERY),
    ("vé số", LOTTERY),
    ("giải đặc biệt", LOTTERY),
    ("trúng thưởng", LOTTERY),
    ("xử phạt", FINE),
    ("phạt tiền", FINE),
    ("mức phạt", FINE),
    ("bị phạt", FINE),
    ("phạt hành chính", FINE),
    ("vụ tai nạn", CASE_COUNT),
    ("tổng mức đầu tư", SINGLE),
    ("cháy nhà", ACCIDENT),
    ("chữa cháy", ACCIDENT),
    ("hư hỏng", ACCIDENT),
    ("lật xe", ACCIDENT),
    ("xe khách", ACCIDENT),
    ("vốn điều lệ", SINGLE),
];

fn cues() -> &'static PhraseSet {
    static S: OnceLock<PhraseSet> = OnceLock::new();
    S.get_or_init(|| PhraseSet::new(CUES))
}

/// The not-fact contexts of one clause.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Context {
    bits: u32,
    /// A number of cases is reported (`12 vụ`), so casualties are statistics.
    pub has_case_count: bool,
}

impl Context {
    /// Records the cue hits of a sentence (`(token, tag)`), so that each clause's context is
    /// read from them without scanning again.
    pub fn scan(t: &Toks<'_>, from: usize, to: usize, hits: &mut Vec<(usize, u8)>) {
        hits.clear();
        // A cue word inside a place name ("huyện Phụng Hiệp", "xã Hòa Hiệp") is no cue.
        let in_name = |i: usize| {
            t.get(i).is_some_and(|x| x.upper)
                && i > from
                && t.get(i - 1).is_some_and(|p| p.upper && t.is_word(i - 1))
        };
        cues().scan(t, from, to, |i, tag, _| {
            if !in_name(i) {
                hits.push((i, tag))
            }
        });
        for k in from..to {
            if t.is_num(k) && matches!(t.low(k + 1), "vụ" | "ca") {
                hits.push((k, NUM_CASES));
            }
        }
        hits.sort_unstable();
    }

    /// The context of tokens `from..to` from a sentence's hits.
    pub fn from_hits(hits: &[(usize, u8)], from: usize, to: usize) -> Context {
        let mut c = Context::default();
        let first = hits.partition_point(|&(i, _)| i < from);
        for &(i, tag) in &hits[first..] {
            if i >= to {
                break;
            }
            {
                if tag == NUM_CASES {
                    c.has_case_count = true;
                } else {
                    c.bits |= 1 << tag;
                }
            }
        }
        c
    }

    fn has(&self, tag: u8) -> bool {
        self.bits & (1 << tag) != 0
    }

    /// True when a fact of this unit class cannot be trusted in this clause.
    ///
    /// Weather readings and lottery numbers carry no unit and never get here, so those tags
    /// only document the context; a report may well mention the lottery's revenue.
    pub fn blocks(&self, class: UnitClass) -> bool {
        if self.has(SPORTS) {
            return true;
        }
        if (self.has(ACCIDENT) || self.has(CRIME)) && !self.has_case_count {
            return true;
        }
        if self.has(DONATION) {
            return true;
        }
        if self.has(WEATHER) && matches!(class, UnitClass::Percent | UnitClass::Measure) {
            return true;
        }
        match class {
            UnitClass::Count => {
                self.has(AWARD) || self.has(ATTENDANCE) || self.has(SINGLE_HOUSEHOLD)
            }
            UnitClass::Money => self.has(FINE) || self.has(SINGLE) || self.has(SINGLE_HOUSEHOLD),
            UnitClass::Measure | UnitClass::Percent => false,
        }
    }

    /// Adds the event contexts of the whole sentence (an accident or a match named in one
    /// clause colours the numbers of the others: `Vụ cháy ...; 2 công nhân bị bỏng`).
    pub fn with_events_of(mut self, sentence: &Context) -> Context {
        let events = (1 << ACCIDENT) | (1 << SPORTS) | (1 << WEATHER) | (1 << LOTTERY);
        self.bits |= sentence.bits & events;
        self.has_case_count |= sentence.has_case_count;
        self
    }
}

/// Structural not-facts read from the words around one quantity (LABELING.md, "Not facts"):
/// the composition of a merger (`trên cơ sở sáp nhập 3 xã`), a territory's natural area, the
/// size of a committee (`Ban Chấp hành gồm 24 đồng chí`), vote shares, the number of targets
/// a congress adopts (`thông qua 18 chỉ tiêu`, `12 chỉ tiêu cụ thể`), a distance (`cách trung
/// tâm 30 km`), thresholds (`100 triệu đồng/năm trở lên`, `vượt mốc`) and national totals
/// (`74 huyện nghèo nhất cả nước`). `lo..cue` are the clause's words before the number,
/// `end` is the token after its unit, `unit` the unit as written.
pub(crate) fn structural(
    t: &Toks<'_>,
    lo: usize,
    cue: usize,
    end: usize,
    unit: &str,
    ratio: bool,
) -> bool {
    // One scan of the words before (up to 25) and after (up to 6) the number; each rule then
    // asks how far back its cue stood. Measured: the rules as separate phrase searches cost a
    // tenth of the whole extraction on real paragraphs.
    let from = cue.saturating_sub(25).max(lo);
    let mut near = [usize::MAX; S_COUNT]; // distance before the number, per tag
    let mut after = 0u32; // tags seen after the unit, stopping at a rank verb
    structural_cues().scan(t, from, cue, |i, tag, _| {
        near[usize::from(tag)] = near[usize::from(tag)].min(cue - i);
    });
    let stop = (end..(end + 6).min(t.len()))
        .find(|&k| !t.is_word(k) || matches!(t.low(k), "đứng" | "xếp" | "đạt" | "là"))
        .unwrap_or((end + 6).min(t.len()));
    structural_cues().scan(t, end, stop, |_, tag, _| after |= 1 << tag);
    let before = |tag: u8, n: usize| near[usize::from(tag)] <= n;
    let after = |tag: u8| after & (1 << tag) != 0;
    if before(S_MERGE, 8) && t.contains_any(lo, end, &["trên cơ sở", "sáp nhập", "hợp nhất"])
    {
        return true;
    }
    let measure = matches!(
        unit,
        "km" | "km2" | "km²" | "ha" | "m" | "m2" | "mét" | "hải lý"
    );
    if measure && before(S_TERRITORY, 10) {
        return true;
    }
    // "huyện có diện tích trên 81.000 ha": the size of the territory.
    if measure
        && t.low(cue.wrapping_sub(1)) == "tích"
        && t.low(cue.wrapping_sub(2)) == "diện"
        && t.low(cue.wrapping_sub(3)) == "có"
    {
        return true;
    }
    // "11 xã có tỷ lệ nghèo trên 60%": a threshold that sorts unnamed units.
    if unit == "%"
        && (lo.max(cue.saturating_sub(25))..cue).any(|k| {
            t.is_num(k)
                && matches!(
                    t.low(k + 1),
                    "xã" | "huyện" | "thôn" | "bản" | "ấp" | "phường"
                )
                && t.low(k + 2) == "có"
        })
    {
        return true;
    }
    // "trao ủng hộ 500 triệu đồng", "quyên góp được 20 triệu đồng": one gift.
    if before(S_GIFT, 2) {
        return true;
    }
    // A competition cluster of districts is no administrative unit: its totals are not facts.
    if before(S_CLUSTER, 10) || after(S_CLUSTER) {
        return true;
    }
    if before(S_VOTE, 10) {
        return true;
    }
    if matches!(unit, "đồng chí" | "người" | "ủy viên") && before(S_COMMITTEE, 25) {
        return true;
    }
    if unit == "chỉ tiêu" && !ratio && (before(S_ADOPT, 3) || after(S_ADOPTED)) {
        return true;
    }
    // "145 mô hình cho thu nhập trên 100 triệu đồng/năm": what qualifies the counted things.
    if before(S_THRESHOLD, 3) {
        return true;
    }
    // "74 huyện nghèo nhất cả nước" (the phrase right after the noun), not "đứng đầu cả nước".
    // "hiện cả nước có 2.045 xã ..., tăng 5,9%": the country is the subject of the clause.
    let national_subject = (from..cue).any(|k| {
        t.any_at(k, &["cả nước", "toàn quốc"])
            .is_some_and(|e| matches!(t.low(e), "có" | "đạt" | "tăng" | "giảm" | "ước" | "hiện"))
    });
    national_subject || after(S_NATIONAL) || before(S_NATIONAL, 8)
}

const S_MERGE: u8 = 0;
const S_TERRITORY: u8 = 1;
const S_GIFT: u8 = 2;
const S_CLUSTER: u8 = 3;
const S_VOTE: u8 = 4;
const S_COMMITTEE: u8 = 5;
const S_ADOPT: u8 = 6;
const S_ADOPTED: u8 = 7;
const S_THRESHOLD: u8 = 8;
const S_NATIONAL: u8 = 9;
const S_COUNT: usize = 10;

fn structural_cues() -> &'static PhraseSet {
    static S: OnceLock<PhraseSet> = OnceLock::new();
    S.get_or_init(|| {
        PhraseSet::new(&[
            ("sáp nhập", S_MERGE),
            ("hợp nhất", S_MERGE),
            ("nhập", S_MERGE),
            ("diện tích tự nhiên", S_TERRITORY),
            ("cách", S_TERRITORY),
            ("dài", S_TERRITORY),
            ("rộng", S_TERRITORY),
            ("ủng hộ", S_GIFT),
            ("quyên góp", S_GIFT),
            ("tài trợ", S_GIFT),
            ("cụm thi đua", S_CLUSTER),
            ("toàn cụm", S_CLUSTER),
            ("số phiếu", S_VOTE),
            ("phiếu bầu", S_VOTE),
            ("tín nhiệm", S_VOTE),
            ("trúng cử", S_VOTE),
            ("ban chấp hành", S_COMMITTEE),
            ("ban thường vụ", S_COMMITTEE),
            ("bch", S_COMMITTEE),
            ("chỉ định", S_COMMITTEE),
            ("ủy ban kiểm tra", S_COMMITTEE),
            ("bầu", S_COMMITTEE),
            ("thông qua", S_ADOPT),
            ("đề ra", S_ADOPT),
            ("xác định", S_ADOPT),
            ("với", S_ADOPT),
            ("gồm", S_ADOPT),
            ("đặt ra", S_ADOPT),
            ("ban hành", S_ADOPT),
            ("trong", S_ADOPT),
            ("cụ thể", S_ADOPTED),
            ("chủ yếu", S_ADOPTED),
            ("mà", S_ADOPTED),
            ("mốc", S_THRESHOLD),
            ("ngưỡng", S_THRESHOLD),
            ("cho thu nhập", S_THRESHOLD),
            ("mang lại thu nhập", S_THRESHOLD),
            ("có thu nhập", S_THRESHOLD),
            ("cả nước", S_NATIONAL),
            ("toàn quốc", S_NATIONAL),
            ("việt nam", S_NATIONAL),
            ("quốc nội", S_NATIONAL),
        ])
    })
}

/// True when the words between `from` and the number at `at` put it in progress (`đang thẩm
/// định ... 4 sản phẩm`) rather than achieved; `đang có` is a state and stays a fact.
pub(crate) fn in_progress(t: &Toks<'_>, from: usize, at: usize) -> bool {
    (from..at).any(|k| t.low(k) == "đang" && t.any_at(k + 1, WIP_VERBS).is_some())
}

/// Verbs that, after `đang`, describe work not yet done.
const WIP_VERBS: &[&str] = &[
    "thẩm định",
    "triển khai",
    "thực hiện",
    "xây dựng",
    "hoàn thiện",
    "hoàn tất",
    "đề nghị",
    "chờ",
    "lập",
    "trình",
    "xem xét",
    "được",
    "tiến hành",
    "làm",
    "đánh giá",
    "khẩn trương",
    "tích cực",
    "rà soát",
    "đề xuất",
    "chuẩn bị",
    "thi công",
    "giải quyết",
    "xử lý",
    "điều tra",
    "đầu tư",
    "kêu gọi",
    "vận động",
    "hướng dẫn",
    "hỗ trợ",
    "tập trung",
    "phối hợp",
];

/// Words before a number that make it an identifier, an ordinal or a date part, not a value.
pub(crate) fn blocked_prefix(w: &str) -> bool {
    matches!(
        w,
        "năm"
            | "tháng"
            | "ngày"
            | "quý"
            | "quí"
            | "số"
            | "thứ"
            | "khóa"
            | "lần"
            | "điều"
            | "khoản"
            | "chương"
            | "mục"
            | "tổ"
            | "thôn"
            | "xóm"
            | "ấp"
            | "khu"
            | "phường"
            | "quận"
            | "lô"
            | "đường"
            | "km"
            | "giờ"
            | "lúc"
            | "top"
            | "mã"
            | "hạng"
            | "kỳ"
            | "lớp"
            | "phòng"
            | "loại"
            | "vòng"
            | "bảng"
            | "ql"
            | "lộ"
            | "đt"
            | "covid"
            | "khoá"
            | "đợt"
            | "bản"
            | "tập"
            | "trang"
            | "câu"
            | "nghị"
            | "định"
            | "quyết"
            | "tuổi"
            | "sư"
            | "đoàn"
            | "trung"
            | "tiểu"
            | "đội"
            | "liên"
            | "hẻm"
            | "ngõ"
            | "ngách"
            | "kiệt"
            | "tầng"
            | "block"
            | "tòa"
            | "nhà"
            | "giai"
            | "đoạn"
            | "nhiệm"
            | "cụm"
            | "bước"
            | "lứa"
            | "khối"
            | "sáng"
            | "chiều"
            | "tối"
            | "trưa"
            | "đêm"
    )
}

#[cfg(test)]
mod tests {
    use super::super::token::tokenize;
    use super::*;

    fn ctx(s: &str) -> Context {
        let mut v = Vec::new();
        tokenize(s, &mut v);
        let t = Toks {
            toks: &v,
            lower: s,
            text: s,
        };
        {
            let mut h = Vec::new();
            Context::scan(&t, 0, v.len(), &mut h);
            Context::from_hits(&h, 0, v.len())
        }
    }

    #[test]
    fn awards_block_counts_but_not_money() {
        let c = ctx("tặng bằng khen cho 2 tập thể và 4 đảng viên");
        assert!(c.blocks(UnitClass::Count));
        assert!(!c.blocks(UnitClass::Percent));
    }

    #[test]
    fn accident_statistics_survive() {
        assert!(ctx("vụ tai nạn làm 2 người tử vong").blocks(UnitClass::Count));
        assert!(!ctx("xảy ra 12 vụ tai nạn, làm 8 người tử vong").blocks(UnitClass::Count));
    }

    #[test]
    fn work_in_progress() {
        let s = "huyện đang thẩm định, công nhận 4 sản phẩm";
        let mut v = Vec::new();
        tokenize(s, &mut v);
        let t = Toks {
            toks: &v,
            lower: s,
            text: s,
        };
        assert!(in_progress(&t, 0, 7));
        let s2 = "hiện đang có 40 hộ";
        tokenize(s2, &mut v);
        let t = Toks {
            toks: &v,
            lower: s2,
            text: s2,
        };
        assert!(!in_progress(&t, 0, 3));
    }
}
