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
    "kỳ", "năm", "trước", "tháng", "quý", "đề", "ra", "giao", "tỉnh", "huyện", "/", "đặt", "của",
    "nay", "ngoái", "cả", "trung", "ương", "hđnd", "đầu",
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
    let norm = Normalized::new(text);
    let mut toks: Vec<Token> = Vec::new();
    tokenize(&norm.text, &mut toks);
    let t = Toks {
        toks: &toks,
        lower: &norm.lower,
        text: &norm.text,
    };
    let mut sents = Vec::new();
    let mut clauses = Vec::new();
    segment(&t, &mut sents, &mut clauses);
    let era = opts.published.map(Era::of_date);
    let subject = find_subject(gaz, &t, &sents, opts, era);
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
        published: opts.published,
        norm: &norm,
        cursor: CharCursor::default(),
        out: Vec::new(),
        sent_area: None,
    };
    a.walk(&sents, &clauses);
    a.drop_title_repeats(&sents);
    a.tables(&sents);
    a.out.sort_by_key(|f| f.span[0]);
    a.out
}

/// The subject area: the first area named in the title or the lead, else the source province.
fn find_subject<'g>(
    gaz: &'g Gazetteer,
    t: &Toks<'_>,
    sents: &[Sentence],
    opts: &ExtractOptions,
    era: Option<Era>,
) -> Option<AreaRef<'g>> {
    let res = Resolver {
        gaz,
        province: opts.province.clone(),
        era,
    };
    let title_norm = opts.title.as_deref().map(Normalized::new);
    let mut title_toks = Vec::new();
    if let Some(n) = &title_norm {
        tokenize(&n.text, &mut title_toks);
    }
    // The lead: three sentences, at most a few hundred tokens.
    let lead_end = sents.get(3).map(|s| s.start).unwrap_or(t.len()).min(400);
    let mut fallback: Option<AreaRef<'g>> = None;
    let regions: [(Toks<'_>, usize); 2] = [
        match &title_norm {
            Some(n) => (
                Toks {
                    toks: &title_toks,
                    lower: &n.lower,
                    text: &n.text,
                },
                title_toks.len().min(400),
            ),
            None => (
                Toks {
                    toks: &[],
                    lower: "",
                    text: "",
                },
                0,
            ),
        },
        (
            Toks {
                toks: t.toks,
                lower: t.lower,
                text: t.text,
            },
            lead_end,
        ),
    ];
    for (rt, end) in regions.iter() {
        for k in 0..*end {
            if let Some(m) = area::raw_mention_at(rt, k) {
                // "huyện Kỳ Anh (Hà Tĩnh)": the bracket names the province.
                let mut local = Resolver {
                    gaz,
                    province: res.province.clone(),
                    era,
                };
                if local.province.is_none() && rt.is_punct(m.end, '(') {
                    let close =
                        (m.end + 1..(m.end + 6).min(rt.len())).find(|&j| rt.is_punct(j, ')'));
                    if let Some(c) = close {
                        local.province = Some(metric::text_of(rt, (m.end + 1, c)));
                    }
                }
                let r = local.resolve(rt, &m, None);
                if r.unit.is_some() {
                    return Some(r);
                }
                if m.committee {
                    continue;
                }
                if fallback.is_none() {
                    fallback = Some(r);
                }
            }
        }
    }
    if fallback.is_some() {
        return fallback;
    }
    // Bare province names in the title or lead ("Nghệ An: GRDP tăng 8%").
    for (rt, end) in regions.iter() {
        for k in 0..*end {
            if !(rt.is_word(k) && rt.toks[k].upper)
                || (k > 0 && rt.is_word(k - 1) && rt.toks[k - 1].upper)
            {
                continue;
            }
            for n in [3usize, 2] {
                if (k..k + n).all(|j| rt.is_word(j) && rt.toks[j].upper) {
                    let name = metric::text_of(rt, (k, k + n));
                    if let Some(p) = res.province_named(&name) {
                        return Some(res.unit_ref(p));
                    }
                }
            }
        }
    }
    let p = opts.province.as_deref()?;
    res.province_named(p).map(|a| res.unit_ref(a))
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
}

/// Per-sentence facts the clauses need.
struct SentCtx<'m> {
    mentions: &'m [Mention],
    cues: &'m [(usize, u8)],
    state: Option<Period>,
    in_target_list: bool,
    frame: Option<usize>,
    events: Context,
    neg_hits: &'m [(usize, u8)],
}

impl<'a, 'g> Article<'a, 'g> {
    /// A first line without a full stop is the headline; its numbers are repeated in the body,
    /// so a headline fact that the body states again is dropped.
    fn drop_title_repeats(&mut self, sents: &[Sentence]) {
        let Some(first) = sents.first() else { return };
        let t = &self.t;
        let para_end = sents
            .iter()
            .take_while(|s| s.para == first.para)
            .map(|s| s.end)
            .last()
            .unwrap_or(first.end);
        let ends_with_stop =
            para_end > 0 && (t.is_punct(para_end - 1, '.') || t.is_punct(para_end - 1, ';'));
        let bytes = t
            .toks
            .get(para_end.saturating_sub(1))
            .map(|x| x.end as usize)
            .unwrap_or(0);
        if ends_with_stop || bytes > 250 || para_end >= t.len() {
            return;
        }
        let title_end_char = self.cursor.span(self.norm, bytes, bytes)[0];
        let (head, body): (Vec<&Fact>, Vec<&Fact>) =
            self.out.iter().partition(|f| f.span[0] < title_end_char);
        let repeated: Vec<bool> = head
            .iter()
            .map(|h| body.iter().any(|b| b.value == h.value && b.unit == h.unit))
            .collect();
        let mut i = 0;
        self.out.retain(|f| {
            if f.span[0] < title_end_char {
                i += 1;
                !repeated[i - 1]
            } else {
                true
            }
        });
    }

    /// Facts from tables flattened into lines of `|`-separated cells.
    fn tables(&mut self, sents: &[Sentence]) {
        let mut paras: Vec<(usize, usize)> = Vec::new();
        let mut last_para = usize::MAX;
        for s in sents {
            match paras.last_mut() {
                Some(p) if s.para == last_para => p.1 = s.end,
                _ => paras.push((s.start, s.end)),
            }
            last_para = s.para;
        }
        if !(0..self.t.len()).any(|k| self.t.is_punct(k, '|')) {
            return;
        }
        let rows = table::find_tables(&self.t, &paras);
        let mut state_year = self.published.map(|d| d.year());
        for (heading, row) in rows {
            let t = &self.t;
            let head = heading.and_then(|h| paras.get(h)).copied();
            let area = head
                .and_then(|(a, b)| (a..b).find_map(|k| area::raw_mention_at(t, k)))
                .map(|m| self.res.resolve(t, &m, self.subject.as_ref()))
                .or_else(|| self.subject.clone());
            if let Some((a, b)) = head {
                let mut ms = Vec::new();
                period::find_mentions(t, a, b, self.published, state_year, &mut ms);
                if let Some(m) = ms.iter().find(|m| !m.ignore) {
                    state_year = Some(m.period.year());
                }
            }
            let (unit, base, factor) = match match_unit(t, row.unit.0) {
                Some(u) if u.end == row.unit.1 => (u.written.clone(), u.base.clone(), u.factor),
                _ if row.unit.1 > row.unit.0 => {
                    (metric::text_of(t, row.unit).to_lowercase(), None, 1.0)
                }
                _ => continue,
            };
            let metric_r = metric::trim(t, row.metric, &|_| None);
            let metric = metric::text_of(t, metric_r);
            if metric.is_empty() {
                continue;
            }
            let indicator = self.tax.match_metric(&metric).map(|i| i.key.clone());
            let sentence = excerpt(t, row.span, row.span, (row.span.0, row.span.0));
            for c in &row.cells {
                let year = c.year.or(state_year);
                let future = matches!((year, self.published), (Some(y), Some(d)) if y > d.year());
                let tok = t.toks[c.tok];
                let span = self
                    .cursor
                    .span(self.norm, tok.start as usize, tok.end as usize);
                self.out.push(Fact {
                    area: area.as_ref().map(|a| a.name.clone()),
                    area_level: area.as_ref().map(|a| a.level.as_str().to_string()),
                    area_code: area.as_ref().and_then(|a| a.unit.map(|u| u.code.clone())),
                    province: area.as_ref().and_then(|a| a.province.clone()),
                    metric: metric.clone(),
                    indicator: indicator.clone(),
                    value: c.value,
                    value_high: None,
                    unit: unit.clone(),
                    value_base: base.as_ref().map(|_| tidy(c.value * factor)),
                    unit_base: base.clone(),
                    total: None,
                    year,
                    period: year.map(|y| Period::Year(y).label()),
                    kind: if c.target || future {
                        Kind::Target
                    } else {
                        Kind::Actual
                    },
                    approx: false,
                    plan_pct: c.plan_pct,
                    yoy_pct: c.yoy_pct,
                    sentence: sentence.clone(),
                    span,
                });
            }
        }
    }

    fn walk(&mut self, sents: &[Sentence], clauses: &[Clause]) {
        // A sentence with no stated period describes the publication year.
        let mut state: Option<Period> = self.published.map(|d| Period::Year(d.year()));
        let mut target_para: Option<usize> = None;
        let mut mentions: Vec<Mention> = Vec::new();
        let mut cues: Vec<(usize, u8)> = Vec::new();
        let mut qs: Vec<(Quantity, Role)> = Vec::new();
        let mut neg_hits: Vec<(usize, u8)> = Vec::new();
        for (si, s) in sents.iter().enumerate() {
            if let Some(p) = target_para {
                if s.para != p {
                    let first_bullet = clauses.get(s.clauses.0).is_some_and(|c| c.bullet);
                    target_para = if s.para_start && first_bullet {
                        Some(s.para)
                    } else {
                        None
                    };
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
                let after_pct = i > 0
                    && (t.is_punct(i - 1, '%')
                        || matches!(t.low(i - 1), "với" | "vượt" | "đạt" | "so"));
                // "huyện Giao Thủy" is a name, not "huyện giao" (assigned by the district).
                let in_name = (i + 1..e).any(|k| t.get(k).is_some_and(|x| x.upper));
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
                        && t.any_before(m.at, PASSING).is_none()
                        && t.any_before(m.at.saturating_sub(1), PASSING).is_none()
                })
            });
            if let Some(m) = setter {
                state = Some(m.period);
            }
        }
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
            let attr_start = self.attr_start(q.cue_start, prev_end);
            let attaches = last_level.is_some() && self.only_glue(attach_end, attr_start);
            match *r {
                Role::Level => {
                    let restates = attaches
                        || matches!(
                            self.t.low(q.cue_start.wrapping_sub(1)),
                            "đạt" | "chiếm" | "bằng" | "("
                        );
                    // "thu nội địa 800 tỷ đồng, chiếm 65% tổng thu": a share of the level just
                    // stated restates it.
                    if q.unit.class == UnitClass::Percent
                        && attaches
                        && self.t.low(q.cue_start.wrapping_sub(1)) == "chiếm"
                    {
                        prev_end = q.end;
                        attach_end = self.tail_end(q.end, c.end);
                        continue;
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

    /// "huyện A và huyện B lần lượt đạt X và Y": X is A's, Y is B's.
    fn respectively(&mut self, c: &Clause, clause_first: usize) {
        let t = &self.t;
        let Some(ll) = (c.start..c.end).find(|&k| t.phrase_at(k, "lần lượt").is_some()) else {
            return;
        };
        let n = self.out.len() - clause_first;
        if n < 2 {
            return;
        }
        let mut areas = Vec::new();
        let mut k = c.start;
        while k < ll {
            if let Some(m) = area::raw_mention_at(t, k) {
                areas.push(self.res.resolve(t, &m, self.subject.as_ref()));
                k = m.end;
            } else {
                k += 1;
            }
        }
        if areas.len() != n {
            return;
        }
        for (f, a) in self.out[clause_first..].iter_mut().zip(areas) {
            f.area = Some(a.name.clone());
            f.area_level = Some(a.level.as_str().to_string());
            f.area_code = a.unit.map(|u| u.code.clone());
            f.province = a.province.clone();
        }
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
    fn skip_at(&self, mentions: &[Mention], i: usize) -> Option<usize> {
        let k = mentions.partition_point(|m| m.at < i);
        if let Some(m) = mentions.get(k).filter(|m| m.at == i) {
            return Some(m.end);
        }
        if let Some(m) = area::raw_mention_at(&self.t, i) {
            return Some(m.end);
        }
        area::generic_at(&self.t, i).map(|(_, e)| e)
    }

    /// A level fact and the end of its metric phrase (attributes may follow it).
    #[allow(clippy::too_many_arguments)]
    fn level_fact(
        &mut self,
        q: &Quantity,
        c: &Clause,
        s: &Sentence,
        ctx: &SentCtx<'_>,
        neg: &Context,
        lo: usize,
        clause_first: usize,
    ) -> Option<(Fact, usize)> {
        let t = &self.t;
        if neg.blocks(q.unit.class)
            || q.unit.price_like
            || negative::in_progress(t, lo, q.cue_start)
        {
            return None;
        }
        let mentions = ctx.mentions;
        let skip = |i: usize| self.skip_at(mentions, i);
        let before = metric::before_phrase(t, lo, q.cue_start, &skip);
        let has_before = before.1 > before.0;
        let metric_range: Range = match q.unit.class {
            UnitClass::Count => {
                let noun_start = q.num_end + scale_len(t, q.num_end);
                let after = metric::after_phrase(t, noun_start, c.end);
                if metric::ends_with_cho(t, lo, q.cue_start) && has_before {
                    before
                } else if after.1 > noun_start + 1 || !has_before {
                    after
                } else {
                    before
                }
            }
            _ if !has_before => {
                // "có 21.340 ha cà phê", "100% số xã đạt chuẩn": the metric follows.
                let mut k = q.end;
                if matches!(t.low(k), "số" | "các") {
                    k += 1;
                }
                metric::after_phrase(t, k, c.end)
            }
            _ => before,
        };
        // "với giá 4,2 tỷ đồng", "giá lúa 7.000 đồng": the price of one good.
        if q.unit.class == UnitClass::Money && t.low(q.cue_start.wrapping_sub(1)) == "giá" {
            return None;
        }
        // "năm 2023 đạt 1.120 tỷ đồng, năm 2024 ước đạt 1.260 tỷ đồng", "tăng từ X lên Y",
        // "lần lượt đạt X và Y": a number without a phrase of its own continues the metric of
        // the clause's previous fact.
        let inherited = if metric_range.1 <= metric_range.0 {
            match self.out.get(clause_first..).and_then(|fs| fs.last()) {
                Some(prev) if prev.unit_base == q.unit.base => Some(prev.metric.clone()),
                _ => return None,
            }
        } else {
            None
        };
        // "đường dài 5 km", "cầu rộng 12 m": the size of one object.
        if q.unit.class == UnitClass::Measure
            && matches!(
                t.low(q.cue_start.wrapping_sub(1)),
                "dài" | "rộng" | "cao" | "sâu" | "nặng" | "dày"
            )
        {
            return None;
        }
        // A national figure quoted for comparison is not a fact of the article's area.
        if (q.cue_start.saturating_sub(8).max(lo)..q.cue_start)
            .any(|k| t.phrase_at(k, "cả nước").is_some() || t.phrase_at(k, "toàn quốc").is_some())
        {
            return None;
        }
        // A score is an indicator only for an index (PCI, PAPI...), not one candidate's exam.
        if q.unit.written == "điểm"
            && !t.contains_any(
                c.start,
                c.end,
                &[
                    "chỉ số",
                    "pci",
                    "papi",
                    "par",
                    "sipas",
                    "dti",
                    "ict",
                    "năng lực",
                ],
            )
        {
            return None;
        }
        let metric = match inherited {
            Some(m) => m,
            None => metric::text_of(t, metric_range),
        };
        let ml = if metric_range.1 > metric_range.0 {
            t.lower
                .get(t.toks[metric_range.0].start as usize..t.toks[metric_range.1 - 1].end as usize)
                .unwrap_or("")
        } else {
            ""
        };
        if (ml.starts_with("giá ") && !ml.starts_with("giá trị"))
            || ml == "giá"
            || ml.contains("tuổi")
        {
            return None;
        }
        let value_base = q.unit.base.as_ref().map(|_| tidy(q.value * q.unit.factor));
        // The object after a measured unit belongs to the level ("2.150 ha rừng, đạt 72% kế
        // hoạch"): attributes may follow it.
        let object_end = metric::object_phrase(t, q.end, c.end).1;
        Some((
            self.make_fact(q, metric, q.value, value_base, None, c, s, ctx),
            metric_range.1.max(object_end),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn growth_fact(
        &mut self,
        q: &Quantity,
        g: f64,
        attr_start: usize,
        c: &Clause,
        s: &Sentence,
        ctx: &SentCtx<'_>,
        neg: &Context,
        lo: usize,
    ) -> Option<Fact> {
        let t = &self.t;
        if neg.blocks(UnitClass::Percent) {
            return None;
        }
        let mentions = ctx.mentions;
        let skip = |i: usize| self.skip_at(mentions, i);
        let r = metric::before_phrase(t, lo, attr_start, &skip);
        if r.1 <= r.0 {
            return None;
        }
        let mut metric = metric::text_of(t, r);
        let ml = metric.to_lowercase();
        if (ml.contains("grdp") || ml.contains("tổng sản phẩm") || ml == "kinh tế")
            && !ml.starts_with("tăng trưởng")
            && !ml.starts_with("tốc độ")
        {
            metric = format!("tăng trưởng {metric}");
        }
        let high = q.high.map(|h| if g < 0.0 { -h } else { h });
        Some(self.make_fact(q, metric, g, Some(tidy(g)), high, c, s, ctx))
    }

    #[allow(clippy::too_many_arguments)]
    fn make_fact(
        &mut self,
        q: &Quantity,
        metric: String,
        value: f64,
        value_base: Option<f64>,
        high_override: Option<f64>,
        c: &Clause,
        s: &Sentence,
        ctx: &SentCtx<'_>,
    ) -> Fact {
        let (per, deadline) = self.period_for(q.first, q.end, c, s, ctx);
        let kind = self.kind_for(q.cue_start, s, ctx, per, deadline);
        let area = match self.area_for(q.cue_start, c, ctx) {
            Some((a, true)) => {
                if self.sent_area.is_none() {
                    self.sent_area = Some(a.clone());
                }
                Some(a)
            }
            Some((a, false)) => Some(self.sent_area.clone().unwrap_or(a)),
            None => self.sent_area.clone(),
        };
        let indicator = self.tax.match_metric(&metric).map(|i| i.key.clone());
        let t = &self.t;
        let start = t.toks[q.first].start as usize;
        let end = t.toks[q.num_end.saturating_sub(1).max(q.first)].end as usize;
        let span = self.cursor.span(self.norm, start, end);
        let sentence = excerpt(t, (s.start, s.end), (c.start, c.end), (q.first, q.end));
        let growth = high_override.is_some()
            || value_base.is_some_and(|_| q.unit.class == UnitClass::Percent && value != q.value);
        Fact {
            area: area.as_ref().map(|a| a.name.clone()),
            area_level: area.as_ref().map(|a| a.level.as_str().to_string()),
            area_code: area.as_ref().and_then(|a| a.unit.map(|u| u.code.clone())),
            province: area.as_ref().and_then(|a| a.province.clone()),
            metric,
            indicator,
            value: tidy(value),
            value_high: if growth { high_override } else { q.high },
            unit: q.unit.written.clone(),
            value_base,
            unit_base: q.unit.base.clone(),
            total: q.total,
            year: per.map(|p| p.year()),
            period: per.map(|p| p.label()),
            kind,
            approx: q.approx,
            plan_pct: None,
            yoy_pct: None,
            sentence,
            span,
        }
    }

    /// The period of the number at `at`: a mention in its clause (before it, else after it),
    /// else earlier in its sentence, else the governing period.
    fn period_for(
        &self,
        at: usize,
        after: usize,
        c: &Clause,
        s: &Sentence,
        ctx: &SentCtx<'_>,
    ) -> (Option<Period>, bool) {
        // Mentions are in text order: look only at the few nearest ones (linear time even for
        // a megabyte-long sentence).
        let ms = ctx.mentions;
        // "47 triệu đồng (năm 2020)": a period in brackets right after the number is its own.
        if self.t.is_punct(after, '(') {
            let k = ms.partition_point(|m| m.at < after + 1);
            if let Some(m) = ms.get(k).filter(|m| m.at == after + 1 && !m.ignore) {
                return (Some(m.period), m.deadline);
            }
        }
        let split = ms.partition_point(|m| m.at < at);
        let before = ms[..split].iter().rev().take(64).filter(|m| !m.ignore);
        let in_clause_before = before.clone().find(|m| m.at >= c.start);
        let in_clause_after = ms[split..]
            .iter()
            .take(64)
            .find(|m| !m.ignore && m.at > at)
            .filter(|m| m.at < c.end);
        let in_sent_before = before.clone().find(|m| m.at >= s.start);
        match in_clause_before.or(in_clause_after).or(in_sent_before) {
            Some(m) => (Some(m.period), m.deadline),
            None => (ctx.state, false),
        }
    }

    fn kind_for(
        &self,
        at: usize,
        s: &Sentence,
        ctx: &SentCtx<'_>,
        per: Option<Period>,
        deadline: bool,
    ) -> Kind {
        let split = ctx.cues.partition_point(|(p, _)| *p < at);
        let last = |tag: u8| {
            ctx.cues[..split]
                .iter()
                .rev()
                .take(256)
                .find(|(_, tg)| *tg == tag)
                .map(|(p, _)| *p)
                .filter(|p| *p >= s.start)
        };
        let target = last(TAG_TARGET);
        let actual = last(TAG_ACTUAL);
        if ctx.in_target_list && actual.is_none() {
            return Kind::Target;
        }
        if let Some(tp) = target {
            if actual.is_none_or(|ap| ap < tp) {
                return Kind::Target;
            }
        }
        let future = |p: Period| self.published.is_none_or(|d| p.year() > d.year());
        if deadline && actual.is_none() && per.is_some_and(future) {
            return Kind::Target;
        }
        if let (Some(p), Some(d)) = (per, self.published) {
            if p.year() > d.year() {
                return Kind::Target;
            }
            if p.is_full_year() && p.year() == d.year() && d.month() <= 3 && actual.is_none() {
                return Kind::Target;
            }
        }
        Kind::Actual
    }

    /// The area of the number at `at`: the nearest named or generic area before it in its
    /// clause, else the sentence frame, else the subject.
    /// The area and whether the text named it explicitly (not the default subject).
    fn area_for(&self, at: usize, c: &Clause, ctx: &SentCtx<'_>) -> Option<(AreaRef<'g>, bool)> {
        let t = &self.t;
        let mut k = at;
        // An area names its number within a few dozen words; bounding the walk keeps long
        // clauses linear.
        let lo = c.start.max(at.saturating_sub(80));
        // Areas in brackets are asides: "tỉnh Quảng Trị (sau hợp nhất với tỉnh Quảng Bình)".
        let mut depth = 0i32;
        while k > lo {
            k -= 1;
            if t.is_punct(k, ')') {
                depth += 1;
            } else if t.is_punct(k, '(') {
                depth -= 1;
            }
            if depth > 0 {
                continue;
            }
            if let Some(m) = area::raw_mention_at(t, k) {
                if m.end <= at {
                    let r = self.res.resolve(t, &m, self.subject.as_ref());
                    if r.unit.is_some() || !m.committee {
                        return Some((r, true));
                    }
                }
            }
            if let Some((lvl, e)) = area::generic_at(t, k) {
                if e <= at {
                    return self.generic(lvl).map(|a| (a, true));
                }
            }
            if let Some(p) = self.bare_province(k, at) {
                return Some((p, true));
            }
        }
        if let Some(f) = ctx.frame {
            if let Some(m) = area::raw_mention_at(t, f) {
                return Some((self.res.resolve(t, &m, self.subject.as_ref()), true));
            }
        }
        self.subject.clone().map(|a| (a, false))
    }

    /// A province named without its level word (`Nghệ An có ...`, `GRDP của Hà Tĩnh`), as
    /// national papers write; not inside a person's name (`Nguyễn Thái Bình`) nor after a level
    /// word (`thành phố Hà Tĩnh` is the city).
    fn bare_province(&self, k: usize, limit: usize) -> Option<AreaRef<'g>> {
        let t = &self.t;
        let cap = |j: usize| j < limit && t.is_word(j) && t.toks[j].upper;
        if !cap(k) || !cap(k + 1) {
            return None;
        }
        if k > 0 {
            let prev = t.low(k - 1);
            let after_level = matches!(
                prev,
                "phố"
                    | "tp"
                    | "tỉnh"
                    | "huyện"
                    | "xã"
                    | "quận"
                    | "phường"
                    | "trấn"
                    | "tx"
                    | "tt"
                    | "ủy"
                    | "khu"
                    | "thôn"
                    | "bản"
                    | "làng"
            ) || (prev == "."
                && matches!(t.low(k.saturating_sub(2)), "tp" | "tx" | "tt"));
            if after_level || (t.is_word(k - 1) && t.toks[k - 1].upper) {
                return None;
            }
        }
        for n in [3usize, 2] {
            if (k..k + n).all(cap) {
                let name = metric::text_of(t, (k, k + n));
                if let Some(p) = self.res.province_named(&name) {
                    return Some(self.res.unit_ref(p));
                }
            }
        }
        None
    }

    fn generic(&self, lvl: Option<Level>) -> Option<AreaRef<'g>> {
        let subj = self.subject.as_ref()?;
        match lvl {
            Some(l) if rank(l) < rank(subj.level) => {
                self.res.ancestor(subj, l).or_else(|| Some(subj.clone()))
            }
            _ => Some(subj.clone()),
        }
    }
}

/// Longest `sentence` stored with a fact, in bytes; longer sentences (lists run together,
/// garbage) give their clause or a window around the number, so that output stays linear in
/// the input.
const MAX_SENTENCE: usize = 1500;

/// The sentence of a fact, or a shorter excerpt around the number when the sentence is huge.
fn excerpt(t: &Toks<'_>, sent: Range, clause: Range, num: Range) -> String {
    let bytes = |r: Range| -> usize {
        if r.1 <= r.0 {
            return 0;
        }
        (t.toks[r.1 - 1].end - t.toks[r.0].start) as usize
    };
    if bytes(sent) <= MAX_SENTENCE {
        return metric::text_of(t, sent);
    }
    if bytes(clause) <= MAX_SENTENCE {
        return metric::text_of(t, clause);
    }
    let from = clause.0.max(num.0.saturating_sub(30));
    let to = clause.1.min(num.1 + 30).max(num.1.min(t.len()));
    metric::text_of(t, (from, to))
}

fn rank(l: Level) -> u8 {
    match l {
        Level::Province => 0,
        Level::District => 1,
        Level::Commune => 2,
    }
}

/// Tokens taken by a scale word at `i` (`nghìn`, `triệu`, `nghìn tỷ`).
fn scale_len(t: &Toks<'_>, i: usize) -> usize {
    super::number::SCALES
        .iter()
        .find_map(|(w, _)| t.phrase_at(i, w).map(|e| e - i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::super::{ExtractOptions, Extractor, Kind};
    use chrono::NaiveDate;

    fn run(text: &str, published: &str, province: &str) -> Vec<super::Fact> {
        let opts = ExtractOptions {
            published: NaiveDate::parse_from_str(published, "%Y-%m-%d").ok(),
            province: Some(province.to_string()),
            title: None,
        };
        Extractor::embedded().extract(text, &opts)
    }

    fn brief(f: &super::Fact) -> (f64, String, Option<i32>, Kind) {
        (f.value, f.unit.clone(), f.year, f.kind)
    }

    #[test]
    fn old_level_in_a_change_is_not_a_fact() {
        let f = run(
            "Năm 2023, tỷ lệ hộ nghèo của huyện Kỳ Anh giảm từ 5,2% xuống còn 3,8%.",
            "2024-01-10",
            "Hà Tĩnh",
        );
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(brief(&f[0]), (3.8, "%".into(), Some(2023), Kind::Actual));
        assert_eq!(f[0].area.as_deref(), Some("huyện Kỳ Anh"));
    }

    #[test]
    fn a_year_in_passing_does_not_govern_later_sentences() {
        let text = "Năm 2023, huyện Kỳ Anh thu ngân sách 200 tỷ đồng. Dự án cầu dự kiến hoàn thành năm 2025. \
                    Toàn huyện có 5.000 hộ kinh doanh.";
        let f = run(text, "2024-01-10", "Hà Tĩnh");
        let last = f.last().unwrap();
        assert_eq!(brief(last), (5000.0, "hộ".into(), Some(2023), Kind::Actual));
    }

    #[test]
    fn later_clauses_inherit_an_explicit_area() {
        let text = "Năm 2024, GRDP của Nghệ An tăng 7,5%; công nghiệp tăng 11,2%.";
        let f = run(text, "2025-01-05", "Hà Tĩnh");
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(
            f.iter().all(|x| x.area.as_deref() == Some("tỉnh Nghệ An")),
            "{f:?}"
        );
        assert_eq!(f[1].value, 11.2);
    }

    #[test]
    fn headline_repeats_are_dropped() {
        let text =
            "Kỳ Anh thu ngân sách 200 tỷ đồng\nNăm 2023, huyện Kỳ Anh thu ngân sách 200 tỷ đồng.";
        let f = run(text, "2024-01-10", "Hà Tĩnh");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].year, Some(2023));
    }

    #[test]
    fn list_under_a_target_heading() {
        let text = "Một số chỉ tiêu chủ yếu năm 2025:\n- Thu ngân sách 300 tỷ đồng;\n- Tỷ lệ hộ nghèo dưới 2%.\nNăm 2024, huyện Kỳ Anh có 20 xã.";
        let f = run(text, "2024-12-20", "Hà Tĩnh");
        let kinds: Vec<_> = f.iter().map(|x| (x.value, x.kind)).collect();
        assert_eq!(kinds[0], (300.0, Kind::Target));
        assert_eq!(kinds.last().copied(), Some((20.0, Kind::Actual)));
    }

    #[test]
    fn spans_point_into_the_text_as_given() {
        let text = "Năm 2023, huyện\u{a0}Kỳ Anh có 5.892 học viên.";
        let f = run(text, "2024-01-10", "Hà Tĩnh");
        let [s, e] = f[0].span;
        let got: String = text.chars().skip(s).take(e - s).collect();
        assert_eq!(got, "5.892");
    }
}
