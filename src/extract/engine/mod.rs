//! The pipeline over one article: walk sentences in order, keep the governing period and the
//! target state, find quantities clause by clause, and assemble facts with their attributes.

use super::area::{self, AreaRef, Resolver};
use super::fact::{Fact, Kind};
use super::lexicon::PhraseSet;
use super::metric::{self, Range};
use super::negative::{self, Context};
use super::normalize::{CharCursor, Normalized};
use super::number::tidy;
use super::period::{self, Mention, Period, ACTUAL_CUES, TARGET_CUES};
use super::quantity::{quantity_at, role, Quantity, Role};
use super::segment::{segment, Clause, Sentence};
use super::table;
use super::token::{tokenize, Token, Toks};
use super::unit::match_unit;
use super::unit::UnitClass;
use super::ExtractOptions;
use crate::gazetteer::{Era, Gazetteer, Level};
use crate::taxonomy::Taxonomy;
use chrono::{Datelike, NaiveDate};
use std::sync::OnceLock;

mod areas;
mod discourse;
mod facts;
mod layout;
#[cfg(test)]
mod tests;

const TAG_TARGET: u8 = 0;
const TAG_ACTUAL: u8 = 1;

fn kind_cues() -> &'static PhraseSet {
    static S: OnceLock<PhraseSet> = OnceLock::new();
    S.get_or_init(|| {
        let mut v: Vec<(&'static str, u8)> = TARGET_CUES.iter().map(|p| (*p, TAG_TARGET)).collect();
        v.extend(ACTUAL_CUES.iter().map(|p| (*p, TAG_ACTUAL)));
        PhraseSet::new(&v)
    })
}

/// Words of a heading that announces a list of targets (`Một số mục tiêu cụ thể năm 2024`).
const HEADING_CUES: &[&str] = &[
    "mục tiêu",
    "chỉ tiêu",
    "phấn đấu",
    "kế hoạch",
    "nhiệm vụ",
    "dự kiến",
    "định hướng",
    "phương hướng",
];

/// Words before a year named in passing (`dự kiến hoàn thành năm 2025`), which does not set
/// the period of the sentences that follow.
const PASSING: &[&str] = &[
    "hoàn thành",
    "khởi công",
    "đưa vào",
    "dự kiến",
    "vào",
    "trước",
    "sau",
    "kể từ",
    "thành lập",
    "xây dựng",
    "sử dụng",
    "hoạt động",
    "từ",
    "đến",
    "tới",
    "công nhận",
    "ban hành",
];

/// Words allowed between a level and its attribute (`8.850,26 tỷ đồng, đạt 107,79% kế hoạch`).
const ATTR_GLUE: &[&str] = &[",", "(", ")", "-", "và", "đồng thời", "trong đó", ";", ":"];
/// Words of an attribute's tail (`so với cùng kỳ năm 2022`, `kế hoạch tỉnh giao`).
const TAIL_WORDS: &[&str] = &[
    "so", "với", "kế", "hoạch", "kh", "dự", "toán", "chỉ", "tiêu", "nghị", "quyết", "mục", "cùng",
    "kỳ", "năm", "trước", "tháng", "quý", "quí", "đề", "ra", "giao", "tỉnh", "huyện", "/", "đặt",
    "của", "nay", "ngoái", "cả", "trung", "ương", "hđnd", "đầu",
];
/// Words that start an attribute before its number (`đạt`, `tăng`, `bằng`, `vượt`).
const ATTR_START: &[&str] = &[
    "tăng",
    "chiếm",
    "giảm",
    "trưởng",
    "thêm",
    "đạt",
    "bằng",
    "vượt",
    "mức",
    "bình",
    "quân",
    "hoàn",
    "thành",
    "được",
    "khoảng",
    "hơn",
    "gần",
    "trên",
    "ước",
    "chỉ",
    "tới",
    "đi",
    "nhẹ",
    "mạnh",
];

/// Runs extraction over one article.
pub(crate) fn run(tax: &Taxonomy, gaz: &Gazetteer, text: &str, opts: &ExtractOptions) -> Vec<Fact> {
    // The title is the article's first paragraph: it names the subject and may hold a fact
    // the body does not repeat. Its facts keep spans within the title (`from_title`); the
    // body's spans are shifted back to the text as given.
    let title: Option<String> = opts
        .title
        .as_deref()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty());
    let full;
    let (text, title_chars) = match &title {
        Some(tt) => {
            full = format!("{tt}\n\n{text}");
            (full.as_str(), tt.chars().count() + 2)
        }
        None => (text, 0),
    };
    let norm = Normalized::new(text);
    let mut toks: Vec<Token> = Vec::new();
    tokenize(&norm.text, &mut toks);
    super::token::fill_first_bytes(&mut toks, &norm.lower);
    let t = Toks {
        toks: &toks,
        lower: &norm.lower,
        text: &norm.text,
    };
    let mut sents = Vec::new();
    let mut clauses = Vec::new();
    segment(&t, &mut sents, &mut clauses);
    let title_end = if title.is_some() {
        sents
            .iter()
            .find(|s| s.para != 0)
            .map(|s| s.start)
            .unwrap_or(t.len())
    } else {
        0
    };
    let published = opts.published.or_else(|| reference_date(&t, title_end));
    // The era of area names: from the publication date, else from a reference year clearly
    // on one side of the July 2025 reform.
    let era = match (opts.published, published) {
        (Some(d), _) => Some(Era::of_date(d)),
        (None, Some(d)) if d.year() <= 2024 => Some(Era::Pre2025),
        (None, Some(d)) if d.year() >= 2026 => Some(Era::Post2025),
        _ => None,
    };
    let subject = areas::find_subject(gaz, &t, &sents, opts, era, title_end);
    let province = opts
        .province
        .clone()
        .or_else(|| subject.as_ref().and_then(|s| s.province.clone()));
    let res = Resolver { gaz, province, era };
    let mut a = Article {
        t,
        tax,
        res,
        subject,
        published,
        norm: &norm,
        cursor: CharCursor::default(),
        out: Vec::new(),
        sent_area: None,
        title_end,
        resolved: Default::default(),
        bare_seen: Default::default(),
    };
    a.walk(&sents, &clauses);
    a.drop_title_repeats(&sents);
    a.tables(&sents);
    a.out.sort_by_key(|f| f.span[0]);
    // A figure of no administrative unit at all (no area named, no subject, no source
    // province) describes nothing a trend can hold.
    a.out.retain(|f| f.area.is_some());
    // One number for one fact is reported once, however often the text repeats it (the
    // delegates "đại diện cho 697 đảng viên" after "Đảng bộ có 697 đảng viên").
    let mut seen = std::collections::HashSet::new();
    // Only counts and figures with decimals: "đạt 100%" twice in a list are two indicators,
    // "14,14%" twice in one article is one.
    a.out.retain(|f| {
        let distinctive = if f.unit_base.as_deref() == Some("count") {
            f.value >= 10.0
        } else {
            f.value.fract() != 0.0
        };
        !distinctive
            || seen.insert((
                f.area.clone(),
                f.value.to_bits(),
                f.unit.clone(),
                f.year,
                f.kind,
            ))
    });
    if title_chars > 0 {
        for f in a.out.iter_mut() {
            if f.span[0] < title_chars {
                f.from_title = true;
            } else {
                f.span = [f.span[0] - title_chars, f.span[1] - title_chars];
            }
        }
    }
    a.out
}

/// "Chương trình mục tiêu quốc gia" (and its short forms) at `i`: the name of a national
/// programme, whose "mục tiêu" announces no target.
fn programme_name(t: &Toks<'_>, i: usize) -> bool {
    t.phrase_at(i, "mục tiêu").is_some() && t.phrase_at(i + 2, "quốc gia").is_some()
}

/// Without a publication date the period comes from the text: the first period the title
/// states, else the first the lead states, stands for the report's date (the middle of that
/// year), so that "năm nay", "đến nay" and undated figures take that year.
/// A plan span (`giai đoạn 2021-2025`) names a programme rather than the report's year, so a
/// year stated anywhere in the body is preferred to it.
fn reference_date(t: &Toks<'_>, title_end: usize) -> Option<NaiveDate> {
    let mut ms = Vec::new();
    period::find_mentions(t, 0, title_end, None, None, &mut ms);
    let title = ms.iter().find(|m| !m.ignore).map(|m| m.period.year());
    ms.clear();
    period::find_mentions(t, title_end, t.len(), None, None, &mut ms);
    let span = |m: &&Mention| matches!(m.period, Period::Span(..));
    let body = ms
        .iter()
        .find(|m| !m.ignore && !m.deadline && !span(m))
        .or_else(|| ms.iter().find(|m| !m.ignore))
        .map(|m| m.period.year())
        // Only a comparison base is stated ("tăng 3,2% so với cuối năm 2021"): the report is
        // of the year after it.
        .or_else(|| {
            ms.iter()
                .find(|m| {
                    (m.at.saturating_sub(4)..m.at)
                        .any(|k| t.low(k) == "so" || t.phrase_at(k, "cùng kỳ").is_some())
                })
                .map(|m| m.period.year() + 1)
        })
        // Else any year the text names ("Hội ... lần thứ IV năm 2023"), a year before a span.
        .or_else(|| {
            ms.iter()
                .find(|m| !span(m))
                .or_else(|| ms.first())
                .map(|m| m.period.year())
        });
    NaiveDate::from_ymd_opt(title.or(body)?, 7, 1)
}

struct Article<'a, 'g> {
    t: Toks<'a>,
    tax: &'g Taxonomy,
    res: Resolver<'g>,
    subject: Option<AreaRef<'g>>,
    published: Option<NaiveDate>,
    norm: &'a Normalized,
    cursor: CharCursor,
    out: Vec<Fact>,
    /// The area a sentence's first fact named explicitly: later clauses of the same sentence
    /// without their own area inherit it ("GRDP của Nghệ An tăng 7,5%, ...; dịch vụ tăng 6,9%").
    sent_area: Option<AreaRef<'g>>,
    /// First token after the title paragraph (0 without a title).
    title_end: usize,
    /// Mentions already resolved: (name start, end) → (subject name then, area).
    resolved: std::cell::RefCell<std::collections::HashMap<(usize, usize), ResolvedMention<'g>>>,
    /// `bare_list_unit` answers by (token, lower bound).
    bare_seen: std::cell::RefCell<std::collections::HashMap<(usize, usize), BareUnit<'g>>>,
}

/// A resolved mention with the subject name it was resolved under.
type ResolvedMention<'g> = (Option<String>, AreaRef<'g>);
/// A bare unit name and the token after it, if the position holds one.
type BareUnit<'g> = Option<(AreaRef<'g>, usize)>;

/// Per-sentence facts the clauses need.
struct SentCtx<'m> {
    mentions: &'m [Mention],
    cues: &'m [(usize, u8)],
    state: Option<Period>,
    in_target_list: bool,
    frame: Option<usize>,
    events: Context,
    neg_hits: &'m [(usize, u8)],
    /// Index in `out` of the sentence's first fact.
    sent_first: usize,
}

impl<'a, 'g> Article<'a, 'g> {
    fn walk(&mut self, sents: &[Sentence], clauses: &[Clause]) {
        // A sentence with no stated period describes the publication year.
        // Only stated periods go here; a fact with none takes the publication year (see
        // `period_for`), without the "full current year in Q1 = plan" reading.
        let mut state: Option<Period> = None;
        let mut target_para: Option<usize> = None;
        // The period in force before a lead-in set its own, restored when its list ends.
        let mut before_lead_in: Option<Option<Period>> = None;
        let mut mentions: Vec<Mention> = Vec::new();
        let mut cues: Vec<(usize, u8)> = Vec::new();
        let mut qs: Vec<(Quantity, Role)> = Vec::new();
        let mut neg_hits: Vec<(usize, u8)> = Vec::new();
        let mut sections = discourse::Sections::new(self.subject.clone());
        for (si, s) in sents.iter().enumerate() {
            if s.para_start && s.start >= self.title_end && s.start > 0 {
                let heading_before = si > 0
                    && sents[si - 1].start >= self.title_end
                    && self.is_heading_line(sents, si - 1);
                let star = self.t.is_punct(s.start, '*');
                let lead_span = if heading_before || star { 40 } else { 12 };
                let named = self.paragraph_subject(s, lead_span);
                self.subject = sections.paragraph(named, heading_before || star);
            }
            // The title's period and target mode are its own; the body starts afresh (a
            // headline about the next term does not make the past year's figures targets).
            if si > 0 && s.start == self.title_end {
                state = None;
                target_para = None;
            }
            if let Some(p) = target_para {
                if s.para != p {
                    let first_bullet = clauses.get(s.clauses.0).is_some_and(|c| c.bullet);
                    target_para = if s.para_start && first_bullet {
                        Some(s.para)
                    } else {
                        None
                    };
                    // The list is over: the period its lead-in named was its own.
                    if target_para.is_none() {
                        if let Some(saved) = before_lead_in.take() {
                            state = saved;
                        }
                    }
                }
            }
            let facts_before = self.out.len();
            self.sent_area = None;
            mentions.clear();
            period::find_mentions(
                &self.t,
                s.start,
                s.end,
                self.published,
                state.map(|p| p.year()),
                &mut mentions,
            );
            cues.clear();
            let t = &self.t;
            kind_cues().scan(t, s.start, s.end, |i, tag, e| {
                // "đạt 107% mục tiêu", "vượt 148 % chỉ tiêu tỉnh giao", "đạt và vượt so với kế
                // hoạch đề ra" measure against a plan; "để đạt mục tiêu" is a goal.
                let after_pct = i > 0
                    && ((i.saturating_sub(4).max(s.start)..i).any(|k| t.is_punct(k, '%'))
                        || (i.saturating_sub(3).max(s.start)..i)
                            .any(|k| matches!(t.low(k), "với" | "vượt" | "đạt" | "so")))
                    && t.low(i.wrapping_sub(2)) != "để";
                // "huyện Giao Thủy" is a name, not "huyện giao" (assigned by the district);
                // "chương trình mục tiêu quốc gia" names a programme, not a goal.
                let in_name =
                    (i + 1..e).any(|k| t.get(k).is_some_and(|x| x.upper)) || programme_name(t, i);
                if !(in_name || tag == TAG_TARGET && after_pct) {
                    cues.push((i, tag));
                }
            });
            let frame = self.frame_of(s, clauses);
            Context::scan(&self.t, s.start, s.end, &mut neg_hits);
            let events = Context::from_hits(&neg_hits, s.start, s.end);
            for ci in s.clauses.0..s.clauses.1 {
                let Some(c) = clauses.get(ci) else { continue };
                let ctx = SentCtx {
                    mentions: &mentions,
                    cues: &cues,
                    state,
                    in_target_list: target_para.is_some(),
                    frame,
                    events,
                    neg_hits: &neg_hits,
                    sent_first: facts_before,
                };
                let found = self.clause(c, s, &ctx, &mut qs);
                if !found && self.is_heading(c, clauses.get(ci + 1), sents.get(si + 1), clauses) {
                    target_para = Some(s.para);
                }
            }
            // The period a sentence leaves for the next ones: the one it opens with ("Năm
            // 2023, ...", "Tính đến hết năm 2023"), else the last one its facts used; never a
            // deadline or a period named in passing ("dự kiến hoàn thành năm 2025").
            let used = &self.out[facts_before..];
            let setter = mentions
                .iter()
                .filter(|m| !m.ignore && !m.deadline)
                .find(|m| m.at <= s.start + 4)
                .or_else(|| {
                    mentions.iter().rev().find(|m| {
                        !m.ignore
                            && !m.deadline
                            && self.governs(m)
                            && used
                                .iter()
                                .any(|f| f.period.as_deref() == Some(m.period.label().as_str()))
                    })
                });
            let t = &self.t;
            let setter = setter.or_else(|| {
                mentions.iter().rev().find(|m| {
                    !m.ignore
                        && !m.deadline
                        && self.governs(m)
                        && t.any_before(m.at, PASSING).is_none()
                        && t.any_before(m.at.saturating_sub(1), PASSING).is_none()
                })
            });
            if let Some(m) = setter {
                state = Some(m.period);
            }
            // A lead-in ("Đại hội xác định một số chỉ tiêu cụ thể đến năm 2030: ...") makes
            // the rest of its paragraph a list of targets for the period it names.
            if let Some(p) = self.lead_in(s, &mentions) {
                target_para = Some(s.para);
                if let Some(p) = p {
                    before_lead_in.get_or_insert(state);
                    state = Some(p);
                }
            }
        }
    }

    /// A period that frames what follows ("Năm 2023, ...", "; trong 6 tháng đầu năm, ...",
    /// "tính đến hết năm 2023") rather than qualifying one metric in passing ("thu nhập bình
    /// quân đầu người năm 2021 đạt 66 triệu đồng").
    fn governs(&self, m: &Mention) -> bool {
        let t = &self.t;
        let inside_metric = m.at > 0
            && t.is_word(m.at - 1)
            && !matches!(
                t.low(m.at - 1),
                "trong"
                    | "đến"
                    | "hết"
                    | "cuối"
                    | "đầu"
                    | "vào"
                    | "tính"
                    | "sau"
                    | "qua"
                    | "tới"
                    | "của"
                    | "và"
            );
        let value_follows = t
            .any_at(
                m.end,
                &["đạt", "ước đạt", "là", "còn", "tăng", "giảm", "chỉ còn"],
            )
            .is_some()
            || t.is_num(m.end);
        !(inside_metric && value_follows)
    }

    /// A sentence that opens with a lead-in to a list of targets: words before a colon that
    /// name targets (`chỉ tiêu`, `mục tiêu`, `phấn đấu`...) or a deadline, with no figure of
    /// their own. Returns the period the lead-in names, if any.
    fn lead_in(&self, s: &Sentence, mentions: &[Mention]) -> Option<Option<Period>> {
        let t = &self.t;
        // "Phấn đấu đến năm 2030 xã đạt chuẩn nâng cao. Nghị quyết đề ra ...": a paragraph
        // that opens on a goal and a deadline is a list of targets.
        if s.para_start
            && t.any_at(s.start, &["phấn đấu", "mục tiêu", "định hướng"])
                .is_some()
        {
            if let Some(m) = mentions.iter().find(|m| m.deadline || !m.ignore) {
                return Some(Some(m.period));
            }
        }
        let colon = (s.start..s.end).find(|&k| t.is_punct(k, ':'))?;
        let in_mention = |k: usize| mentions.iter().any(|m| m.at <= k && k < m.end);
        if (s.start..colon).any(|k| t.is_num(k) && !in_mention(k)) {
            return None;
        }
        let named = mentions
            .iter()
            .find(|m| m.at < colon && !m.ignore)
            .map(|m| m.period);
        let deadline = mentions.iter().any(|m| m.at < colon && m.deadline);
        let has = |set: &[&str]| {
            (s.start..colon).any(|k| t.any_at(k, set).is_some() && !programme_name(t, k))
        };
        let cue = has(HEADING_CUES);
        let goal = has(TARGET_CUES) || deadline;
        (cue && goal || deadline).then_some(named)
    }

    /// A clause without numbers that announces a list of targets.
    fn is_heading(
        &self,
        c: &Clause,
        next: Option<&Clause>,
        next_sent: Option<&Sentence>,
        clauses: &[Clause],
    ) -> bool {
        let t = &self.t;
        if !t.contains_any(c.start, c.end, HEADING_CUES) {
            return false;
        }
        let colon = t.is_punct(c.end.saturating_sub(1), ':');
        let next_bullet = next.is_some_and(|n| n.bullet && n.start <= c.end + 2);
        let next_para_bullet = next_sent
            .is_some_and(|s| s.para_start && clauses.get(s.clauses.0).is_some_and(|x| x.bullet));
        colon || next_bullet || next_para_bullet
    }

    /// "Tại huyện X, ..." / "Ở xã Y, ...": an area that frames the whole sentence.
    fn frame_of(&self, s: &Sentence, clauses: &[Clause]) -> Option<usize> {
        let c = clauses.get(s.clauses.0)?;
        let t = &self.t;
        let k = t.any_at(
            c.start,
            &["tại", "ở", "riêng", "đối với", "riêng tại", "riêng ở"],
        )?;
        area::raw_mention_at(t, k).map(|_| k)
    }

    /// Processes one clause; returns whether it held any quantity.
    fn clause(
        &mut self,
        c: &Clause,
        s: &Sentence,
        ctx: &SentCtx<'_>,
        qs: &mut Vec<(Quantity, Role)>,
    ) -> bool {
        qs.clear();
        let t = &self.t;
        let mut i = c.start;
        while i < c.end {
            // A number inside a period ("nhiệm kỳ 2016 - 2021", "quý III/2024") is no amount.
            let k = ctx.mentions.partition_point(|m| m.end <= i);
            if let Some(m) = ctx.mentions.get(k).filter(|m| m.at <= i) {
                i = m.end.max(i + 1);
                continue;
            }
            if t.is_num(i) {
                if let Some(q) = quantity_at(t, i) {
                    if q.end <= c.end {
                        let r = role(t, &q, c.start);
                        i = q.end;
                        qs.push((q, r));
                        continue;
                    }
                }
            }
            i += 1;
        }
        if qs.is_empty() {
            return false;
        }
        let neg = Context::from_hits(ctx.neg_hits, c.start, c.end).with_events_of(&ctx.events);
        let mut last_level: Option<usize> = None; // index into self.out
        let clause_first = self.out.len();
        let mut attach_end = c.start; // end of the last level or attribute (with its tail)
        let mut prev_end = c.start;
        for (q, r) in qs.iter() {
            // A range ("15-16%", "từ 9 đến 10%") is where no single figure exists: no fact.
            if q.high.is_some() {
                prev_end = q.end;
                attach_end = self.tail_end(q.end, c.end);
                continue;
            }
            let attr_start = self.attr_start(q.cue_start, prev_end);
            let attaches = last_level.is_some() && self.only_glue(attach_end, attr_start);
            match *r {
                Role::Level => {
                    let restates = attaches
                        || matches!(
                            self.t.low(q.cue_start.wrapping_sub(1)),
                            "đạt" | "chiếm" | "bằng" | "("
                        );
                    // "thu nội địa 10.152 tỷ đồng, đạt 50,51%": a bare "đạt X%" glued to an
                    // amount measures it against its plan.
                    let bare_after =
                        q.end >= c.end || !self.t.is_word(q.end) || self.t.low(q.end) == "và";
                    if q.unit.class == UnitClass::Percent
                        && attaches
                        && bare_after
                        && self.t.low(q.cue_start.wrapping_sub(1)) == "đạt"
                    {
                        if let Some(li) = last_level.filter(|&li| {
                            self.out[li].unit_base.as_deref() != Some("%")
                                && self.out[li].total.is_none()
                                && self.out[li].plan_pct.is_none()
                        }) {
                            self.out[li].plan_pct = Some(q.value);
                            prev_end = q.end;
                            attach_end = self.tail_end(q.end, c.end);
                            continue;
                        }
                    }
                    if q.unit.class == UnitClass::Percent && restates {
                        if let Some(li) = last_level {
                            if let (Some(tot), v) = (self.out[li].total, self.out[li].value) {
                                if tot > 0.0 && (v / tot * 100.0 - q.value).abs() <= 0.6 {
                                    prev_end = q.end;
                                    attach_end = self.tail_end(q.end, c.end);
                                    continue;
                                }
                            }
                        }
                    }
                    // "đạt 51,8% so với nghị quyết đề ra (23.600 tỷ đồng)": the plan itself, a
                    // target for the whole year; what follows still describes the actual.
                    let t = &self.t;
                    let plan_in_brackets = t.is_punct(q.cue_start.wrapping_sub(1), '(')
                        && (q.cue_start.saturating_sub(7).max(c.start)..q.cue_start).any(|k| {
                            t.any_at(k, &["kế hoạch", "dự toán", "nghị quyết", "chỉ tiêu"])
                                .is_some()
                        });
                    if plan_in_brackets && last_level.is_some() {
                        if let Some((mut f, _)) =
                            self.level_fact(q, c, s, ctx, &neg, prev_end, clause_first)
                        {
                            f.kind = Kind::Target;
                            if let Some(y) = f.year {
                                f.period = Some(Period::Year(y).label());
                            }
                            self.out.push(f);
                        }
                        prev_end = q.end;
                        attach_end = self.tail_end(q.end, c.end);
                        continue;
                    }
                    attach_end = q.end;
                    if let Some((f, metric_end)) =
                        self.level_fact(q, c, s, ctx, &neg, prev_end, clause_first)
                    {
                        self.out.push(f);
                        last_level = Some(self.out.len() - 1);
                        attach_end = attach_end.max(metric_end);
                    }
                }
                Role::Growth(g) => {
                    match self.named_target(q.end, c.end, clause_first).or(last_level) {
                        Some(li) if attaches && self.out[li].yoy_pct.is_none() => {
                            self.out[li].yoy_pct = Some(g);
                            attach_end = self.tail_end(q.end, c.end);
                        }
                        _ => {
                            if let Some(f) =
                                self.growth_fact(q, g, attr_start, c, s, ctx, &neg, prev_end)
                            {
                                self.out.push(f);
                            }
                            last_level = None;
                            attach_end = self.tail_end(q.end, c.end);
                        }
                    }
                }
                Role::Plan(p) => {
                    if let Some(li) = last_level.filter(|_| attaches) {
                        if self.out[li].plan_pct.is_none() {
                            self.out[li].plan_pct = Some(p);
                        }
                    }
                    attach_end = self.tail_end(q.end, c.end);
                }
                Role::Drop if self.t.low(q.cue_start.wrapping_sub(1)) == "từ" => {
                    // "giảm từ 5,2% xuống còn 3,8%": the next number keeps the metric before.
                    continue;
                }
                Role::Drop => {
                    attach_end = self.tail_end(q.end, c.end);
                }
            }
            prev_end = attach_end.max(q.end);
        }
        self.respectively(c, clause_first);
        true
    }

    /// `tăng 12,5% về số doanh nghiệp`: the fact of this clause whose unit or metric the
    /// growth names.
    fn named_target(&self, from: usize, limit: usize, first: usize) -> Option<usize> {
        let t = &self.t;
        if t.low(from) != "về" {
            return None;
        }
        let mut k = from + 1;
        if t.phrase_at(k, "số lượng").is_some() {
            k += 2;
        } else if t.low(k) == "số" {
            k += 1;
        }
        let r = metric::after_phrase(t, k, limit);
        let phrase = metric::text_of(t, r).to_lowercase();
        if phrase.is_empty() {
            return None;
        }
        (first..self.out.len()).rev().find(|&i| {
            let f = &self.out[i];
            phrase.starts_with(f.unit.as_str()) || f.metric.to_lowercase().contains(&phrase)
        })
    }

    /// First token of the attribute words before a number (`đạt`, `tăng`, `bằng`).
    fn attr_start(&self, cue_start: usize, lo: usize) -> usize {
        let mut k = cue_start;
        while k > lo && ATTR_START.contains(&self.t.low(k - 1)) {
            k -= 1;
        }
        k
    }

    /// True when only punctuation and glue words lie in `from..to`.
    fn only_glue(&self, from: usize, to: usize) -> bool {
        let t = &self.t;
        let mut k = from;
        while k < to {
            match t.any_at(k, ATTR_GLUE) {
                Some(e) => k = e,
                None => return false,
            }
        }
        true
    }

    /// End of an attribute's tail (`so với cùng kỳ năm 2022`, `kế hoạch`).
    fn tail_end(&self, from: usize, limit: usize) -> usize {
        let t = &self.t;
        let mut k = from;
        while k < limit
            && k - from < 8
            && (TAIL_WORDS.contains(&t.low(k)) || (t.is_num(k) && t.low(k).len() == 4))
        {
            k += 1;
        }
        k
    }

    /// Skips a period or area mention starting at `i` (for trimming metric phrases).
    fn skip_at(&self, mentions: &[Mention], i: usize, lo: usize) -> Option<usize> {
        let k = mentions.partition_point(|m| m.at < i);
        if let Some(m) = mentions.get(k).filter(|m| m.at == i) {
            return Some(m.end);
        }
        if let Some(m) = area::raw_mention_at(&self.t, i) {
            return Some(m.end);
        }
        if let Some((_, e)) = self.bare_list_unit(i, self.t.len(), lo) {
            return Some(e);
        }
        area::generic_at(&self.t, i).map(|(_, e)| e)
    }
}
